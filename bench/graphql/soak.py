"""Soak: one modelry worker under mixed load for minutes, on each database; does its memory grow?

    .venv/bin/python bench/graphql/soak.py \
        --database postgresql://postgres@127.0.0.1:5432/bench \
        --database mysql://root@127.0.0.1:3306/bench \
        [--minutes 5] [--sample 30] [--connections 16] [--candidate modelry]

For each `--database` in turn: seeds it when needed (seed.py), starts the candidate
(pinned like run.py), signs the bench user in (auth.py), then runs wrk with 16
connections on a mix: every request picks at random one of the operations of queries.py
(reads, sorted reads and writes), anonymous or with the bearer token. wrk runs in slices
of `--sample` seconds back to back until `--minutes` have passed; after each slice it
prints the requests/s, failed requests and the server's resident memory (VmRSS of its
process tree). The verdict: the peak stays within 150 MB, and the memory stops growing:
the last sample is at most 5 MB above the sample at half time. Exit status 1 when the
server died or the verdict fails on any database.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from dataclasses import dataclass

import auth
import candidates as servers
import load
import seed
from modelry.boot.engine import create_engine
from queries import OPERATIONS
from run import modelry_source

TARGET_MB = 150.0
NOISE_MB = 5.0  # allocator noise: what counts as "no growth"


@dataclass
class Sample:
    """One slice of load: when it ended, its rate, failures, and the RSS after it."""

    minute: float
    requests_per_second: float
    failures: int
    rss_mb: float


def parse_arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, action="append",
                        help="database URL; repeat it to soak each in turn")
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--sample", type=float, default=30,
                        help="seconds of load between two memory samples")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--candidate", default="modelry", choices=["modelry", "baseline"])
    return parser.parse_args()


def mix(candidate: str, authorization: str) -> list[tuple[str, str | None]]:
    """Every operation's body for `candidate`, anonymous and with `authorization`."""
    bodies = [operation.body(candidate) for operation in OPERATIONS.values()]
    return [(body, header) for body in bodies if body is not None
            for header in (None, authorization)]


def soak(url: str, arguments: argparse.Namespace, pins: tuple[str | None, str | None]
         ) -> int:
    """Soak one database; the exit status of its verdict."""
    seed.prepare(url)
    user_id, baseline_token = auth.prepare(url)
    candidate = getattr(servers, arguments.candidate)(url)
    samples: list[Sample] = []
    try:
        candidate.start(pins[0])
        header = auth.authorizations({candidate.name: candidate.url}, user_id,
                                     baseline_token)[candidate.name]
        script = load.lua_mix_script(mix(candidate.name, header))
        print(f"\n=== {candidate.name} on {url}: {len(OPERATIONS)} operations × "
              f"(anonymous, token), {arguments.connections} connections; "
              f"load average {_load_average()} ===")
        print(f"  0.0 min  RSS {candidate.rss_mb():.1f} MB (started)", flush=True)
        began = time.monotonic()
        while time.monotonic() - began < arguments.minutes * 60:
            result = load.run_wrk_script(candidate.url, script, arguments.sample,
                                         arguments.connections, pins[1])
            if not candidate.alive():
                print("*** the server died ***\n" + candidate.log_tail())
                return 1
            samples.append(Sample((time.monotonic() - began) / 60, result.requests_per_second,
                                  result.failures, candidate.rss_mb()))
            last = samples[-1]
            print(f"{last.minute:5.1f} min  {last.requests_per_second:8.1f} req/s  "
                  f"failed {last.failures}  RSS {last.rss_mb:.1f} MB", flush=True)
    finally:
        candidate.stop()
        engine = create_engine(url)
        try:
            seed.reset_writes(engine)
        finally:
            engine.dispose()
    print(f"load average after: {_load_average()}")
    return verdict(samples)


def verdict(samples: list[Sample]) -> int:
    """Print the memory verdict; 1 when over the target or still growing."""
    if len(samples) < 3:
        print("too short to judge: at least three samples are needed")
        return 1
    half = samples[len(samples) // 2]
    first, last = samples[0], samples[-1]
    peak = max(sample.rss_mb for sample in samples)
    growing = last.rss_mb - half.rss_mb > NOISE_MB
    failures = sum(sample.failures for sample in samples)
    print(f"RSS first {first.rss_mb:.1f} MB, at half time {half.rss_mb:.1f} MB, "
          f"peak {peak:.1f} MB, last {last.rss_mb:.1f} MB (target ≤ {TARGET_MB:.0f} MB, "
          f"growth in the second half ≤ {NOISE_MB:.0f} MB): "
          f"{'GROWING' if growing else 'flat'}, "
          f"{'OVER TARGET' if peak > TARGET_MB else 'within target'}; "
          f"{failures} failed requests")
    return 1 if growing or peak > TARGET_MB else 0


def _load_average() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    """Soak every database in turn; the process exit status."""
    arguments = parse_arguments()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load.ensure_wrk()
    print(modelry_source())
    pins = ("1", "0") if (os.cpu_count() or 1) >= 2 else (None, None)
    return max(soak(url, arguments, pins) for url in arguments.database)


if __name__ == "__main__":
    sys.exit(main())
