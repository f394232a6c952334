"""GraphQL benchmark: modelry vs a hand-written endpoint vs PostGraphile v4, in one run.

    .venv/bin/python bench/graphql/run.py \
        --database postgresql://postgres@127.0.0.1:5432/bench \
        --database mysql://root@127.0.0.1:3306/bench \
        [--duration 10] [--warmup 2] [--rounds 1] [--only Q2,Q2-id] [--anonymous-only]
        [--candidates modelry,baseline] [--output results/DATE.txt]

For each `--database` in turn (PostgreSQL, MariaDB; each created if missing and seeded by
seed.py, skipped when already seeded): starts each candidate pinned to CPU 1
(PostGraphile on PostgreSQL only), signs a bench user in on each (auth.py), checks they
all return the same rows for every operation anonymously and with the token (check.py),
then loads every operation (queries.py: Q1-Q4, Q2 and Q3 also sorted on id and on an
indexed foreign key, M1, M2), anonymously and with a bearer token, on every candidate with
wrk pinned to CPU 0: 1 thread, 16 connections. Prints requests/s, p50/p99 latency, the
server's own CPU time per request (user + system of its process tree: steadier than
requests/s on a shared machine; the database's CPU is not in it), SQL statements per
request (X-SQL-Statements, when the server sends it; PostGraphile does not), ratios,
each server's resident memory before and after the load, and the load average. Then one
table with a column group per database: requests/s, modelry/baseline and
modelry/PostGraphile, statements per request. `--output` also writes all of it to a file.
Every server is stopped at the end, also on failure or Ctrl-C. The database server
itself is not pinned. Exit status 1 when a candidate failed to start or answered
differently.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

import auth
import candidates as servers
import check
import load
import report
import seed
from candidates import Candidate, CandidateFailed
from modelry.boot.engine import create_engine, normalise_url
from queries import OPERATIONS, Operation
from report import AUTHS, DatabaseRun

SERVER_CPU, LOAD_CPU = "1", "0"


def parse_arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, action="append",
                        help="postgresql://... or mysql://... (created if missing); repeat "
                             "it for a column group per database")
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load before each")
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each cell this many times, in turns; keep the median")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", help="operations, e.g. Q2,Q2-id,Q2-shop (default: all)")
    parser.add_argument("--candidates", help="e.g. baseline,postgraphile (default: all)")
    parser.add_argument("--anonymous-only", action="store_true",
                        help="no bearer-token cells (half the time)")
    parser.add_argument("--reseed", action="store_true", help="seed even when seeded")
    parser.add_argument("--keep-going", action="store_true",
                        help="on a mismatch, skip that cell for that candidate")
    parser.add_argument("--output", type=Path, help="also write everything printed here")
    return parser.parse_args()


def chosen_operations(only: str | None) -> list[Operation]:
    """The operations named by --only, in the order reads first, writes last."""
    if not only:
        return list(OPERATIONS.values())
    names = [name.strip().upper() for name in only.split(",") if name.strip()]
    known = {name.upper(): name for name in OPERATIONS}
    unknown = [name for name in names if name not in known]
    if unknown:
        sys.exit(f"unknown operations {unknown}; known: {', '.join(OPERATIONS)}")
    return [operation for name, operation in OPERATIONS.items() if name.upper() in names]


def chosen_candidates(database: str, wanted: str | None) -> list[Candidate]:
    """Baseline first (it is the reference of the check), PostGraphile on PostgreSQL only."""
    everyone = [servers.baseline(database)]
    if auth.is_postgresql(database):
        everyone.append(servers.postgraphile(database))
    everyone.append(servers.modelry(database))
    if not wanted:
        return everyone
    names = {name.strip().lower() for name in wanted.split(",") if name.strip()}
    known = {"baseline", "postgraphile", "modelry"}
    if names - known:
        sys.exit(f"unknown candidates {sorted(names - known)}; known: {', '.join(known)}")
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
            checked: check.CheckReport, authorizations: dict[str, str],
            arguments: argparse.Namespace, pin: str | None
            ) -> dict[check.Cell, load.LoadResult | str]:
    """wrk on every cell (operation, anonymous or token, candidate) that passed the check.

    With --rounds N the candidates take turns N times per operation and each keeps its
    median run (by requests/s): drift on a shared machine then hits all of them alike.
    """
    auths = AUTHS[:1] if arguments.anonymous_only else AUTHS
    results: dict[check.Cell, load.LoadResult | str] = {}
    for operation in operations:
        for auth_name in auths:
            runs: dict[str, list[load.LoadResult]] = {}
            for turn in range(arguments.rounds):
                for candidate in running:
                    cell = (operation.name, auth_name, candidate.name)
                    template = operation.body(candidate.name)
                    header = authorizations.get(candidate.name) if auth_name == check.TOKEN \
                        else None
                    if template is None:
                        results[cell] = "not comparable"
                        continue
                    if auth_name == check.TOKEN and header is None:
                        results[cell] = "no token"
                        continue
                    if cell in checked.failed:
                        results[cell] = "skipped: answered differently"
                        continue
                    if not candidate.alive():
                        results[cell] = "died:\n" + candidate.log_tail(5)
                        continue
                    if turn == 0 and arguments.warmup > 0:
                        load.run_wrk(candidate.url, template, arguments.warmup,
                                     arguments.connections, pin, header)
                    cpu = candidate.cpu_seconds()
                    result = load.run_wrk(candidate.url, template, arguments.duration,
                                          arguments.connections, pin, header)
                    if result.requests:
                        result.server_cpu_ms = ((candidate.cpu_seconds() - cpu) * 1000
                                                / result.requests)
                    runs.setdefault(candidate.name, []).append(result)
                    print(f"  {operation.name:<9} {auth_name:<5} {candidate.name:<13} "
                          f"{result.requests_per_second:>9.1f} req/s  "
                          f"p50 {result.p50_ms:.2f} ms  p99 {result.p99_ms:.2f} ms  "
                          f"cpu {result.server_cpu_ms:.2f} ms/req  failed {result.failures}",
                          flush=True)
            for name, measured in runs.items():
                if isinstance(results.get((operation.name, auth_name, name)), str):
                    continue  # died in a later round
                ranked = sorted(measured, key=lambda result: result.requests_per_second)
                results[operation.name, auth_name, name] = ranked[len(ranked) // 2]
    return results


def database_label(url: str) -> str:
    """"PostgreSQL 16.4" or "MariaDB 10.11.6": the server's product and version."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                version = connection.exec_driver_sql("SHOW server_version").scalar()
                return f"PostgreSQL {str(version).split()[0]}"
            version = str(connection.exec_driver_sql("SELECT VERSION()").scalar())
            product = "MariaDB" if "mariadb" in version.lower() else "MySQL"
            return f"{product} {version.split('-')[0]}"
    finally:
        engine.dispose()


def undo_writes(database: str) -> None:
    """Delete the tags M1 created (M2 rewrites the seeded stock values)."""
    engine = create_engine(database)
    try:
        seed.reset_writes(engine)
    finally:
        engine.dispose()


def modelry_source() -> str:
    """Where modelry is imported from, and its commit and uncommitted files when in git."""
    import modelry

    root = Path(modelry.__file__).resolve().parent.parent

    def git(*arguments: str) -> str:
        return subprocess.run(["git", "-C", str(root), *arguments], capture_output=True,
                              text=True, check=True).stdout.strip()

    try:
        if Path(git("rev-parse", "--show-toplevel")).resolve() != root:
            raise ValueError("not the repository's root")
        commit, changed = git("rev-parse", "--short", "HEAD"), git(
            "status", "--porcelain", "--", "modelry")
    except (OSError, ValueError, subprocess.CalledProcessError):
        return f"modelry imported from {root} (not a git work tree)"
    if not changed:
        return f"modelry imported from {root}: commit {commit}, clean"
    return (f"modelry imported from {root}: commit {commit} plus "
            f"{len(changed.splitlines())} uncommitted files under modelry/ (not reproducible)")


def _load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def run_database(url: str, operations: list[Operation], arguments: argparse.Namespace,
                 pins: tuple[str | None, str | None]) -> tuple[DatabaseRun, int]:
    """Seed, start, check and measure every candidate on one database; stop them."""
    started = time.perf_counter()
    verb = "seeded" if seed.prepare(url, force=arguments.reseed) else "reused"
    user_id, baseline_token = auth.prepare(url)
    run = DatabaseRun(database_label(url), url)
    print(f"\n=== {run.label}: {normalise_url(url).render_as_string()} {verb} "
          f"({time.perf_counter() - started:.1f}s) ===")
    run.load_average.append(_load_average())
    wanted = chosen_candidates(url, arguments.candidates)
    status = 0
    try:
        running = start_all(wanted, pins[0])
        run.candidates = [candidate.name for candidate in running]
        status = 0 if len(running) == len(wanted) else 1
        if not running:
            return run, 1
        urls = {candidate.name: candidate.url for candidate in running}
        authorizations = {} if arguments.anonymous_only else auth.authorizations(
            urls, user_id, baseline_token)
        try:
            checked = check.check(operations, urls, arguments.keep_going, authorizations)
        except check.MismatchError as error:
            print(f"\n*** ROWS DIFFER, NOT TIMING ***\n{error}")
            run.notes.append(f"rows differ, not timed: {error}")
            return run, 1
        run.statements = checked.statements
        for warning in checked.warnings:
            print(f"warning: {warning}")
            run.notes.append(f"warning: {warning}")
        run.notes.extend(f"MISMATCH {message}" for message in checked.failed.values())
        status = max(status, 1 if checked.failed else 0)
        agreed = "some rows differ (skipped)" if checked.failed else "rows identical"
        print(f"{agreed} across {', '.join(run.candidates)}; timing {arguments.duration:g}s "
              f"per cell × {arguments.rounds} round(s), {arguments.connections} connections")
        before = {candidate.name: candidate.rss_mb() for candidate in running}
        run.results = measure(operations, running, checked, authorizations, arguments,
                              pins[1])
        run.memory = {candidate.name: (before[candidate.name], candidate.rss_mb())
                      for candidate in running}
        run.load_average.append(_load_average())
        print(f"\n{run.label}: load average {_averages(run)}")
        print("\n" + report.results_table(operations, run))
        print("\nrequests/s ratios\n" + report.ratios_table(operations, run))
        print("\nresident memory\n" + report.memory_table(run.memory))
    finally:
        for candidate in wanted:
            candidate.stop()
        undo_writes(url)
    return run, status


def _averages(run: DatabaseRun) -> str:
    return " -> ".join("/".join(f"{value:.2f}" for value in sample)
                       for sample in run.load_average) + " (1/5/15 min, before -> after)"


class Tee(io.TextIOBase):
    """Writes to several streams (the terminal and --output)."""

    def __init__(self, *streams: io.TextIOBase) -> None:
        self.streams = streams

    def write(self, text: str) -> int:
        """Write `text` to every stream."""
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        """Flush every stream."""
        for stream in self.streams:
            stream.flush()


def main() -> int:
    """Run the benchmark; the process exit status."""
    arguments = parse_arguments()
    if arguments.output is None:
        return benchmark(arguments)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    with arguments.output.open("w") as output, contextlib.redirect_stdout(
            Tee(sys.stdout, output)):
        return benchmark(arguments)


def benchmark(arguments: argparse.Namespace) -> int:
    """Every database in turn, then the side-by-side table; the exit status."""
    operations = chosen_operations(arguments.only)
    pins = (SERVER_CPU, LOAD_CPU) if (os.cpu_count() or 1) >= 2 else (None, None)
    print(f"bench/graphql/run.py {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
          f"{os.cpu_count()} CPUs, servers on CPU {pins[0]}, wrk on CPU {pins[1]}")
    print("command: " + " ".join(sys.argv))
    print(modelry_source())
    if pins[0] is None:
        print("one CPU only: servers and wrk are not pinned")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally clauses
    load.ensure_wrk()
    runs, status = [], 0
    for url in arguments.database:
        run, outcome = run_database(url, operations, arguments, pins)
        runs.append(run)
        status = max(status, outcome)
    print("\n=== requests/s per database; m/base = modelry/hand-written, "
          "m/PGr = modelry/PostGraphile ===")
    for run in runs:
        print(f"{run.label}: load average {_averages(run)}")
    print("auth: anon = no Authorization header; token = a bearer token checked per request "
          "(modelry: its login's token; baseline: one lookup of the token and its user; "
          "PostGraphile: an HS256 JWT, role and claims set per request, no lookup)")
    print("stmts: X-SQL-Statements of a warm request (PostGraphile sends none: n/a)\n")
    print(report.summary_table(operations, runs))
    notes = [note for run in runs for note in run.notes]
    if notes:
        print("\n" + "\n".join(notes))
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted (servers stopped)")
