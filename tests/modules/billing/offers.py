"""Plans, packages, customers and subscriptions the billing-run tests build (the issue's
numbers): a 30 EUR monthly plan with a trial month, per-message SMS and seats priced by
volume, and a data package priced in EUR sold in CNY with a markup."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from modelry.boot import App
from modelry.modules.billing.calculator_checks import save_calculator
from modelry.modules.billing.calculator_models import Calculator, CalculatorSegment
from modelry.modules.billing.catalogue import Charge, ExchangeRate, Product
from modelry.modules.billing.plans import Package, PackageQuota, PricePlan
from modelry.modules.billing.subscribing import subscribe
from modelry.modules.billing.subscriptions import Customer


@dataclass
class Offers:
    """What `make_offers` created."""

    pro: Any
    trial: Any
    daily: Any
    data_pack: Any
    sms: Any
    seats: Any
    data: Any


def volume_calculator(code: str = "volume") -> Any:
    """0 to 1,000,000 units at 0.03 EUR each, all units at 0.02 above (stepwise)."""
    return save_calculator(
        Calculator(code=code, name="Volume", currency="EUR", kind="STEPWISE"),
        [CalculatorSegment(lower=0, upper=1_000_000, unit_price=Decimal("0.03")),
         CalculatorSegment(lower=1_000_000, upper=None, unit_price=Decimal("0.02"))])


def make_offers(app: App) -> Offers:
    """The plans and the package, in a transaction of their own."""
    with app.transaction():
        sms = Product(code="sms", name="Text messages", unit="message").create()
        seats = Product(code="seats", name="Seats", unit="seat").create()
        data = Product(code="data", name="Mobile data", unit="GB").create()
        pro = PricePlan(code="pro", name="Pro", currency="EUR", interval="MONTHLY",
                        fee=Decimal("30")).create()
        trial = PricePlan(code="starter", name="Starter", currency="EUR",
                          interval="MONTHLY", fee=Decimal("10"), trial_days=31).create()
        daily = PricePlan(code="daily", name="Day pass", currency="EUR", interval="DAILY",
                          fee=Decimal("1")).create()
        Charge(product=sms.id, plan=pro.id, code="pro-sms", charge_model="STANDARD",
               currency="EUR", unit_price=Decimal("0.05")).create()
        Charge(product=seats.id, plan=pro.id, code="pro-seats", charge_model="VOLUME",
               currency="EUR", calculator=volume_calculator().id,
               aggregation="MAX").create()
        pack = Package(code="data-10", name="10 GB", interval="MONTHLY", price=Decimal("5"),
                       price_currency="EUR", currency="CNY", markup_kind="PERCENT",
                       markup_value=10).create()
        PackageQuota(package=pack.id, product=data.id, quota=10,
                     overage_price=Decimal("0.8")).create()
        ExchangeRate(source="EUR", target="CNY", rate=Decimal("7.8125")).create()
        return Offers(pro, trial, daily, pack, sms, seats, data)


def customer(app: App, code: str, **more: Any) -> Any:
    """A customer (in a transaction of its own)."""
    with app.transaction():
        return Customer(code=code, name=code.title(), **more).create()


def subscribed(app: App, code: str, starts_on: dt.date, **more: Any) -> Any:
    """A new customer `code` subscribed from `starts_on` (in a transaction of its own)."""
    customer(app, code)
    with app.transaction():
        return subscribe(code, starts_on, **more)
