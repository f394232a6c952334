"""The README runs as written: its project files are written to an empty folder, its
scripts and commands run there in order (as a newcomer would follow it, with the venv's
`modelry` on PATH and the folder on PYTHONPATH), and each script prints what the README
says it prints. See tests/readme_blocks.py for the conventions the README keeps."""
from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.readme_blocks import Block, blocks, commands

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEMO_URL = "localhost:8000"

# Commands the README shows that this test does not run, and where they are run instead.
NOT_RUN = {
    "./dev serve --demo": "serves until stopped: tests/graphql/test_serve.py serves the demo",
    "./dev test": "the test run itself (.ci/run runs it with all three databases)",
    "MODELRY_TEST_DATABASES=": "the test run itself, on three databases (.ci/run)",
    ".venv/bin/python bench/": "benchmarks take minutes; the script must exist",
}


def _not_run(command: str) -> str | None:
    return next((prefix for prefix in NOT_RUN if command.startswith(prefix)), None)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty folder holding the README's project files."""
    folder = tmp_path_factory.mktemp("readme")
    for block in blocks(README):
        if block.path is not None:
            target = folder / block.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.text)
    return folder


def _environment(project: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELRY_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(project)
    return env


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`modelry serve --demo` on a free port; its host:port (for the README's curl)."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("served")
    process = subprocess.Popen(
        [sys.executable, "-m", "modelry.cli", "serve", "--demo", "--port", str(port)],
        cwd=folder, env=_environment(folder), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, process.communicate()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "modelry serve --demo did not come up"
        time.sleep(0.1)
    yield f"127.0.0.1:{port}"
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)


def _run(command: list[str] | str, project: Path, block: Block) -> str:
    shell = isinstance(command, str)
    done = subprocess.run(command, cwd=project, env=_environment(project), shell=shell,
                          executable="/bin/bash" if shell else None, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, (
        f"README line {block.line}: {command!r} failed ({done.returncode}):\n"
        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def test_every_block_is_runnable_or_a_file(project: Path) -> None:
    """No block is left out silently: each is a file, a script, commands or an output."""
    all_blocks = blocks(README)
    assert len(all_blocks) >= 8
    for index, block in enumerate(all_blocks):
        follows_script = index > 0 and all_blocks[index - 1].language == "python" \
            and all_blocks[index - 1].path is None
        assert block.language in ("python", "bash", "toml", "yaml", "text"), block
        if block.language in ("toml", "yaml"):
            assert block.path is not None, f"README line {block.line}: name the file"
        if block.language == "text":
            assert follows_script, f"README line {block.line}: output of what?"


@pytest.mark.long_running
def test_the_readme_runs_as_written(project: Path, demo_server: str) -> None:
    all_blocks = blocks(README)
    ran = 0
    for index, block in enumerate(all_blocks):
        if block.path is not None or block.language not in ("python", "bash"):
            continue
        if block.language == "python":
            printed = _run([sys.executable, "-c", block.text], project, block)
            following = all_blocks[index + 1] if index + 1 < len(all_blocks) else None
            if following is not None and following.language == "text":
                assert printed.strip() == following.text.strip(), \
                    f"README line {block.line} prints:\n{printed}"
            ran += 1
            continue
        for command in commands(block):
            if (prefix := _not_run(command)) is not None:
                if prefix.startswith(".venv/bin/python bench/"):
                    assert (ROOT / shlex.split(command)[1]).is_file(), command
                continue
            if command.startswith("./dev "):
                command = str(ROOT / "dev") + command[len("./dev"):]
            answer = _run(command.replace(DEMO_URL, demo_server), project, block)
            if command.startswith("curl "):
                body = json.loads(answer)
                assert body["extensions"]["success"] is True and "errors" not in body, body
                assert body["data"], body
            ran += 1
    assert ran >= 8
