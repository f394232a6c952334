"""Sample data for `modelry serve --demo`: text messages priced by time of day, seats
priced by volume on the most seats used, a Pro plan with a trial, a data package priced
in euro sold in yuan, two customers (Ann pays from her wallet when the account module is
installed) with last month's usage rated and billed, and a discount."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from modelry.modules.billing.calculator_checks import save_calculator
from modelry.modules.billing.calculator_models import Calculator, CalculatorSegment
from modelry.modules.billing.catalogue import (Charge, ChargeTimeSegment, ExchangeRate,
                                               Product)
from modelry.modules.billing.discount_models import AppliedDiscount, Discount
from modelry.modules.billing.ingestion import ingest
from modelry.modules.billing.plans import Package, PackageQuota, PricePlan
from modelry.modules.billing.runs import run_billing
from modelry.modules.billing.subscribing import subscribe
from modelry.modules.billing.subscriptions import Customer


def _catalogue() -> None:
    sms = Product(code="sms", name="Text messages", unit="message").create()
    seats = Product(code="seats", name="Seats", unit="seat").create()
    data = Product(code="data", name="Mobile data", unit="GB").create()
    pro = PricePlan(code="pro", name="Pro", currency="EUR", interval="MONTHLY",
                    fee=Decimal("30"), trial_days=14).create()
    by_time = Charge(product=sms.id, plan=pro.id, code="sms-by-time", currency="EUR",
                     charge_model="TIME_OF_DAY").create()
    ChargeTimeSegment.insert_bulk([
        {"charge": by_time.id, "start_time": dt.time(0), "end_time": dt.time(6),
         "unit_price": Decimal("0.02")},
        {"charge": by_time.id, "start_time": dt.time(6), "end_time": None,
         "unit_price": Decimal("0.03")}])
    volume = save_calculator(
        Calculator(code="seat-volume", name="Seats by volume", currency="EUR",
                   kind="STEPWISE"),
        [CalculatorSegment(lower=0, upper=10, unit_price=Decimal("8")),
         CalculatorSegment(lower=10, upper=None, unit_price=Decimal("6"))])
    Charge(product=seats.id, plan=pro.id, code="seats", currency="EUR",
           charge_model="VOLUME", calculator=volume.id, aggregation="MAX").create()
    package = Package(code="data-10", name="10 GB a month", price=Decimal("5"),
                      price_currency="EUR", currency="CNY", markup_kind="PERCENT",
                      markup_value=10).create()
    PackageQuota(package=package.id, product=data.id, quota=10,
                 overage_price=Decimal("0.8")).create()
    ExchangeRate(source="EUR", target="CNY", rate=Decimal("7.8125")).create()
    Discount(code="WELCOME", name="Welcome: half price once", kind="PERCENT", value=50,
             duration="ONCE", scope="PLAN", scope_code="pro").create()


def load_sample_data(today: dt.date | None = None) -> int:
    """Create the sample catalogue, customers and last month's bills unless the catalogue
    exists; how many bills were made."""
    if Product.count(code="sms"):
        return 0
    today = today or dt.datetime.now(dt.timezone.utc).date()
    month = today.replace(day=1)
    last = (month - dt.timedelta(days=1)).replace(day=1)
    _catalogue()
    Customer(code="ann", name="Ann", currency="EUR", account="ann").create()
    Customer(code="bob", name="Bob", currency="CNY").create()
    pro = subscribe("ann", last - dt.timedelta(days=14), plan="pro", anchor_day=1)
    welcome = Discount.query_one(code="WELCOME")
    AppliedDiscount(subscription=pro.id, discount=welcome.id).create()
    subscribe("bob", last, package="data-10")

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime.combine(last + dt.timedelta(days=day), dt.time(hour))

    ingest([dict(tenant="ann", source="gateway", event_id=f"sms-{n}", product="sms",
                 timestamp=at(n, 3 + 5 * (n % 4)), quantity=40 + n) for n in range(20)] +
           [dict(tenant="ann", source="directory", event_id=f"seats-{n}", product="seats",
                 timestamp=at(n * 7, 9), quantity=seats) for n, seats in enumerate([8, 12, 11])] +
           [dict(tenant="bob", source="network", event_id=f"data-{n}", product="data",
                 timestamp=at(n * 3, 20), quantity=Decimal("1.25")) for n in range(10)])
    return run_billing(month).bills
