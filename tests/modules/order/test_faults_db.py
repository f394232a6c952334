"""The seeded fault scheduler on each database (`faults_db`): duplicated, delayed,
reordered, dropped and forged callbacks, merchant closes and janitor runs against the real
tables, with the account module settling each paid order. 1,000 orders on SQLite, 200 on
PostgreSQL and MariaDB (each order costs network round trips there); the seed is fixed and
named on failure."""
from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from modelry import directives
from modelry.boot import App
from modelry.modules.account.models import Account, AccountKind, Ledger
from tests.modules.order.faults_db import PAYERS, DbFaultScheduler, check_database

SEED = 16
ORDERS = {"sqlite": 1_000, "postgresql": 200, "mysql": 200}


@pytest.mark.long_running
def test_fixed_seed_on_the_database(make_app: Callable[..., App], backend: str) -> None:
    app = make_app(["order", "account"])
    orders = ORDERS[backend]
    started = time.perf_counter()
    with app.activate(), directives.backend_scope():
        with app.transaction():
            for currency in ("EUR", "USD"):
                ledger = Ledger(code=currency, name="Wallets", currency=currency).create()
                for number in range(PAYERS):
                    Account(ledger=ledger.id, code=f"payer-{number}",
                            kind=AccountKind.CUSTOMER_CASH,
                            debits_must_not_exceed_credits=True).create()
        scheduler = DbFaultScheduler(app, SEED, orders)
        try:
            book = scheduler.run()
            ended = check_database(scheduler, ledger=True)
        except AssertionError as exc:
            raise AssertionError(f"fault scheduler seed {SEED} ({orders} orders on "
                                 f"{backend}): {exc}") from exc
    print(f"\nfault scheduler seed {SEED}: {orders} orders on {backend} in "
          f"{time.perf_counter() - started:.1f} s; {dict(ended)}; {dict(book.stats)}; "
          f"rejected {dict(book.rejections)}")
    for fault in ("dropped", "duplicate event id", "reordered", "janitor settled",
                  "no-op duplicate", "no-op stale"):
        assert book.stats[fault] > 0, (fault, book.stats)
    assert ended["PAID"] and ended["CLOSED"] and ended["FAILED"]
    assert ended["REFUNDED"] + ended["PARTIALLY_REFUNDED"] > 0
    for code, count in scheduler.expected_rejections.items():
        assert book.rejections[code] >= count, code
