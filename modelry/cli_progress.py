"""A rich progress bar on stderr for the boot's long steps."""
from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn


class BootProgress:
    """Shows one bar per step (schema, data); a context manager."""

    def __init__(self, console: Console) -> None:
        self.bars = Progress(TextColumn("{task.description:>8}"), BarColumn(),
                             MofNCompleteColumn(), console=console, transient=True)
        self.task: Any = None

    def start(self, step: str, total: int) -> None:
        """A new bar for `step` with `total` units."""
        self.task = self.bars.add_task(step, total=total)

    def advance(self, amount: int) -> None:
        """`amount` more units done."""
        if self.task is not None:
            self.bars.advance(self.task, amount)

    def __enter__(self) -> "BootProgress":
        self.bars.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.bars.stop()
