"""Whose bill a customer's usage goes on (`ownership`), found by the property tests: a
product-scoped discount takes off a plan's usage; a period charge without a plan is billed
once per customer; usage after a first subscription ended goes on the running one; two
subscriptions to one plan bill its usage once."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal


from modelry.boot import App
from modelry.modules.billing.bills import Bill, BillLine
from modelry.modules.billing.catalogue import Charge, Product
from modelry.modules.billing.discount_models import AppliedDiscount, Discount
from modelry.modules.billing.ingestion import ingest
from modelry.modules.billing.runs import run_billing
from modelry.modules.billing.subscribing import subscribe
from tests.modules.billing.offers import customer, make_offers, subscribed, volume_calculator
from tests.modules.billing.test_runs import usage

D = dt.date


def test_a_product_discount_on_a_plan_usage(billing_app: App) -> None:
    make_offers(billing_app)
    sub = subscribed(billing_app, "acme", D(2026, 1, 1), plan="pro")
    with billing_app.transaction():
        sms_half = Discount(code="SMS", name="Half-price texts", kind="PERCENT", value=50,
                            duration="ONCE", scope="PRODUCT", scope_code="sms").create()
        AppliedDiscount(subscription=sub.id, discount=sms_half.id).create()
        ingest([usage("acme", "s1", "sms", D(2026, 1, 3), 120)])
        run_billing(D(2026, 2, 1))
    [bill] = Bill.query_list(subscription=sub.id)
    sms = BillLine.query_one(bill=bill.id, kind="USAGE")
    # 120 texts at 0.05 = 6.00, half off: expected 3.00 off
    assert (sms.amount, sms.discount_amount, sms.net) == \
        (Decimal("6.00"), Decimal("3.00"), Decimal("3.00"))
    assert AppliedDiscount.query_one(subscription=sub.id).periods_used == 1


def test_a_plan_less_period_charge_is_billed_once(billing_app: App) -> None:
    make_offers(billing_app)
    with billing_app.transaction():
        storage = Product(code="storage", name="Storage", unit="GB").create()
        Charge(product=storage.id, code="storage", charge_model="VOLUME", currency="EUR",
               calculator=volume_calculator("storage").id, aggregation="MAX").create()
    customer(billing_app, "acme")
    with billing_app.transaction():
        subscribe("acme", D(2026, 1, 1), plan="pro")
        subscribe("acme", D(2026, 1, 1), plan="daily")
        ingest([usage("acme", "g1", "storage", D(2026, 1, 5), 100)])
        run_billing(D(2026, 2, 1))
    storage_lines = [(line.description, line.amount) for line in BillLine.query_list()
                     if line.description.startswith("storage")]
    # 100 GB at 0.03 = 3.00, once
    assert storage_lines == [("storage: 100", Decimal("3.00"))]


def test_plan_less_usage_after_the_first_subscription_ended_is_billed(
        billing_app: App) -> None:
    make_offers(billing_app)
    with billing_app.transaction():
        storage = Product(code="storage", name="Storage", unit="GB").create()
        Charge(product=storage.id, code="storage", charge_model="STANDARD", currency="EUR",
               unit_price=Decimal(1)).create()
    customer(billing_app, "acme")
    with billing_app.transaction():
        subscribe("acme", D(2026, 1, 1), plan="pro", ends_on=D(2026, 2, 1))
        later = subscribe("acme", D(2026, 2, 1), plan="pro")
        ingest([usage("acme", "g1", "storage", D(2026, 2, 10), 10)])
        run_billing(D(2026, 3, 1))
    [february] = Bill.query_list(subscription=later.id)
    # 10 GB at 1 EUR on 2026-02-10: on the February bill
    assert [line.description for line in BillLine.query_list(bill=february.id)] == \
        ["Pro, 2026-02-01 to 2026-02-28", "storage: 10"]


def test_two_subscriptions_to_one_plan_bill_its_usage_once(billing_app: App) -> None:
    make_offers(billing_app)
    customer(billing_app, "acme")
    with billing_app.transaction():
        subscribe("acme", D(2026, 1, 1), plan="pro", site="paris")
        subscribe("acme", D(2026, 1, 1), plan="pro", site="tokyo")
        ingest([usage("acme", "s1", "sms", D(2026, 1, 3), 100)])
        run_billing(D(2026, 2, 1))
    sms = [line.amount for line in BillLine.query_list(kind="USAGE")]
    assert sum(sms) == Decimal("5.00"), sms      # 100 texts at 0.05, once
