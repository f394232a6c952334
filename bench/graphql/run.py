"""GraphQL benchmark: modelry vs a hand-written endpoint vs PostGraphile v4, in one run.

    .venv/bin/python bench/graphql/run.py --database postgresql://postgres@127.0.0.1:5432/bench
        [--duration 10] [--rounds 3] [--only Q2,Q3] [--candidates modelry,baseline]

Creates the database if missing and seeds it (seed.py; skipped when already seeded),
starts each candidate pinned to CPU 1 (PostGraphile on PostgreSQL only), checks they
all return the same rows (check.py), then loads every operation (queries.py) on every
candidate with wrk pinned to CPU 0: 1 thread, 16 connections. Prints requests/s,
p50/p99 latency, the server's own CPU time per request (user + system of its process
tree: steadier than requests/s on a shared machine; the database's CPU is not in it),
SQL statements per request (X-SQL-Statements, when the server sends it), ratios, and
each server's resident memory before and after the load. Every server
is stopped at the end, also on failure or Ctrl-C. The database server itself is not
pinned. Exit status 1 when a candidate failed to start or answered differently.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time

import sqlalchemy as sa

import candidates as servers
import check
import load
import report
import seed
from candidates import Candidate, CandidateFailed
from modelry.boot.engine import create_engine, normalise_url
from queries import OPERATIONS, Operation

SERVER_CPU, LOAD_CPU = "1", "0"


def parse_arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True,
                        help="postgresql://... or mysql://... (database created if missing)")
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load before each")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each cell this many times, in turns; keep the median")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", help="operations, e.g. Q2,Q3 (default: all)")
    parser.add_argument("--candidates", help="e.g. baseline,postgraphile (default: all)")
    parser.add_argument("--reseed", action="store_true", help="seed even when seeded")
    parser.add_argument("--keep-going", action="store_true",
                        help="on a mismatch, skip that operation for that candidate")
    return parser.parse_args()


def chosen_operations(only: str | None) -> list[Operation]:
    """The operations named by --only, in the order reads first, writes last."""
    if not only:
        return list(OPERATIONS.values())
    names = [name.strip().upper() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in OPERATIONS]
    if unknown:
        sys.exit(f"unknown operations {unknown}; known: {', '.join(OPERATIONS)}")
    return [operation for name, operation in OPERATIONS.items() if name in names]


def chosen_candidates(database: str, wanted: str | None) -> list[Candidate]:
    """Baseline first (it is the reference of the check), PostGraphile on PostgreSQL only."""
    postgres = normalise_url(database).get_backend_name() == "postgresql"
    everyone = [servers.baseline(database)]
    if postgres:
        everyone.append(servers.postgraphile(database))
    everyone.append(servers.modelry(database))
    if not wanted:
        return everyone
    names = {name.strip().lower() for name in wanted.split(",") if name.strip()}
    unknown = names - {candidate.name for candidate in everyone}
    if unknown:
        sys.exit(f"unknown or unavailable candidates {sorted(unknown)}; "
                 f"here: {', '.join(candidate.name for candidate in everyone)}")
    return [candidate for candidate in everyone if candidate.name in names]


def start_all(candidates: list[Candidate], pin: str | None) -> list[Candidate]:
    """Start each candidate; one failing to start is reported and left out."""
    running = []
    for candidate in candidates:
        started = time.perf_counter()
        try:
            if candidate.name == "postgraphile":
                servers.ensure_postgraphile()
            candidate.start(pin)
        except (CandidateFailed, OSError, sa.exc.SQLAlchemyError) as error:
            print(f"\n*** {candidate.name} FAILED TO START; the others still run ***\n{error}\n")
            candidate.stop()
            continue
        print(f"{candidate.name} listening on {candidate.url} "
              f"({time.perf_counter() - started:.1f}s)")
        running.append(candidate)
    return running


def measure(operations: list[Operation], running: list[Candidate],
            checked: check.CheckReport, arguments: argparse.Namespace,
            pin: str | None) -> dict[tuple[str, str], load.LoadResult | str]:
    """wrk on every (operation, candidate) that passed the check.

    With --rounds N the candidates take turns N times per operation and each keeps its
    median run (by requests/s): drift on a shared machine then hits all of them alike.
    """
    results: dict[tuple[str, str], load.LoadResult | str] = {}
    for operation in operations:
        runs: dict[str, list[load.LoadResult]] = {}
        for turn in range(arguments.rounds):
            for candidate in running:
                key = (operation.name, candidate.name)
                template = operation.body(candidate.name)
                if template is None:
                    results[key] = "not comparable"
                    continue
                if key in checked.failed:
                    results[key] = "skipped: answered differently"
                    continue
                if not candidate.alive():
                    results[key] = "died:\n" + candidate.log_tail(5)
                    continue
                if turn == 0 and arguments.warmup > 0:
                    load.run_wrk(candidate.url, template, arguments.warmup,
                                 arguments.connections, pin)
                cpu = candidate.cpu_seconds()
                result = load.run_wrk(candidate.url, template, arguments.duration,
                                      arguments.connections, pin)
                if result.requests:
                    cpu_ms = (candidate.cpu_seconds() - cpu) * 1000 / result.requests
                    result.server_cpu_ms = cpu_ms
                runs.setdefault(candidate.name, []).append(result)
                print(f"  {operation.name} {candidate.name:<13} "
                      f"{result.requests_per_second:>9.1f} req/s  p50 {result.p50_ms:.2f} ms"
                      f"  p99 {result.p99_ms:.2f} ms  cpu {result.server_cpu_ms:.2f} ms/req"
                      f"  failed {result.failures}")
        for name, measured in runs.items():
            if isinstance(results.get((operation.name, name)), str):
                continue  # died in a later round
            ranked = sorted(measured, key=lambda result: result.requests_per_second)
            results[operation.name, name] = ranked[len(ranked) // 2]
    return results


def undo_writes(database: str) -> None:
    """Delete the tags M1 created (M2 rewrites the seeded stock values)."""
    engine = create_engine(database)
    try:
        seed.reset_writes(engine)
    finally:
        engine.dispose()


def main() -> int:
    """Run the benchmark; the process exit status."""
    arguments = parse_arguments()
    operations = chosen_operations(arguments.only)
    pins = (SERVER_CPU, LOAD_CPU) if (os.cpu_count() or 1) >= 2 else (None, None)
    if pins[0] is None:
        print("one CPU only: servers and wrk are not pinned")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally clauses
    load.ensure_wrk()
    started = time.perf_counter()
    verb = "seeded" if seed.prepare(arguments.database, force=arguments.reseed) else "reused"
    print(f"database {arguments.database}: {verb} ({time.perf_counter() - started:.1f}s)")
    wanted = chosen_candidates(arguments.database, arguments.candidates)
    status = 0
    try:
        running = start_all(wanted, pins[0])
        status = 0 if len(running) == len(wanted) else 1
        if not running:
            return 1
        try:
            checked = check.check(operations, {c.name: c.url for c in running},
                                  arguments.keep_going)
        except check.MismatchError as error:
            print(f"\n*** ROWS DIFFER, NOT TIMING ***\n{error}")
            return 1
        for warning in checked.warnings:
            print(f"warning: {warning}")
        status = max(status, 1 if checked.failed else 0)
        agreed = "some rows differ (skipped)" if checked.failed else "rows identical"
        print(f"{agreed} across {', '.join(c.name for c in running)}; timing "
              f"{arguments.duration:g}s per cell × {arguments.rounds} round(s), "
              f"{arguments.connections} connections")
        before = {candidate.name: candidate.rss_mb() for candidate in running}
        results = measure(operations, running, checked, arguments, pins[1])
        memory = {candidate.name: (before[candidate.name], candidate.rss_mb())
                  for candidate in running}
        names = [candidate.name for candidate in running]
        print("\n" + report.results_table(operations, names, results, checked.statements))
        print("\nrequests/s ratios\n" + report.ratios_table(operations, results))
        print("\nresident memory\n" + report.memory_table(memory))
    finally:
        for candidate in wanted:
            candidate.stop()
        undo_writes(arguments.database)
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted (servers stopped)")
