"""Hostile soak: what do ~2,000 large, unique and malformed requests leave in a server?

    .venv/bin/python bench/graphql/hostile_soak.py [--requests 2000] [--database URL]

Starts `modelry serve --demo` (on a fresh SQLite file unless --database names an empty
database), sends ordinary requests until its caches are warm, then the hostile requests
of hostile.py (every kind in turn, the same ones every run), then ordinary requests
again, and prints the server's resident memory after each phase and the statuses it
answered. The verdict compares the memory after the hostile phase with the warm memory:
what hostile requests leave behind should stay within the caches' byte budgets (README,
GraphQL), however many requests come: run it with --requests 4000 to see it level off.
Exit status 1 when the server died, answered 5xx, or grew by more than `--allowed` MB.
"""
from __future__ import annotations

import argparse
import collections
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import httpx

import candidates
import hostile

# the caches' budgets at full (documents, templates and plans ~9 MB, compiled SQL ~9 MB,
# RSQL filters ~4 MB, as measured with tracemalloc) and the allocator's slack
ALLOWED_MB = 40.0


def main() -> int:
    """Run the soak; the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--database", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--port", type=int, default=8079)
    parser.add_argument("--only", action="append", choices=[k.__name__ for k in hostile.KINDS],
                        help="send only this kind of hostile request (repeatable)")
    parser.add_argument("--allowed", type=float, default=ALLOWED_MB,
                        help="MB the hostile phase may add to the warm memory")
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="hostile-soak-") as directory:
        database = arguments.database or f"sqlite:///{Path(directory) / 'demo.db'}"
        server = candidates.Candidate("modelry", arguments.port, [
            str(Path(sys.executable).parent / "modelry"), "serve", "--demo", "--database",
            database, "--host", candidates.HOST, "--port", str(arguments.port),
            "--log-level", "warning"])
        try:
            server.start(None)
            return soak(server, arguments.requests, arguments.allowed, arguments.only)
        finally:
            server.stop()
            if server.log is not None:
                print(f"server log: {server.log} ({server.log.stat().st_size} bytes)")


def soak(server: candidates.Candidate, count: int, allowed: float,
         only: list[str] | None = None) -> int:
    """The three phases; the exit status."""
    print(f"RSS at start {server.rss_mb():.1f} MB")
    with httpx.Client(base_url=server.url.removesuffix("/graphql"), timeout=120) as client:
        send(client, hostile.ordinary(400), "ordinary")
        warm = report(server, "warm (400 ordinary requests)")
        statuses = send(client, hostile.requests(count, only=only), "hostile")
        after = report(server, f"after {count} hostile requests")
        send(client, hostile.ordinary(400), "ordinary")
        settled = report(server, "after 400 more ordinary requests")
    print("hostile statuses:", dict(sorted(statuses.items())))
    if not server.alive() or any(status >= 500 for status in statuses):
        print("*** the server died or answered 5xx ***\n" + server.log_tail())
        return 1
    grown = max(after, settled) - warm
    print(f"\nRSS warm {warm:.1f} MB, after hostile {after:.1f} MB, settled {settled:.1f} MB: "
          f"{grown:+.1f} MB (allowed {allowed:.0f} MB)")
    return 1 if grown > allowed else 0


def send(client: httpx.Client, requests: object, phase: str) -> collections.Counter[int]:
    """Send `requests` one after the other; the statuses answered."""
    statuses: collections.Counter[int] = collections.Counter()
    began = time.monotonic()
    for method, headers, payload in requests:  # type: ignore[attr-defined]
        if method == "GET":
            response = client.get("/graphql", params=payload)
        else:
            response = client.post("/graphql", content=payload, headers=headers)
        statuses[response.status_code] += 1
        if phase == "ordinary" and response.status_code != 200:
            raise SystemExit(f"an ordinary request failed: {response.text[:500]}")
    print(f"  {phase}: {sum(statuses.values())} requests in {time.monotonic() - began:.1f} s",
          flush=True)
    return statuses


def report(server: candidates.Candidate, label: str) -> float:
    """Print and return the server's resident memory."""
    rss = server.rss_mb()
    print(f"RSS {label}: {rss:.1f} MB", flush=True)
    return rss


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parent)
    sys.exit(main())
