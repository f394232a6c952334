"""Bulk inserts and increments: rows/s of `insert_bulk` against `create_batch` and a raw
SQLAlchemy executemany of the same rows, and increments/s, measured in one run.

The rows are ledger entries (two ManyToOnes, two BigIntegers, an Enum, a Boolean, a
String, a DateTime); the raw baseline gets them ready-made, audit fields included, and
only runs `connection.execute(insert(table), rows)`. Run:

    .venv/bin/python bench/data_bench.py [URL] [--rows N]

(default: PostgreSQL `postgresql://postgres@127.0.0.1:5432/modelry_data_bench`, a database
of its own that it creates when missing; its tables are dropped and rebuilt).
"""
from __future__ import annotations

import argparse
import datetime as dt
import enum
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modelry import Model, Module, fields  # noqa: E402
from modelry.boot import App, boot  # noqa: E402
from modelry.boot.engine import create_engine, normalise_url  # noqa: E402
from tests.conftest import drop_everything  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/modelry_data_bench"
REPEATS = 5
module = Module("databench", version="1.0.0", depends=["base"])


class Side(enum.Enum):
    """Which side of a transfer an entry books."""

    DEBIT = "DEBIT"
    CREDIT = "CREDIT"


class Account(Model, model="databench.Account"):
    """A ledger account: balances in minor units."""

    code = fields.String(size=32, required=True)
    debits_posted = fields.BigInteger(default=0)
    credits_posted = fields.BigInteger(default=0)


class Entry(Model, model="databench.Entry"):
    """One side of a transfer."""

    account = fields.ManyToOne("databench.Account", required=True)
    transfer_key = fields.BigInteger(required=True)
    amount = fields.BigInteger(required=True)
    side = fields.Enum(Side, required=True)
    pending = fields.Boolean(default=False)
    balance_after = fields.BigInteger()
    note = fields.String(size=64)
    booked_at = fields.DateTime()


def ensure_database(url: str) -> None:
    """Create the bench's own database when the server lacks it."""
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return
    admin_db = "postgres" if parsed.get_backend_name() == "postgresql" else "mysql"
    admin = create_engine(parsed.set(database=admin_db).render_as_string(hide_password=False),
                          isolation_level="AUTOCOMMIT")
    quote = '"' if parsed.get_backend_name() == "postgresql" else "`"
    try:
        with admin.connect() as connection:
            try:
                connection.exec_driver_sql(f"CREATE DATABASE {quote}{parsed.database}{quote}")
            except sa.exc.DBAPIError:
                pass  # it exists
    finally:
        admin.dispose()


def entry_rows(count: int, accounts: list[int]) -> list[dict[str, Any]]:
    """`count` entries as plain dicts by field name."""
    now = dt.datetime(2026, 1, 1)
    return [{"account": accounts[n % len(accounts)], "transfer_key": n // 2, "amount": 100 + n,
             "side": Side.DEBIT if n % 2 else Side.CREDIT, "balance_after": n * 7,
             "note": f"entry {n}", "booked_at": now} for n in range(count)]


def best_rates(app: App, count: int, actions: dict[str, Callable[[], Any]],
               reset: Callable[[], None]) -> dict[str, float]:
    """Items per second of each action (`count` items, one transaction each), the best of
    REPEATS rounds; every round runs each action once, so a busy machine slows them alike."""
    rates: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(REPEATS):
        for name, action in actions.items():
            reset()
            began = time.perf_counter()
            with app.transaction():
                action()
            rates[name].append(count / (time.perf_counter() - began))
    return {name: max(found) for name, found in rates.items()}


def measure_inserts(app: App, count: int) -> dict[str, float]:
    """Rows/s of each way to insert `count` entries."""
    entries = app.data.table(app.registry.model("databench.Entry"))
    with app.transaction():
        accounts = Account.insert_bulk([{"code": f"A{n}"} for n in range(100)],
                                       returning_ids=True)
    rows = entry_rows(count, accounts)
    now = dt.datetime(2026, 1, 2)
    raw = [{"account_id": r["account"], "transfer_key": r["transfer_key"],
            "amount": r["amount"], "side": r["side"].value, "pending": False,
            "balance_after": r["balance_after"], "note": r["note"],
            "booked_at": r["booked_at"], "create_date": now, "write_date": now,
            "create_uid": None, "write_uid": None} for r in rows]

    def reset() -> None:
        with app.engine.begin() as connection:
            connection.execute(entries.delete())

    def raw_executemany() -> None:
        with app.data.connection() as connection:
            connection.execute(sa.insert(entries), raw)

    return best_rates(app, count, {
        "raw SQLAlchemy executemany": raw_executemany,
        "insert_bulk": lambda: Entry.insert_bulk(rows),
        "insert_bulk(returning_ids=True)": lambda: Entry.insert_bulk(rows, returning_ids=True),
        "create_batch (records)": lambda: Entry.create_batch([Entry(**row) for row in rows]),
    }, reset)


def measure_increments(app: App, count: int) -> dict[str, float]:
    """Increments/s: one per transaction (1 and 8 threads), one statement each for
    distinct rows in one transaction, and batched (against a raw executemany)."""
    accounts = app.data.table(app.registry.model("databench.Account"))
    with app.transaction():
        ids = Account.insert_bulk([{"code": f"B{n}"} for n in range(count)], returning_ids=True)
    singles = 1_000

    def one_per_transaction() -> float:
        began = time.perf_counter()
        for n in range(singles):
            with app.transaction():
                Account.increment(ids[n % 2], debits_posted=1)
        return singles / (time.perf_counter() - began)

    def raw_batch() -> None:
        update = sa.update(accounts).where(accounts.c.id == sa.bindparam("key")).values(
            debits_posted=accounts.c.debits_posted + sa.bindparam("delta"),
            credits_posted=accounts.c.credits_posted + sa.bindparam("other"))
        with app.data.connection() as connection:
            connection.execute(update, [{"key": key, "delta": 1, "other": 2} for key in ids])

    def one_by_one() -> None:
        for key in ids[:singles]:
            Account.increment(key, debits_posted=1, credits_posted=2)

    many = {key: {"debits_posted": 1, "credits_posted": 2} for key in ids}
    nothing = lambda: None  # noqa: E731
    rates = {"increment, a transaction each, 1 thread": one_per_transaction(),
             "increment, a transaction each, 8 threads": threaded_increments(
                 app, ids[:2], singles)}
    rates["increment, 1,000 rows in one transaction"] = best_rates(
        app, singles, {"one": one_by_one}, nothing)["one"]
    rates.update(best_rates(app, count, {
        "increment_batch (rows/s)": lambda: Account.increment_batch(many),
        "raw SQLAlchemy UPDATE executemany (rows/s)": raw_batch}, nothing))
    return rates


def threaded_increments(app: App, hot: list[int], per_thread: int) -> float:
    """Increments/s of 8 threads on two hot rows, each increment in a transaction of its
    own."""
    def work(k: int) -> None:
        with app.activate():
            for n in range(per_thread // 8):
                with app.transaction():
                    Account.increment(hot[(k + n) % 2], debits_posted=1)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_thread // 8 * 8 / (time.perf_counter() - began)


def report(title: str, rates: dict[str, float], baseline: str) -> None:
    """Print `rates` with their ratio to `baseline`."""
    print(f"\n{title}")
    for name, rate in rates.items():
        print(f"  {name:46} {rate:12,.0f}/s   {rate / rates[baseline]:5.2f}x")


def main() -> None:
    """Boot the bench module on a fresh schema and print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=20_000)
    options = parser.parse_args()
    ensure_database(options.url)
    drop_everything(options.url)
    app = boot(options.url, [module], "install", options={"init_data": False},
               pool_size=10)
    try:
        with app.activate():
            print(f"{app.dialect}: {options.rows:,} rows, best of {REPEATS} runs")
            report("inserts (rows/s)", measure_inserts(app, options.rows),
                   "raw SQLAlchemy executemany")
            report("increments", measure_increments(app, min(options.rows, 5_000)),
                   "raw SQLAlchemy UPDATE executemany (rows/s)")
    finally:
        app.close()


if __name__ == "__main__":
    main()
