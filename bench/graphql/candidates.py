"""The servers under test: how each starts, when it is ready, its memory, how it stops.

Each runs in its own session (process group), pinned to one CPU with taskset, so
stopping it ends its children too, and nothing else.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

from auth import JWT_SECRET

HERE = Path(__file__).resolve().parent
HOST = "127.0.0.1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class CandidateFailed(Exception):
    """A candidate did not start, or died."""


@dataclass
class Candidate:
    """One server process under test."""

    name: str
    port: int
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        """Its GraphQL endpoint."""
        return f"http://{HOST}:{self.port}/graphql"

    def start(self, pin: str | None, timeout: float = 120) -> None:
        """Start it (pinned to CPU `pin`) and wait until its port accepts connections."""
        if _port_open(self.port):
            raise CandidateFailed(f"{self.name}: port {self.port} is already in use "
                                  "(another server running?)")
        handle, path = tempfile.mkstemp(prefix=f"bench-{self.name}-", suffix=".log")
        self.log = Path(path)
        command = (["taskset", "-c", pin] if pin else []) + self.command
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=handle, stderr=subprocess.STDOUT,
                env={**os.environ, **self.env}, start_new_session=True, cwd=HERE)
        except OSError as error:
            raise CandidateFailed(f"{self.name}: cannot run {command[0]!r}: {error}") from None
        finally:
            os.close(handle)
        deadline = time.monotonic() + timeout
        while not _port_open(self.port):
            if self.process.poll() is not None:
                raise CandidateFailed(f"{self.name} exited with {self.process.returncode}:\n"
                                      f"{self.log_tail()}")
            if time.monotonic() > deadline:
                raise CandidateFailed(f"{self.name} not listening after {timeout:g}s:\n"
                                      f"{self.log_tail()}")
            time.sleep(0.1)

    def alive(self) -> bool:
        """True while its process runs."""
        return self.process is not None and self.process.poll() is None

    def rss_mb(self) -> float:
        """Resident memory of its process and every descendant, in MB (VmRSS)."""
        if not self.alive():
            return float("nan")
        assert self.process is not None
        return sum(_rss_kb(pid) for pid in _process_tree(self.process.pid)) / 1024

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by its process and every descendant."""
        if not self.alive():
            return float("nan")
        assert self.process is not None
        return sum(_cpu_ticks(pid) for pid in _process_tree(self.process.pid)) / CLOCK_TICKS

    def stop(self, grace: float = 10) -> None:
        """SIGTERM its process group, then SIGKILL after `grace` seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_tail(self, lines: int = 25) -> str:
        """The last lines it printed."""
        if self.log is None or not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def modelry(database: str, port: int = 8077) -> Candidate:
    """`modelry serve` from this interpreter's virtualenv, one worker, RELOAD."""
    executable = Path(sys.executable).parent / "modelry"
    return Candidate("modelry", port, [
        str(executable), "serve", "--database", database, "--module", "demo",
        "--lifecycle", "reload", "--host", HOST, "--port", str(port), "--workers", "1",
        "--log-level", "warning"])


def baseline(database: str, port: int = 8078) -> Candidate:
    """The hand-written Starlette endpoint (baseline.py), one worker."""
    return Candidate("baseline", port, [
        sys.executable, str(HERE / "baseline.py"), "--database", database, "--host", HOST,
        "--port", str(port)])


def postgraphile(database: str, port: int = 5055) -> Candidate:
    """PostGraphile v4 from bench/graphql/node_modules, with the connection-filter plugin,
    the sorts of postgraphile_sorts.js and JWT authentication (auth.py)."""
    url = make_url(database).set(drivername="postgres")
    return Candidate("postgraphile", port, [
        str(HERE / "node_modules" / ".bin" / "postgraphile"),
        "-c", url.render_as_string(hide_password=False), "-s", "public", "--host", HOST,
        "--port", str(port), "--disable-query-log", "--disable-graphiql",
        "--append-plugins",
        f"postgraphile-plugin-connection-filter,{HERE / 'postgraphile_sorts.js'}",
        "--jwt-secret", JWT_SECRET],
        env={"NODE_ENV": "production"})


def ensure_postgraphile() -> None:
    """`npm install` the pinned PostGraphile into bench/graphql/node_modules if missing."""
    if (HERE / "node_modules" / ".bin" / "postgraphile").exists():
        return
    print("installing PostGraphile: npm install (bench/graphql/package.json)")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=HERE, check=True)


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex((HOST, port)) == 0


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # the parent pid is the 2nd field after the parenthesised command name
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
