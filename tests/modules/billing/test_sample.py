"""The demo's billing sample: loaded once; last month billed (a trial stub at 0, Ann's
month at half price once, Bob's package in yuan with its overage)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from modelry.boot import App
from modelry.modules.billing.bills import Bill, BillStatus
from modelry.modules.billing.sample import load_sample_data
from modelry.modules.billing.subscriptions import Customer


def test_the_sample_bills_last_month_once(billing_app: App) -> None:
    with billing_app.transaction():
        assert load_sample_data(dt.date(2026, 12, 5)) == 3
        assert load_sample_data(dt.date(2026, 12, 5)) == 0
    bills = [(b.customer_id, b.period_start, b.total, b.currency, b.status)
             for b in Bill.query_list(sort="id")]
    ann, bob = (Customer.query_one(code=code).id for code in ("ann", "bob"))
    assert bills == [
        (ann, dt.date(2026, 10, 18), 0, "EUR", BillStatus.PAID),
        (ann, dt.date(2026, 11, 1), Decimal("64.65"), "EUR", BillStatus.OPEN),
        (bob, dt.date(2026, 11, 1), Decimal("60.16"), "CNY", BillStatus.OPEN)]
