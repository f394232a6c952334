"""What a run reads of usage: unique counts and last values per period, a plan's charges
rate only its subscribers, a charge without a plan is billed once per customer, a bill
that cannot be priced is left unbilled and named; 8 concurrent runs bill each period once;
`simulate` prices the same way and writes nothing."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from modelry import DataError, directives, messages
from modelry.boot import App
from modelry.modules.billing.bills import Bill, BillLine
from modelry.modules.billing.catalogue import Charge, ExchangeRate
from modelry.modules.billing.ingestion import ingest
from modelry.modules.billing.plans import PricePlan
from modelry.modules.billing.rated import RatedLine
from modelry.modules.billing.runs import run_billing
from modelry.modules.billing.simulation import simulate
from modelry.modules.billing.usage import UsageRecord
from tests.modules.billing.offers import make_offers, subscribed, volume_calculator
from tests.modules.billing.test_runs import D, lines_of, usage
from tests.threads import THREADS, run_threads


def _users_plan(app: App, offers: Any) -> None:
    with app.transaction():
        plan = PricePlan(code="team", name="Team", currency="EUR", fee=0).create()
        Charge(product=offers.seats.id, plan=plan.id, code="active-users",
               charge_model="VOLUME", currency="EUR", calculator=volume_calculator("u").id,
               aggregation="UNIQUE_COUNT", aggregation_property="user").create()
        Charge(product=offers.sms.id, plan=plan.id, code="last-level",
               charge_model="GRADUATED", currency="EUR", calculator=volume_calculator("l").id,
               aggregation="LAST").create()


def test_unique_counts_and_last_values_per_period(billing_app: App) -> None:
    offers = make_offers(billing_app)
    _users_plan(billing_app, offers)
    sub = subscribed(billing_app, "acme", D(2026, 1, 1), plan="team")
    with billing_app.transaction():
        ingest([usage("acme", f"u{n}", "seats", D(2026, 1, 1 + n), 1,
                      properties={"user": user})
                for n, user in enumerate(["ann", "bob", "ann", 7, "7", "cy"])] +
               [usage("acme", "l1", "sms", D(2026, 1, 3), 500),
                usage("acme", "l2", "sms", D(2026, 1, 20), 300),
                usage("acme", "l3", "sms", D(2026, 2, 2), 900)])
        run_billing(D(2026, 2, 1))
    [bill] = Bill.query_list(subscription=sub.id)
    assert lines_of(bill)[1:] == [("USAGE", "active-users: 4", Decimal("0.12"), 0,
                                   Decimal("0.12")),
                                  ("USAGE", "last-level: 300", Decimal("9.00"), 0,
                                   Decimal("9.00"))]


def test_a_plans_charge_rates_only_its_subscribers_and_a_global_one_bills_once(
        billing_app: App) -> None:
    offers = make_offers(billing_app)
    with billing_app.transaction():
        Charge(product=offers.sms.id, code="sms-tax", charge_model="STANDARD",
               currency="EUR", unit_price=Decimal("0.01")).create()
    pro = subscribed(billing_app, "acme", D(2026, 1, 1), plan="pro")
    with billing_app.transaction():
        daily = subscribed(billing_app, "acme-2", D(2026, 1, 1), plan="daily")
        ingest([usage("acme", "a", "sms", D(2026, 1, 3), 10),
                usage("acme-2", "b", "sms", D(2026, 1, 3), 10),
                usage("nobody", "c", "sms", D(2026, 1, 3), 10)])
        codes = sorted((line.tenant, Charge.query_by_id(line.charge_id).code)
                       for line in RatedLine.query_list())
        run_billing(D(2026, 2, 1))
    assert codes == [("acme", "pro-sms"), ("acme", "sms-tax"), ("acme-2", "sms-tax"),
                     ("nobody", "sms-tax")]
    [bill] = Bill.query_list(subscription=pro.id)
    assert [line[1] for line in lines_of(bill)] == \
        ["Pro, 2026-01-01 to 2026-01-31", "pro-sms: 10", "sms-tax: 10"]
    day_three = Bill.query_one(subscription=daily.id, period_start=D(2026, 1, 3))
    assert [line[1] for line in lines_of(day_three)] == \
        ["Day pass, 2026-01-03 to 2026-01-03", "sms-tax: 10"]


def test_a_bill_that_cannot_be_priced_is_left_unbilled_and_named(billing_app: App) -> None:
    make_offers(billing_app)
    sub = subscribed(billing_app, "acme", D(2026, 1, 1), package="data-10")
    fine = subscribed(billing_app, "other", D(2026, 1, 1), plan="pro")
    with billing_app.transaction():
        ExchangeRate.delete_batch(ExchangeRate.query_list())
        with messages.collecting([]) as said:
            run = run_billing(D(2026, 2, 1))
    assert (run.bills, run.failed) == (1, 1)
    assert Bill.count(subscription=sub.id) == 0 and Bill.count(subscription=fine.id) == 1
    assert [(m["code"], m["model"]) for m in said] == \
        [("FX_RATE_MISSING", "billing.Subscription")]
    assert f"billing.Subscription {sub.id} not billed: billing.Package 'data-10': no " \
        "billing.ExchangeRate EUR→CNY" == said[0]["message"]
    with billing_app.transaction():
        ExchangeRate(source="EUR", target="CNY", rate=Decimal("7.8")).create()
        assert run_billing(D(2026, 2, 1)).bills == 1          # billed once it can be


def test_eight_concurrent_runs_bill_each_period_once(make_app: Callable[..., App]) -> None:
    app = make_app(["billing"], pool_size=THREADS + 2, pool_pre_ping=False)
    with app.activate(), directives.backend_scope():
        make_offers(app)
        for n in range(30):
            subscribed(app, f"c{n}", D(2026, 1, 1 + n % 20), plan="pro" if n % 3 else "daily",
                       anchor_day=None if n % 2 else 5)

    def work(thread: int) -> int:
        with app.activate(), directives.backend_scope():
            return run_billing(D(2026, 3, 1 + thread % 3)).bills

    made = run_threads(THREADS, work)
    with app.activate():
        keys = [(b.subscription_id, b.period_start) for b in Bill.query_list()]
        again = run_billing(D(2026, 3, 3)).bills
    assert len(keys) == len(set(keys)) == sum(made) > 0 and again == 0


def test_simulate_prices_a_usage_set_and_writes_nothing(billing_app: App) -> None:
    make_offers(billing_app)
    records = [UsageRecord(product="sms", quantity=120,
                           timestamp=dt.datetime(2026, 1, 3, 12)),
               UsageRecord(product="seats", quantity=40, timestamp=dt.datetime(2026, 1, 9)),
               UsageRecord(product="seats", quantity=12, timestamp=dt.datetime(2026, 1, 2))]
    with billing_app.transaction():
        lines = simulate("pro", records, D(2026, 1, 1))
        pack = simulate("data-10", [UsageRecord(product="data", quantity=Decimal("12.5"))],
                        D(2026, 1, 1))
    assert [(line.kind, line.description, line.net) for line in lines] == [
        ("FEE", "Pro, 2026-01-01 to 2026-01-31", Decimal(30)),
        ("USAGE", "pro-sms: 120", Decimal("6.00")),
        ("USAGE", "pro-seats: 40", Decimal("1.20"))]
    assert [line.net for line in pack] == [Decimal("42.97"), Decimal("17.19")]
    assert Bill.count() == 0 and BillLine.count() == 0 and RatedLine.count() == 0


@pytest.mark.parametrize(("plan", "product", "code"), [
    ("nothing", "sms", "OFFER_NOT_FOUND"), ("pro", "gold", "PRODUCT_UNKNOWN")])
def test_simulate_names_what_it_cannot_price(billing_app: App, plan: str, product: str,
                                             code: str) -> None:
    make_offers(billing_app)
    with pytest.raises(DataError) as refused, billing_app.transaction():
        simulate(plan, [UsageRecord(product=product, quantity=1)], D(2026, 1, 1))
    assert refused.value.code == code
