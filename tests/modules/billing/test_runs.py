"""Billing runs with the issue's cases: a monthly fee with usage, a trial month at 0, a
pause and resume on one day, an anchor day, a package priced in EUR sold in CNY with its
rate and markup on the line, volume seats by their maximum, a discount shown as the
price and what came off; one bill per subscription and period however often it runs."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from modelry.boot import App
from modelry.modules.billing.bills import Bill, BillLine, BillStatus
from modelry.modules.billing.discount_models import AppliedDiscount, Discount
from modelry.modules.billing.ingestion import ingest
from modelry.modules.billing.runs import run_billing
from modelry.modules.billing.subscribing import pause, resume
from modelry.modules.billing.subscriptions import Customer
from tests.modules.billing.offers import make_offers, subscribed

D = dt.date


def usage(tenant: str, event_id: str, product: str, day: dt.date, quantity: object,
          **more: object) -> dict:
    return dict(tenant=tenant, source="meter", event_id=event_id, product=product,
                timestamp=dt.datetime.combine(day, dt.time(12)), quantity=quantity, **more)


def lines_of(bill: object) -> list[tuple]:
    return [(line.kind.value, line.description, line.amount, line.discount_amount, line.net)
            for line in BillLine.query_list(bill=bill.id, sort="position")]


def test_a_monthly_bill_holds_the_fee_and_the_usage_of_the_plan(billing_app: App) -> None:
    make_offers(billing_app)
    sub = subscribed(billing_app, "acme", D(2026, 1, 1), plan="pro")
    with billing_app.transaction():
        ingest([usage("acme", "s1", "sms", D(2026, 1, 3), 100),
                usage("acme", "s2", "sms", D(2026, 1, 30), 20),
                usage("acme", "s3", "sms", D(2026, 2, 1), 7),          # next period
                usage("acme", "k1", "seats", D(2026, 1, 2), 12),
                usage("acme", "k2", "seats", D(2026, 1, 9), 40),       # the most seats
                usage("acme", "k3", "seats", D(2026, 1, 20), 25)])
        run = run_billing(D(2026, 2, 1))
    assert (run.bills, run.subscriptions, run.failed) == (1, 1, 0)
    [bill] = Bill.query_list(subscription=sub.id)
    assert (bill.period_start, bill.period_end, bill.status) == \
        (D(2026, 1, 1), D(2026, 2, 1), BillStatus.OPEN)
    assert lines_of(bill) == [
        ("FEE", "Pro, 2026-01-01 to 2026-01-31", Decimal(30), 0, Decimal(30)),
        ("USAGE", "pro-sms: 120", Decimal("6.00"), 0, Decimal("6.00")),
        ("USAGE", "pro-seats: 40", Decimal("1.20"), 0, Decimal("1.20"))]
    assert bill.total == Decimal("37.20") and bill.total == sum(line[4] for line in lines_of(bill))
    assert Customer.query_one(code="acme").arrears == Decimal("37.20")


def test_rerunning_and_running_later_bill_each_period_once(billing_app: App) -> None:
    make_offers(billing_app)
    sub = subscribed(billing_app, "acme", D(2026, 1, 20), plan="pro", anchor_day=5)
    with billing_app.transaction():
        first = run_billing(D(2026, 3, 5))
        again = run_billing(D(2026, 3, 5))
        later = run_billing(D(2026, 3, 10))
    assert (first.bills, again.bills, later.bills) == (2, 0, 0)
    bills = Bill.query_list(subscription=sub.id, sort="period_start")
    assert [(b.period_start, b.period_end, b.total) for b in bills] == [
        (D(2026, 1, 20), D(2026, 2, 5), Decimal("15.48")),     # 16 of 31 days of 30 EUR
        (D(2026, 2, 5), D(2026, 3, 5), Decimal("30.00"))]
    assert lines_of(bills[0])[0][1] == "Pro, 2026-01-20 to 2026-02-04 (16 of 31 days)"


def test_a_trial_month_prices_the_fee_at_zero(billing_app: App) -> None:
    make_offers(billing_app)
    sub = subscribed(billing_app, "acme", D(2026, 1, 1), plan="starter")
    with billing_app.transaction():
        run_billing(D(2026, 3, 1))
    first, second = Bill.query_list(subscription=sub.id, sort="period_start")
    assert lines_of(first) == [("FEE", "Starter, 2026-01-01 to 2026-01-31 (trial)", 0, 0, 0)]
    assert first.total == 0 and second.total == Decimal("10.00")


def test_a_pause_and_resume_on_one_day_bills_that_day_once(billing_app: App) -> None:
    make_offers(billing_app)
    same = subscribed(billing_app, "same", D(2026, 1, 1), plan="daily")
    longer = subscribed(billing_app, "longer", D(2026, 1, 1), plan="daily")
    with billing_app.transaction():
        pause(same.id, D(2026, 1, 2))
        resume(same.id, D(2026, 1, 2))
        pause(longer.id, D(2026, 1, 2))
        resume(longer.id, D(2026, 1, 4))
        run_billing(D(2026, 1, 6))
    assert [b.total for b in Bill.query_list(subscription=same.id, sort="period_start")] \
        == [Decimal("1.00")] * 5
    assert [b.total for b in Bill.query_list(subscription=longer.id, sort="period_start")] \
        == [Decimal("1.00"), Decimal("1.00"), Decimal("0.00"), Decimal("1.00"),
            Decimal("1.00")]


def test_a_package_in_euro_sold_in_yuan_keeps_its_rate_and_markup(billing_app: App) -> None:
    make_offers(billing_app)
    sub = subscribed(billing_app, "acme", D(2026, 1, 1), package="data-10")
    with billing_app.transaction():
        ingest([usage("acme", "d1", "data", D(2026, 1, 5), 8),
                usage("acme", "d2", "data", D(2026, 1, 25), Decimal("4.5"))])
        run_billing(D(2026, 2, 1))
    [bill] = Bill.query_list(subscription=sub.id)
    fee, overage = BillLine.query_list(bill=bill.id, sort="position")
    # 5 EUR × 7.8125 = 39.0625 CNY + 10 % = 42.96875 → 42.97
    assert (fee.amount, fee.currency, fee.fx_rate, fee.markup_value) == \
        (Decimal("42.97"), "CNY", Decimal("7.8125"), 10)
    # 2.5 GB past the quota × 0.8 EUR = 2 EUR × 7.8125 = 15.625 + 10 % = 17.1875 → 17.19
    assert (overage.description, overage.quantity, overage.amount) == \
        ("data: 12.5 used, 10 included", Decimal("2.5"), Decimal("17.19"))
    assert bill.total == Decimal("60.16") and bill.currency == "CNY"


def test_a_discount_shows_the_price_and_what_came_off_once(billing_app: App) -> None:
    make_offers(billing_app)
    sub = subscribed(billing_app, "acme", D(2026, 1, 1), plan="pro")
    with billing_app.transaction():
        half = Discount(code="HALF", name="Half price", kind="PERCENT", value=50,
                        duration="ONCE", scope="PLAN", scope_code="pro").create()
        AppliedDiscount(subscription=sub.id, discount=half.id).create()
        run_billing(D(2026, 3, 1))
    first, second = Bill.query_list(subscription=sub.id, sort="period_start")
    [fee] = BillLine.query_list(bill=first.id)
    assert (fee.amount, fee.discount_amount, fee.net, fee.label) == \
        (Decimal(30), Decimal(15), Decimal(15), "15.00 (50% off)")
    assert (first.total, first.discount_total, second.total) == \
        (Decimal(15), Decimal(15), Decimal(30))
    assert AppliedDiscount.query_one(subscription=sub.id).periods_used == 1


def test_a_company_pays_for_its_staff(billing_app: App) -> None:
    make_offers(billing_app)
    subscribed(billing_app, "corp", D(2026, 1, 1), plan="pro")
    staff = subscribed(billing_app, "ann", D(2026, 1, 1), plan="pro", payer="corp")
    with billing_app.transaction():
        run_billing(D(2026, 2, 1))
    [bill] = Bill.query_list(subscription=staff.id)
    corp = Customer.query_one(code="corp")
    assert bill.payer_id == corp.id and bill.customer_id != corp.id
    assert corp.arrears == Decimal(60) and Customer.query_one(code="ann").arrears == 0
