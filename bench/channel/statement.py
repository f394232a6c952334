"""The daily bill of a merchant with 100,000 orders (issue 17): `daily_statement(merchant,
day)` and `order_totals("merchant")` timed (median of `--runs`), their SQL statements
counted (SQLAlchemy's before_cursor_execute), and on PostgreSQL each statement of the
daily statement EXPLAIN ANALYZEd. Then the same again after creating, by plain DDL, the
composite indexes its filters would use (modelry declares single-column indexes and unique
sets only), and beside the statement the closing-balance read it makes (the account's last
entry before a moment, sorted by -id) against the same read sorted by -create_date,-id.

The data, reconciling as the real path would leave it: `--orders` orders of one merchant
over `--days` days (95 % succeeded, 5 % failed), written with `insert_bulk`; in the
ledger (`submit`, batches of 8,000), after the merchant's funding, each succeeded order's
price posted from the merchant's account, one transfer each. The real path holds the
price and then posts or voids the hold: the same posted balances, with a second (pending)
entry per order on the account; the bench writes one, because posting 4,000 holds is
4,000 UPDATEs (`account/store.py` resolves holds one statement each), too slow to seed
100,000. Each day's orders and ledger entries are then dated that day from noon on, a
second more every 100 rows (UPDATEs by id range: the ledger dates what it writes now, and a
bill is of past days).
Around them, `--others` orders of nine other merchants over the same days (no ledger:
only the orders table grows), so that the merchant's orders are not the whole table. The
agents' shares and the supplier's and platform's transfers of a settlement are left out:
no statement reads them.

    .venv/bin/python bench/channel/statement.py [--database URL|sqlite] [--orders 100000]
        [--days 10] [--others 100000] [--runs 7]

The database (PostgreSQL `bench_channel_statement` by default, or MariaDB, or `sqlite`) is
dropped and created by the run, and dropped at its end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.channel.shop import Shop, build, database, share_secret_key  # noqa: E402
from modelry.boot import App, boot  # noqa: E402

DEFAULT = "postgresql://postgres@127.0.0.1:5432/bench_channel_statement"
BATCH = 8_000                            # the ledger's largest batch
SPREAD = 100                             # rows dated the same second
MERCHANT = "big"
OTHERS = [f"other-{n}" for n in range(9)]
AMOUNTS = [Decimal(30), Decimal(50), Decimal(100), Decimal(200)]
RATE, CHANNEL_RATE = Decimal("0.985"), Decimal("0.97")
# what the statement's filters would use, had modelry composite (not unique) indexes: only
# single columns (`index=True`) and unique sets can be declared today. {first}: NULLS FIRST
# on PostgreSQL, as modelry's sorts put NULL (schema/tables.py: index_key)
INDEXES = [("bench_order_merchant_finished", "channel_recharge_order", "merchant_id, finished_at"),
           ("bench_order_merchant_created", "channel_recharge_order", "merchant_id, create_date"),
           ("bench_entry_account_created", "account_entry",
            "account_id, create_date{first}, id"),
           ("bench_entry_account_id", "account_entry", "account_id, id")]


def _order(merchant: int, number: str, n: int, product: int, channel: int, noon: dt.datetime,
           failed: bool) -> dict[str, Any]:
    amount = AMOUNTS[n % len(AMOUNTS)]
    price, cost = amount * RATE, amount * CHANNEL_RATE
    return {"merchant": merchant, "merchant_order_no": number, "product": product,
            "target": f"138{n:08d}", "amount": amount, "currency": "CNY", "channel": channel,
            "merchant_rate": RATE, "merchant_price": price, "channel_rate": CHANNEL_RATE,
            "cost": cost, "platform_profit": price - cost,
            "status": "FAILED" if failed else "SUCCEEDED", "submitted_at": noon,
            "finished_at": noon}


def seed(app: App, shop: Shop, orders: int, days: int, others: int) -> list[dt.date]:
    """The orders and the ledger (see the module docstring); the days, oldest first."""
    from modelry.modules.account.functions import submit
    from modelry.modules.channel.merchants import Merchant
    from modelry.modules.channel.orders import RechargeOrder
    from modelry.modules.channel.products import Product
    from modelry.modules.channel.suppliers import Channel
    today = dt.datetime.now(dt.timezone.utc).date()
    dates = [today - dt.timedelta(days=days - d) for d in range(days)]
    orders_table = app.data.table(app.registry.model("channel.RechargeOrder"))
    entries = app.data.table(app.registry.model("account.Entry"))
    with app.activate():
        with app.transaction():
            ids = {m.code: m.id for m in Merchant.query_list()}
            product = Product.query_one(code="mobile-cn").id
            channel = Channel.query_one(code="fake-fixed").id
            clearing, account = shop.accounts["sup"], shop.accounts[MERCHANT]
        # the funding (build's) happened the day before the first
        _date(app, entries, dates[0] - dt.timedelta(days=1))
        per_day = orders // days
        for d, date in enumerate(dates):
            noon = dt.datetime.combine(date, dt.time(12))
            count = per_day if d < days - 1 else orders - per_day * (days - 1)
            rows = [_order(ids[MERCHANT], f"B{d}-{n}", n, product, channel, noon, n % 20 == 7)
                    for n in range(count)]
            with app.transaction():
                made = []
                for start in range(0, len(rows), 10_000):
                    made += RechargeOrder.insert_bulk(rows[start:start + 10_000],
                                                      returning_ids=True)
                for start in range(0, others // days, 10_000):
                    RechargeOrder.insert_bulk([
                        _order(ids[OTHERS[n % len(OTHERS)]], f"O{d}-{n}", n, product, channel,
                               noon, n % 20 == 7)
                        for n in range(start, min(others // days, start + 10_000))])
            charges = [dict(ledger="CNY", key=f"recharge-{i}-post", debit_account=account,
                            credit_account=clearing, amount=int(row["merchant_price"] * 100))
                       for i, row in zip(made, rows) if row["status"] == "SUCCEEDED"]
            for start in range(0, len(charges), BATCH):
                results = submit(charges[start:start + BATCH])
                bad = [r for r in results if r.code != "ok"]
                if bad:
                    raise SystemExit(f"the ledger refused {bad[0].key}: {bad[0].code}")
            _date(app, entries, noon)
            _date(app, orders_table, noon)
    return dates


def _date(app: App, table: sa.Table, moment: dt.datetime) -> None:
    """Date the rows of `table` not dated yet (later than `moment`) from `moment` on, a
    second more every SPREAD rows in id order, as rows written through a day are (plain
    UPDATEs on the bench's database)."""
    with app.engine.begin() as connection:
        low, high = connection.execute(sa.select(
            sa.func.min(table.c.id), sa.func.max(table.c.id))
            .where(table.c.create_date > moment)).one()
        for second, start in enumerate(range(low or 0, (high or -1) + 1, SPREAD)):
            connection.execute(table.update().where(
                table.c.id.between(start, start + SPREAD - 1))
                .values(create_date=moment + dt.timedelta(seconds=second)))


@contextmanager
def counted(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and parameters) sent on `engine` inside the block."""
    sent: list[tuple[str, Any]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
             executemany: bool) -> None:
        sent.append((statement, parameters))
    sa.event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", note)


def timed(app: App, runs: int, call: Callable[[], Any]) -> tuple[float, Any, list]:
    """Median milliseconds of `runs` calls (each in its own transaction), the last
    answer, and the statements one call sent."""
    spent, answer, sent = [], None, []
    with app.activate():
        for _ in range(runs):
            with counted(app.engine) as statements, app.transaction():
                began = time.perf_counter()
                answer = call()
                spent.append(time.perf_counter() - began)
            sent = statements
    return statistics.median(spent) * 1000, answer, sent


def explain(app: App, sent: list[tuple[str, Any]]) -> None:
    """EXPLAIN ANALYZE each statement sent (PostgreSQL): its plan, indented."""
    raw = app.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in sent:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + statement, parameters)
            print("  " + " ".join(statement.split())[:150])
            for (line,) in cursor.fetchall():
                if "Planning" not in line:
                    print("      " + line)
        raw.rollback()
    finally:
        raw.close()


def analyze(app: App) -> None:
    """Fresh statistics (this PostgreSQL runs without autovacuum; MariaDB keeps them)."""
    with app.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE")
        elif connection.dialect.name == "mysql":
            connection.exec_driver_sql(
                "ANALYZE TABLE channel_recharge_order, account_entry").all()
        else:
            connection.exec_driver_sql("ANALYZE")
        connection.commit()


def _last_entry(moment: dt.datetime, sort: str) -> int:
    """The merchant's balance after its last entry before `moment`, the entries sorted by
    `sort` (reports.py sorts by -id; -create_date,-id can stop at the first row of an
    (account, create_date) index)."""
    from modelry.modules.account.models import Account, Entry
    account = Account.query_one(code=MERCHANT).id
    return Entry.query_list(account=account, create_date__lt=moment, sort=sort,
                            limit=1)[0].balance


def measure(app: App, dates: list[dt.date], options: argparse.Namespace, title: str) -> None:
    """Time the statement of the middle day, of a day without orders, and the totals."""
    from modelry.modules.channel.reports import daily_statement, order_totals
    print(f"-- {title}", flush=True)
    day = dates[len(dates) // 2]
    start = dt.datetime.combine(day, dt.time())
    for name, call in [
            (f"daily_statement({MERCHANT!r}, {day})", lambda: daily_statement(MERCHANT, day)),
            ("daily_statement, a day without orders",
             lambda: daily_statement(MERCHANT, dates[-1] + dt.timedelta(days=1))),
            ("  its closing balance, as it reads it",
             lambda: _last_entry(start + dt.timedelta(days=1), "-id")),
            ("  the same, sorted -create_date,-id",
             lambda: _last_entry(start + dt.timedelta(days=1), "-create_date,-id")),
            ('order_totals("merchant")', lambda: order_totals("merchant")),
            ('order_totals("merchant", one day)',
             lambda: order_totals("merchant", start, start + dt.timedelta(days=1)))]:
        ms, answer, sent = timed(app, options.runs, call)
        print(f"{name:44} median {ms:8.1f} ms of {options.runs}, {len(sent)} statements",
              flush=True)
        if name.startswith("  ") and app.engine.dialect.name == "postgresql" \
                and not options.no_explain:
            explain(app, sent[-1:])
        if name.startswith("daily_statement("):
            print(f"  {answer.orders} orders, {answer.succeeded} succeeded, {answer.failed} "
                  f"failed, charged {answer.charged}; opening {answer.opening}, debits "
                  f"{answer.debits}, credits {answer.credits}, closing {answer.closing}; "
                  f"reconciled: {answer.reconciled}", flush=True)
            if app.engine.dialect.name == "postgresql" and not options.no_explain:
                explain(app, sent)
        elif name == 'order_totals("merchant")':
            big = next(t for t in answer if t.code == MERCHANT)
            print(f"  {len(answer)} merchants; {MERCHANT!r}: {big.orders} orders, "
                  f"{big.succeeded} succeeded, charged {big.charged}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--others", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--no-index", action="store_true",
                        help="skip the second measure, with the composite indexes")
    options = parser.parse_args()
    share_secret_key()
    with database(options.database, "statement.db") as (url, _):
        app = boot(database=url, modules=["channel"], lifecycle="install")
        try:
            began = time.perf_counter()
            shop = build(app, {MERCHANT: 1, **{code: 1 for code in OTHERS}})
            dates = seed(app, shop, options.orders, options.days, options.others)
            analyze(app)
            print(f"{url.split('@')[-1]}: {options.orders:,} orders of {MERCHANT!r} over "
                  f"{options.days} days and {options.others:,} of {len(OTHERS)} other "
                  f"merchants, seeded in {time.perf_counter() - began:.0f} s", flush=True)
            measure(app, dates, options, "as declared")
            if not options.no_index:
                indexed(app, dates, options)
        finally:
            app.close()


def indexed(app: App, dates: list[dt.date], options: argparse.Namespace) -> None:
    """Create INDEXES (plain DDL), then measure again."""
    began = time.perf_counter()
    first = " NULLS FIRST" if app.engine.dialect.name == "postgresql" else ""
    with app.engine.begin() as connection:
        for name, table, columns in INDEXES:
            connection.exec_driver_sql(f"CREATE INDEX {name} ON {table} "
                                       f"({columns.format(first=first)})")
    analyze(app)
    measure(app, dates, options, f"with {len(INDEXES)} composite indexes (created in "
            f"{time.perf_counter() - began:.1f} s): "
            + ", ".join(f"{table} ({columns.format(first='')})" for _, table, columns in INDEXES))

if __name__ == "__main__":
    main()
