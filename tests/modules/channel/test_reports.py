"""Totals per merchant, product and channel, and a merchant's daily statement reconciled
with its ledger account to the cent; test orders are left out of the totals."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.reports import daily_statement, order_totals
from tests.modules.channel.conftest import Shop, run_tasks
from tests.sql_capture import statements


def _orders(shop: Shop) -> None:
    shop.supplier.script["13822222222"] = ["fail"]
    with shop.app.transaction():
        for number, target, amount in [("R-1", "13800000000", "100"),
                                       ("R-2", "13800000000", "50"),
                                       ("R-3", "13822222222", "30")]:
            place_order("shop-1", number, "mobile-cn", target, Decimal(amount))
        place_order("shop-1", "R-test", "mobile-cn", "13800000000", Decimal("200"),
                    test=True)
    run_tasks(shop.app)


def test_totals_come_from_one_grouped_statement_without_test_orders(shop: Shop) -> None:
    _orders(shop)
    with shop.app.transaction(), statements(shop.app.engine) as sent:
        [by_merchant] = order_totals("merchant")
    # the totals, then the codes (SQLite adds exact decimals up in Python: no GROUP BY)
    assert len(sent) == 2 and ("GROUP BY" in sent[0]) == (shop.app.dialect != "sqlite")
    assert (by_merchant.code, by_merchant.orders, by_merchant.succeeded, by_merchant.failed,
            by_merchant.success_rate) == ("shop-1", 3, 2, 1, Decimal("0.6667"))
    assert (by_merchant.amount, by_merchant.charged, by_merchant.cost, by_merchant.profit) \
        == (Decimal(150), Decimal("147.75"), Decimal("145.50"), Decimal("1.50"))
    with shop.app.transaction():
        channels = {t.code: (t.orders, t.succeeded) for t in order_totals("channel")}
    assert channels == {"fake-fixed": (2, 2), "fake-any": (1, 0)}


def test_the_daily_statement_reconciles_with_the_ledger(shop: Shop) -> None:
    _orders(shop)
    today = dt.datetime.now(dt.timezone.utc).date()
    with shop.app.transaction():
        day = daily_statement("shop-1", today)
        before = daily_statement("shop-1", today - dt.timedelta(days=1))
    # the fixture's 1,000.00 top-up; and the test order charged; R-3 released
    assert (day.orders, day.succeeded, day.failed, day.charged) == \
        (4, 3, 1, Decimal("344.75"))
    assert (day.opening, day.credits, day.debits, day.closing, day.reconciled) == \
        (0, Decimal(1000), Decimal("344.75"), Decimal("655.25"), True)
    assert (before.orders, before.closing, before.reconciled) == (0, 0, True)
