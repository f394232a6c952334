"""The README's fenced code blocks, read the way the README test runs them.

Conventions the README follows so that every snippet runs:
- a ```python (or ```toml) block whose first line is `# <relative path>` is a file of the
  reader's project, written there before anything runs;
- any other ```python block is a script, run in the project folder in order; a ```text
  block right after it is what it prints;
- a ```bash block is commands, one per line (a trailing `\\` continues a line, `#` starts
  a comment), run in the project folder in order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
PATH_HEADER = re.compile(r"^# ([\w./-]+\.(?:py|toml|yaml))\s*$")


@dataclass
class Block:
    """One fenced block: its language, text and the line it starts on."""

    language: str
    text: str
    line: int

    @property
    def path(self) -> str | None:
        """The project file this block is, when its first line names one."""
        first = self.text.split("\n", 1)[0]
        match = PATH_HEADER.match(first)
        return match.group(1) if match else None


def blocks(readme: Path) -> list[Block]:
    """Every fenced block of `readme`, in order."""
    text = readme.read_text()
    return [Block(m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1)
            for m in FENCE.finditer(text)]


def commands(block: Block) -> list[str]:
    """The commands of a bash block: continuations joined, comments and blanks dropped."""
    joined: list[str] = []
    pending = ""
    for raw in block.text.splitlines():
        line = pending + raw.strip()
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        line = re.sub(r"\s+#\s.*$", "", line).strip()  # a trailing comment
        if line and not line.startswith("#"):
            joined.append(line)
    return joined
