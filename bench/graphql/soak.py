"""Soak: one modelry worker under the benchmark's load for minutes; does its memory grow?

    .venv/bin/python bench/graphql/soak.py --database postgresql://postgres@127.0.0.1:5432/bench
        [--minutes 5] [--slice 15] [--candidate modelry]

Starts the candidate (pinned like run.py), then loads the operations of queries.py in
turns, `--slice` seconds each, with wrk (16 connections) until `--minutes` have passed,
and prints after every slice the requests/s and the server's resident memory. The
verdict compares the memory after the first round of every operation (caches warm)
with the peak of the rest: the target is below 150 MB and no growth beyond noise.
Exit status 1 when the server died or the memory target is missed.
"""
from __future__ import annotations

import argparse
import itertools
import os
import signal
import sys
import time

import candidates as servers
import load
import seed
from queries import OPERATIONS

TARGET_MB = 150.0
NOISE_MB = 5.0  # allocator noise: what counts as "no growth"


def main() -> int:
    """Run the soak; the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--slice", type=float, default=15, help="seconds per wrk run")
    parser.add_argument("--candidate", default="modelry", choices=["modelry", "baseline"])
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load.ensure_wrk()
    seed.prepare(arguments.database)
    pins = ("1", "0") if (os.cpu_count() or 1) >= 2 else (None, None)
    candidate = getattr(servers, arguments.candidate)(arguments.database)
    operations = list(OPERATIONS.values())
    samples: list[tuple[float, str, float, float]] = []  # (minute, op, req/s, RSS MB)
    try:
        candidate.start(pins[0])
        print(f"{candidate.name}: RSS at start {candidate.rss_mb():.1f} MB")
        began = time.monotonic()
        for operation in itertools.cycle(operations):
            elapsed = time.monotonic() - began
            if elapsed >= arguments.minutes * 60:
                break
            result = load.run_wrk(candidate.url, operation.body(candidate.name) or "",
                                  arguments.slice, 16, pins[1])
            if not candidate.alive():
                print("*** the server died ***\n" + candidate.log_tail())
                return 1
            samples.append((elapsed / 60, operation.name, result.requests_per_second,
                            candidate.rss_mb()))
            print(f"{elapsed / 60:5.1f} min  {operation.name}  {result.requests_per_second:8.1f}"
                  f" req/s  failed {result.failures}  RSS {samples[-1][3]:.1f} MB", flush=True)
    finally:
        candidate.stop()
        from modelry.boot.engine import create_engine
        engine = create_engine(arguments.database)
        seed.reset_writes(engine)
        engine.dispose()
    return verdict(samples, len(operations))


def verdict(samples: list[tuple[float, str, float, float]], warm_after: int) -> int:
    """Print the memory verdict; 1 when over the target or growing."""
    if len(samples) <= warm_after:
        print("too short to judge: run more than one round of the operations")
        return 1
    warm = samples[warm_after - 1][3]
    later = [sample[3] for sample in samples[warm_after:]]
    peak, last = max(later), later[-1]
    growing = last - warm > NOISE_MB
    print(f"\nRSS warm {warm:.1f} MB, peak {peak:.1f} MB, last {last:.1f} MB "
          f"(target < {TARGET_MB:.0f} MB, growth ≤ {NOISE_MB:.0f} MB): "
          f"{'GROWING' if growing else 'flat'}, "
          f"{'over target' if peak >= TARGET_MB else 'under target'}")
    return 1 if growing or peak >= TARGET_MB else 0


if __name__ == "__main__":
    sys.exit(main())
