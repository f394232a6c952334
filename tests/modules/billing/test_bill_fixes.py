"""Billing bugs the property tests found, fixed: a fixed discount never takes more than its
value (whole minor units); a product-scoped discount reaches that product's usage lines;
nothing over a quota costs nothing, even under a fixed markup."""
from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import given

from modelry.boot import App
from modelry.modules.billing.adjustments import FIXED
from modelry.modules.billing.bill_pricing import (PLAN, BillTerms, DiscountTerms, FeeTerms,
                                                  PeriodUsage, price_bill)
from modelry.modules.billing.bills import BillLine
from modelry.modules.billing.periods import Days, Period
from modelry.modules.billing.plans import Package, PackageQuota
from modelry.modules.billing.runs import run_billing
from tests.modules.billing.offers import make_offers, subscribed
from tests.modules.billing.test_bill_pricing import bills, expected_discounts, expected_lines

D = dt.date
JANUARY = Period(D(2026, 1, 1), D(2026, 2, 1))
FULL = Days(31, 31, 0, 31)


def test_a_fixed_discount_never_takes_more_than_its_value() -> None:
    # 400 JPY less a fixed 5.6: 394.4 rounds half up to 394, so 6 JPY come off (> 5.6)
    fee = FeeTerms("Pro", Decimal(400), "JPY")
    off = DiscountTerms(1, "OFF", FIXED, Decimal("5.6"), PLAN, "pro")
    draft = price_bill(BillTerms("JPY", "pro", None, fee, JANUARY, FULL, None,
                                 discounts=[off]), PeriodUsage())
    assert draft.discount_total <= Decimal("5.6"), draft.discount_total      # got 6
    # 5.00 EUR less a fixed 1.006: 3.994 rounds to 3.99, 1.01 comes off (> 1.006)
    fee = FeeTerms("Pro", Decimal(5), "EUR")
    off = DiscountTerms(1, "OFF", FIXED, Decimal("1.006"), PLAN, "pro")
    draft = price_bill(BillTerms("EUR", "pro", None, fee, JANUARY, FULL, None,
                                 discounts=[off]), PeriodUsage())
    assert draft.discount_total <= Decimal("1.006"), draft.discount_total    # got 1.01


@given(bills(fine_fixed=True))
def test_fixed_discounts_of_any_precision_keep_to_their_value(bill: tuple) -> None:
    terms, usage_ = bill
    before = price_bill(dataclasses.replace(terms, discounts=()), usage_)
    for count, offered in enumerate(terms.discounts, start=1):
        after = price_bill(dataclasses.replace(terms, discounts=terms.discounts[:count]),
                           usage_)
        if offered.kind == FIXED:
            assert before.total - after.total <= offered.value
        before = after


@given(bills(any_product=True))
def test_a_product_discount_takes_off_the_lines_of_its_product(bill: tuple) -> None:
    terms, usage_ = bill
    draft = price_bill(terms, usage_)
    taken = expected_discounts(terms, expected_lines(terms, usage_))
    assert [line.discount_amount for line in draft.lines] == taken


def test_no_overage_costs_nothing_under_a_fixed_markup(billing_app: App) -> None:
    make_offers(billing_app)
    with billing_app.transaction():
        Package.update_where({"code": "data-10"}, markup_kind="FIXED", markup_value=2)
        assert PackageQuota.count() == 1
    subscribed(billing_app, "acme", D(2026, 1, 1), package="data-10")
    with billing_app.transaction():
        run_billing(D(2026, 2, 1))
    overage = BillLine.query_one(kind="OVERAGE")
    assert (overage.quantity, overage.amount) == (0, 0)       # got 0 and 2.00 CNY
