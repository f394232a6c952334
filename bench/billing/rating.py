"""Rating throughput: usage events stored and rated by `billing.UsageEvent.ingest` (dedup on
(tenant, source, event id), priced under every per-event charge, one rated line per
(event, charge), in the same call) against a baseline writing the same rows with no work
at all (bench/billing/baseline.py), for several batch sizes and concurrent clients.

    .venv/bin/python bench/billing/rating.py [--database URL|sqlite] [--batches 500,2000,8000]
        [--clients 1,4,16] [--events 48000]

The catalogue (bench/billing/catalogue.py): 24 products, 32 per-event charges: STANDARD,
PACKAGE, PERCENTAGE (with min and max), TIME_OF_DAY (in a zone, or sold in another
currency with a markup), fixed and percentage markups (one negative), three exchange
rates; about 1.33 lines per event. Each load ingests at least `--events` events (each
client the same number of batches, all of them distinct new events, made before the
clock starts) through the function as a Python caller calls it (outside a transaction:
`ingest` opens its own), then the baseline writes as many rows the same way.

The database (PostgreSQL `modelry_rating_bench` by default; a MariaDB URL or `sqlite`
works too) is dropped and created by the run, and dropped at its end. The clients are
threads of this process, pinned to CPU 0 so that the database server keeps CPU 1 (on a
2-core machine); PostgreSQL here runs without autovacuum, so ANALYZE runs every 2 s
(bench/ledger/autoanalyze.py). Compare figures within one run: the machine is shared.
`CPU us/ev` is the CPU time per event of this process (the clients; SQLite's work too)
plus, on a local PostgreSQL, of the server processes serving the run (bench/billing/cpu.py):
unlike events/s, a busy machine hardly moves it. On an idle machine, one client's events/s
is about 10^6 / (client + server), and many clients' at most 10^6 / max(client, server).

Measured on this 2-core machine (PostgreSQL 15, idle, load ~2), batches of 500 / 2,000 /
8,000: ingest 11,100 - 12,000 events/s from 4 and 16 clients, 9,200 - 9,900 from one
(client 56 - 73 us + server 42 - 54 us of CPU per event); the baseline 14,500 - 24,000
(26 - 28 + 38 - 43 us): 0.47 - 0.67x. Issue 16's target, 10,000 events/s rated on
PostgreSQL, is met by every concurrent load. Before this session's work, on the same
machine idle: 8,400 - 9,100 from one client, 9,700 - 11,300 from several (66 - 85 + 41 -
54 us), and the session before, loaded: 4,500 - 6,100. What moved it: no product locks
and no read before the insert (`insert_bulk(..., skip_existing=...)`), pricing before
the transaction so that concurrent batches overlap, `=in=` lists bound as one array,
cheaper bulk rows and records, the canonical JSON by orjson, and the boot's objects
frozen out of the garbage collector's walks (`boot/heap.py`, as `modelry serve` does:
20 us of CPU per event). What is left is the client's Python: pricing (a fifth), building
and converting rows (a third).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.billing import baseline, catalogue, cpu  # noqa: E402
from bench.ledger.autoanalyze import AutoAnalyze  # noqa: E402
from bench.ledger.run import recreate  # noqa: E402
from modelry.boot import App, boot  # noqa: E402
from modelry.boot.engine import create_engine  # noqa: E402
from modelry.boot.heap import freeze_booted  # noqa: E402

DEFAULT = "postgresql://postgres@127.0.0.1:5432/modelry_rating_bench"
GROWING = ["billing_usage_event", "billing_rated_line"]


@dataclass
class Figures:
    """What one load wrote, in how long, and each call's latency."""

    events: int = 0
    lines: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    client_cpu: float = 0.0
    server_cpu: float | None = None

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    @property
    def line_rate(self) -> float:
        return self.lines / self.seconds if self.seconds else 0.0

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else 0.0

    @property
    def cpu(self) -> str:
        """CPU microseconds per event: `client+server` (the server's when known)."""
        if not self.events:
            return "-"
        server = "" if self.server_cpu is None else f"+{self.server_cpu / self.events * 1e6:.0f}"
        return f"{self.client_cpu / self.events * 1e6:.0f}{server}"


def run(engine: sa.Engine, work: list[list[Any]], call: Callable[[Any], tuple[int, int]]
        ) -> Figures:
    """Each client (a thread) calls `call` on each of its batches; `call` answers (events,
    lines) written. A call that raises is counted as an error."""
    figures = Figures()
    client_began, server_began = cpu.client(), cpu.server(engine)

    def client(batches: list[Any]) -> Figures:
        own = Figures()
        for batch in batches:
            began = time.perf_counter()
            try:
                events, lines = call(batch)
            except Exception as error:  # noqa: BLE001  (reported)
                own.errors.append(repr(error)[:200])
                continue
            own.latencies.append(time.perf_counter() - began)
            own.events, own.lines = own.events + events, own.lines + lines
        return own

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        for own in pool.map(client, work):
            figures.events += own.events
            figures.lines += own.lines
            figures.latencies += own.latencies
            figures.errors += own.errors
    figures.seconds = time.perf_counter() - began
    figures.client_cpu = cpu.client() - client_began
    server_spent = cpu.server(engine)
    if server_began is not None and server_spent is not None:
        figures.server_cpu = server_spent - server_began
    return figures


def ingest_call(app: App) -> Callable[[list[dict[str, Any]]], tuple[int, int]]:
    """One `ingest` call of a batch; (events rated "ok", lines written)."""
    from modelry.modules.billing.ingestion import ingest

    def call(batch: list[dict[str, Any]]) -> tuple[int, int]:
        with app.activate():          # outside a transaction, as an API call is
            results = ingest(batch)
        wrong = [result for result in results if result.code != "ok"]
        if wrong:
            raise RuntimeError(f"{len(wrong)} events not ok, e.g. {wrong[0].code}: "
                               f"{wrong[0].message}")
        return len(results), sum(result.rated for result in results)
    return call


def work(tag: str, size: int, clients: int, least: int) -> list[list[list[dict[str, Any]]]]:
    """Per client, its batches of new events: each the same number, `least` in all or more."""
    calls = max(1, -(-least // (size * clients)))
    return [[catalogue.events(f"{tag}{size}x{clients}-{client}-{n}", size)
             for n in range(calls)] for client in range(clients)]


def load(app: App, size: int, clients: int, options: argparse.Namespace,
         writer: baseline.Baseline, made: dict[str, tuple[int, list[int]]]) -> None:
    """`ingest`, then the baseline, at one batch size and client count; a table row."""
    rated = run(app.engine, work("m", size, clients, options.events), ingest_call(app))
    plain = [[baseline.prepare(batch, made) for batch in batches]
             for batches in work("b", size, clients, options.events)]
    naive = run(app.engine, plain, writer.write)
    ratio = rated.rate / naive.rate if naive.rate else float("inf")
    print(f"{size:>6} {clients:>7} | {rated.rate:>11,.0f} {rated.line_rate:>9,.0f} "
          f"{rated.p50:>8.1f} {rated.cpu:>9} | {naive.rate:>13,.0f} {naive.p50:>8.1f} "
          f"{naive.cpu:>9} | {ratio:>14.2f}x", flush=True)
    for name, figures in (("ingest", rated), ("baseline", naive)):
        if figures.errors:
            print(f"    {name}: {len(figures.errors)} failed calls, e.g. {figures.errors[0]}",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT)
    parser.add_argument("--batches", default="500,2000,8000")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--events", type=int, default=48_000,
                        help="least events per load")
    options = parser.parse_args()
    batches = [int(n) for n in options.batches.split(",")]
    clients = [int(n) for n in options.clients.split(",")]
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {0})
    with bench_database(options.database) as url:
        app = boot(database=url, modules=["billing"], lifecycle="install",
                   pool_size=max(clients) + 4)
        freeze_booted()  # as `modelry serve` and `modelry worker` do once booted
        try:
            report(app, url, batches, clients, options)
        finally:
            app.close()


@contextmanager
def bench_database(url: str) -> Iterator[str]:
    """The database's URL, created empty for the run and dropped after it (`sqlite`: a
    file in a temporary folder)."""
    if url == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/rating.db"
        return
    recreate(url)
    try:
        yield url
    finally:
        recreate(url, drop_only=True)


def report(app: App, url: str, batches: list[int], clients: list[int],
           options: argparse.Namespace) -> None:
    """Seed the catalogue, then print a table row per batch size and client count."""
    made = catalogue.seed(app)
    writer = baseline.Baseline(app)
    print(f"{url.split('@')[-1]}: {len(made)} products, "
          f"{sum(len(c) for _, c in made.values())} per-event charges; clients are threads "
          f"on CPU {sorted(os.sched_getaffinity(0))}; at least {options.events:,} events "
          "per load", flush=True)
    # its own connection, whose ANALYZE the server's CPU per event leaves out
    analyzing = create_engine(url, pool_size=1, connect_args={
        "application_name": cpu.ANALYZE}) if app.engine.dialect.name == "postgresql" \
        else app.engine
    with AutoAnalyze(analyzing, GROWING) as analyze:
        if analyze.running:
            print("autovacuum is off on this server: ANALYZE every 2 s stands in for it "
                  "(bench/ledger/autoanalyze.py)", flush=True)
        print(f"{'batch':>6} {'clients':>7} | {'ingest ev/s':>11} {'lines/s':>9} "
              f"{'p50 ms':>8} {'CPU us/ev':>9} | {'baseline ev/s':>13} {'p50 ms':>8} "
              f"{'CPU us/ev':>9} | ingest/baseline", flush=True)
        for size in batches:
            for count in clients:
                load(app, size, count, options, writer, made)
    if analyzing is not app.engine:
        analyzing.dispose()

if __name__ == "__main__":
    main()
