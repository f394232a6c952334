"""The monthly billing run: `run_billing` on 2026-02-01 over 10,000 subscriptions and the
1,000,000 usage events of January (bench/billing/seed.py), timed, with the SQL statements
it sends counted; then the same run again (it must make no bill). The baseline is the
aggregation the run cannot do without, written by hand: one GROUP BY of the month's
rated lines per tenant and charge, and one of the metered events per tenant and product.

    .venv/bin/python bench/billing/run.py [--database URL] [--scale 1.0] [--profile]

The database (PostgreSQL `modelry_billing_bench` by default; a MariaDB URL or `sqlite`
works too) is dropped and created by the run, and dropped at its end. `--scale 0.1` runs
1,000 subscriptions and 100,000 events. The time split: reads of usage (`usage_reads`),
pricing in Python (`price_bill` and its terms), writes (bills, lines, `billed_until`,
discount uses, arrears), the rest (locks, catalogue, subscriptions, pauses, discounts);
and, across all of them, the time spent in the database driver's execute.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import pstats
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.billing.rating import bench_database  # noqa: E402
from bench.billing.seed import MONTH, seed  # noqa: E402
from modelry import directives  # noqa: E402
from modelry.boot import App, boot  # noqa: E402
from modelry.modules.billing import runs  # noqa: E402
from modelry.modules.billing.bills import Bill, BillLine  # noqa: E402

DEFAULT = "postgresql://postgres@127.0.0.1:5432/modelry_billing_bench"
TABLES = ["billing_usage_event", "billing_rated_line", "billing_subscription",
          "billing_customer", "billing_subscription_pause", "billing_applied_discount"]
TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+["`]?(\w+)', re.IGNORECASE)
PHASES = {"reads of usage": "_usage_of", "pricing": "_price", "writes": "_write"}


class Statements:
    """Every statement an engine sends (transaction control aside), and the time spent in
    the driver's execute."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.sent: list[str] = []
        self.seconds = 0.0
        self._began = 0.0

    @contextlib.contextmanager
    def capture(self) -> Iterator[Statements]:
        """Record inside the block."""
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        try:
            yield self
        finally:
            sa.event.remove(self.engine, "before_cursor_execute", self._before)
            sa.event.remove(self.engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE",
                                                      "ROLLBACK", "COMMIT")):
            self.sent.append(statement)
        self._began = time.perf_counter()

    def _after(self, *args: Any) -> None:
        self.seconds += time.perf_counter() - self._began

    def kinds(self) -> str:
        """How many of each kind (SELECT, INSERT, ...) on which table."""
        counted = Counter(_kind(sql) for sql in self.sent)
        return ", ".join(f"{n} {kind}" for kind, n in sorted(counted.items(),
                                                               key=lambda kv: -kv[1]))


def _kind(sql: str) -> str:
    verb = sql.split(maxsplit=1)[0].upper() if sql.strip() else "?"
    table = TABLE.search(sql)
    if verb == "SELECT" and "FOR UPDATE" in sql.upper():
        verb = "SELECT FOR UPDATE"
    return f"{verb} {table.group(1) if table else ''}".strip()


class Phases:
    """Time spent in the run's phases (its private steps, wrapped for the run's length)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    @contextlib.contextmanager
    def timing(self) -> Iterator[Phases]:
        """Wrap the phases' functions inside the block."""
        saved = {name: getattr(runs, name) for name in PHASES.values()}
        for label, name in PHASES.items():
            setattr(runs, name, self._timed(label, saved[name]))
        try:
            yield self
        finally:
            for name, original in saved.items():
                setattr(runs, name, original)

    def _timed(self, label: str, function: Any) -> Any:
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - began
        return timed


def baseline(app: App) -> tuple[float, int]:
    """The hand-written aggregation of the month: seconds and rows fetched."""
    start, end = (dt.datetime.combine(day, dt.time()) for day in MONTH)
    rated = sa.text("SELECT tenant, charge_id, SUM(amount), SUM(quantity), COUNT(*) "
                    "FROM billing_rated_line WHERE timestamp >= :start AND timestamp < :end "
                    "GROUP BY tenant, charge_id")
    metered = sa.text("SELECT tenant, product_id, SUM(quantity), COUNT(*), MAX(quantity) "
                      "FROM billing_usage_event WHERE timestamp >= :start "
                      "AND timestamp < :end GROUP BY tenant, product_id")
    began = time.perf_counter()
    with app.engine.connect() as connection:
        rows = sum(len(connection.execute(query, {"start": start, "end": end}).all())
                   for query in (rated, metered))
    return time.perf_counter() - began, rows


def analyze(app: App) -> None:
    """Table statistics after the seed (PostgreSQL's autovacuum is off on this machine)."""
    dialect = app.engine.dialect.name
    with app.engine.connect() as connection:
        if dialect == "postgresql":
            connection.exec_driver_sql(f"ANALYZE {', '.join(TABLES)}")
        elif dialect == "mysql":
            connection.exec_driver_sql(f"ANALYZE TABLE {', '.join(TABLES)}").all()
        else:
            connection.exec_driver_sql("ANALYZE")
        connection.commit()


def monthly_run(app: App, profile: bool) -> float:
    """The run, then the rerun, with their figures."""
    on = MONTH[1]
    phases, sent = Phases(), Statements(app.engine)
    profiler = cProfile.Profile() if profile else None
    with app.activate(), directives.backend_scope(), phases.timing(), sent.capture():
        began = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = runs.run_billing(on)
        if profiler is not None:
            profiler.disable()
        seconds = time.perf_counter() - began
    billed = max(result.subscriptions, 1)
    print(f"run_billing({on}): {result.bills:,} bills, {result.lines:,} lines, "
          f"{result.failed} failed, total {result.total:,.2f}")
    print(f"  {seconds:.2f} s, {result.bills / seconds:,.0f} bills/s; "
          f"{len(sent.sent)} statements, {len(sent.sent) / billed:.3f} per subscription")
    print(f"  statements: {sent.kinds()}")
    rest = seconds - sum(phases.seconds.values())
    print("  split: " + ", ".join(f"{label} {phases.seconds[label]:.2f} s"
                                  for label in PHASES) + f", the rest {rest:.2f} s; "
          f"in the driver's execute {sent.seconds:.2f} s")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    again = Statements(app.engine)
    with app.activate(), directives.backend_scope(), again.capture():
        began = time.perf_counter()
        rerun = runs.run_billing(on)
        rerun_seconds = time.perf_counter() - began
    print(f"rerun: {rerun.bills} bills in {rerun_seconds:.2f} s, {len(again.sent)} "
          f"statements ({again.kinds()})")
    with app.activate(), app.transaction():
        stored, lines = Bill.count(), BillLine.count()
    if rerun.bills or stored != result.bills or lines != result.lines:
        raise SystemExit(f"the rerun made {rerun.bills} bills; {stored} bills and {lines} "
                         "lines stored")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="of 10,000 subscriptions and 1,000,000 events")
    parser.add_argument("--profile", action="store_true", help="cProfile the run")
    options = parser.parse_args()
    subs, events = int(10_000 * options.scale), int(1_000_000 * options.scale)
    with bench_database(options.database) as url:
        app = boot(database=url, modules=["billing"], lifecycle="install")
        try:
            print(f"{url.split('@')[-1]}: {subs:,} subscriptions, {events:,} usage events",
                  flush=True)
            with app.activate(), directives.backend_scope():
                made = seed(app, subs, events, progress=lambda text: print(text, flush=True))
            analyze(app)
            print(f"seeded in {made.seconds:.0f} s ({made.rated:,} rated lines)", flush=True)
            baseline(app)                      # a first pass warms the cache for both
            raw, rows = baseline(app)
            print(f"baseline: the month's two GROUP BYs by hand, {raw:.2f} s ({rows:,} rows)")
            seconds = monthly_run(app, options.profile)
            print(f"run / baseline: {seconds / raw:.1f}x")
        finally:
            app.close()


if __name__ == "__main__":
    main()
