"""Ledger throughput: `submit` (batches of 100 transfers) against a naive baseline (one
transaction per transfer with `SELECT ... FOR UPDATE`), 16 concurrent clients, on 2 hot
accounts and on 10,000 uniform accounts; on the hot accounts also single-transfer calls,
and batches posted to `/graphql` with a bearer token (`modelry serve`, one worker, on the
other CPU); p50/p99 latency per call; every invariant re-checked after the run.

    .venv/bin/python bench/ledger/run.py [--database URL] [--clients 16] [--batch 100]
        [--seconds 10] [--accounts 10000] [--no-uniform] [--no-other]

The database (PostgreSQL `modelry_ledger_bench` by default; a MariaDB URL or `sqlite`
works too) is dropped and created by the run, and dropped at its end. The clients are
threads of this one process, pinned to CPU 0 with `os.sched_setaffinity` so that the
database server keeps CPU 1 (on a 2-core machine); both loads run in the same process on
the same tables, so compare their figures with each other, not across runs: the machine
is shared.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.ledger import http_load, load  # noqa: E402
from bench.ledger.autoanalyze import AutoAnalyze  # noqa: E402
from bench.ledger.baseline import Baseline  # noqa: E402
from bench.ledger.checks import check  # noqa: E402
from modelry.boot import App, boot  # noqa: E402
from modelry.boot.engine import create_engine, normalise_url  # noqa: E402

DEFAULT = "postgresql://postgres@127.0.0.1:5432/modelry_ledger_bench"
GROWING = ["account_transfer", "account_entry", "account_account"]


def recreate(url: str, drop_only: bool = False) -> None:
    """Drop (and create) the benchmark's database on PostgreSQL or MariaDB."""
    parsed = normalise_url(url)
    postgres = parsed.get_backend_name() == "postgresql"
    admin_db = "postgres" if postgres else "mysql"
    admin = create_engine(parsed.set(database=admin_db).render_as_string(hide_password=False),
                          isolation_level="AUTOCOMMIT")
    name = f'"{parsed.database}"' if postgres else f"`{parsed.database}`"
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}"
                                   + (" WITH (FORCE)" if postgres else ""))
        if not drop_only:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()


def chart(app: App, accounts: int) -> tuple[int, list[int]]:
    """A ledger and `accounts` unguarded accounts; the ledger id and the account ids."""
    from modelry.modules.account.models import Account, Ledger
    with app.activate(), app.transaction():
        ledger = Ledger(code="EUR", name="Bench", currency="EUR", scale=2).create()
        ids = Account.insert_bulk([{"ledger": ledger.id, "code": f"a{n}"}
                                   for n in range(accounts)], returning_ids=True)
    return ledger.id, ids


def modelry_step(app: App, accounts: list[int], batch: int, tag: str):
    """A client's call: one `submit` of `batch` transfers between random pairs (made
    outside a transaction, as an API call is: the group commit merges concurrent ones)."""
    from modelry.modules.account.functions import submit

    def step(client: int, n: int) -> int:
        rng = random.Random(hash((tag, client, n)))
        transfers = []
        for i in range(batch):
            debit, credit = rng.sample(accounts, 2)
            transfers.append({"ledger": "EUR", "key": f"{tag}{client}-{n}-{i}",
                              "debit_account": debit, "credit_account": credit,
                              "amount": rng.randint(1, 100)})
        with app.activate():  # outside a transaction: concurrent calls are merged
            return sum(result.code == "ok" for result in submit(transfers))
    return step


def baseline_step(app: App, ledger: int, accounts: list[int], tag: str):
    """A client's call: one transfer, one transaction."""
    naive = Baseline(app, ledger)

    def step(client: int, n: int) -> int:
        rng = random.Random(hash((tag, client, n)))
        debit, credit = rng.sample(accounts, 2)
        return naive.transfer(f"{tag}{client}-{n}", debit, credit, rng.randint(1, 100))
    return step


def scenario(app: App, name: str, ledger: int, accounts: list[int],
             options: argparse.Namespace) -> load.Figures:
    """The baseline, then `submit`, on `accounts`; their figures and ratio; the
    baseline's figures."""
    tag = name[0]
    naive = load.run(f"baseline, {name}", options.clients, options.seconds,
                     baseline_step(app, ledger, accounts, f"b{tag}"))
    print(naive.line(), flush=True)
    compare(naive, load.run(f"submit x{options.batch}, {name}", options.clients,
                            options.seconds,
                            modelry_step(app, accounts, options.batch, f"m{tag}")))
    return naive


def compare(naive: load.Figures, figures: load.Figures) -> None:
    """Print `figures` and their ratio to the baseline's."""
    print(figures.line(), flush=True)
    ratio = figures.rate / naive.rate if naive.rate else float("inf")
    print(f"{'':34} / baseline: {ratio:.1f}x", flush=True)


def other_loads(app: App, url: str, accounts: list[int], naive: load.Figures,
                options: argparse.Namespace) -> None:
    """Single-transfer calls in process, then batches through /graphql with a token."""
    compare(naive, load.run("submit x1, 2 hot accounts", options.clients, options.seconds,
                            modelry_step(app, accounts, 1, "s")))
    token = http_load.clerk_token(app)
    served = http_load.server(url)
    served.start(pin="1" if len(os.sched_getaffinity(0)) == 1 else None)
    try:
        compare(naive, load.run(f"/graphql x{options.batch}, 2 hot accounts",
                                options.clients, options.seconds,
                                http_load.graphql_step(token, accounts, options.batch, "g")))
    finally:
        served.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--no-uniform", action="store_true")
    parser.add_argument("--no-other", action="store_true",
                        help="skip the single-transfer and /graphql loads")
    options = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 1:
        os.sched_setaffinity(0, {0})
    url, folder = options.database, None
    if url == "sqlite":
        folder = tempfile.TemporaryDirectory()
        url = f"sqlite:///{folder.name}/ledger.db"
    else:
        recreate(url)
    app = boot(database=url, modules=["account"], lifecycle="install",
               pool_size=options.clients + 4)
    try:
        print(f"{url.split('@')[-1]}: {options.clients} clients (threads on CPU "
              f"{sorted(os.sched_getaffinity(0))}), {options.seconds:.0f} s per load", flush=True)
        ledger, accounts = chart(app, 2 + (0 if options.no_uniform else options.accounts))
        with AutoAnalyze(app.engine, GROWING) as analyze:
            if analyze.running:
                print("autovacuum is off on this server: ANALYZE every "
                      "2 s stands in for it (bench/ledger/autoanalyze.py)", flush=True)
            naive = scenario(app, "2 hot accounts", ledger, accounts[:2], options)
            if not options.no_other:
                other_loads(app, url, accounts[:2], naive, options)
            if not options.no_uniform:
                scenario(app, f"{options.accounts:,} uniform accounts", ledger,
                         accounts[2:], options)
        print(check(app), flush=True)
    finally:
        app.close()
        if folder is not None:
            folder.cleanup()
        else:
            recreate(url, drop_only=True)


if __name__ == "__main__":
    main()
