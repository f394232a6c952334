"""Fixtures of the billing database tests: the module booted alone on each test database,
and a small catalogue (the issue's numbers)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from modelry import directives
from modelry.boot import App
from modelry.modules.billing.catalogue import (Charge, ChargeTimeSegment, ExchangeRate,
                                               Product)


@dataclass
class Catalogue:
    """SMS priced by time of day (00:00–06:00 at 0.02, then 0.03 EUR), and data sold in
    packages of 10 GB at 4.99 EUR, billed in CNY at 7.8125 with a 10 % markup."""

    sms: Any
    data: Any
    sms_by_time: Any
    data_packages: Any


@pytest.fixture
def billing_app(make_app: Callable[..., App]) -> Iterator[App]:
    """The billing module alone, tables empty, active in this test, back-end directives."""
    app = make_app(["billing"])
    with app.activate(), directives.backend_scope():
        yield app


def make_catalogue(app: App) -> Catalogue:
    """Create the catalogue (in a transaction of its own)."""
    with app.transaction():
        sms = Product(code="sms", name="Text messages", unit="message").create()
        data = Product(code="data", name="Mobile data", unit="GB").create()
        by_time = Charge(product=sms.id, code="sms-by-time", charge_model="TIME_OF_DAY",
                         currency="EUR").create()
        ChargeTimeSegment.insert_bulk([
            {"charge": by_time.id, "start_time": dt.time(0), "end_time": dt.time(6),
             "unit_price": Decimal("0.02")},
            {"charge": by_time.id, "start_time": dt.time(6), "end_time": None,
             "unit_price": Decimal("0.03")}])
        packages = Charge(product=data.id, code="data-packages", charge_model="PACKAGE",
                          currency="EUR", sell_currency="CNY", package_size=10,
                          package_price=Decimal("4.99"), markup_kind="PERCENT",
                          markup_value=10).create()
        ExchangeRate(source="EUR", target="CNY", rate=Decimal("7.8125")).create()
        return Catalogue(sms, data, by_time, packages)


@pytest.fixture
def catalogue(billing_app: App) -> Catalogue:
    """The catalogue on the booted module."""
    return make_catalogue(billing_app)


def event(event_id: str, product: str = "sms", hour: int = 3, quantity: Any = 100,
          tenant: str = "acme", **more: Any) -> dict[str, Any]:
    """An input usage event of 2026-01-05 at `hour`:00 UTC."""
    return dict(tenant=tenant, source="gateway", event_id=event_id, product=product,
                timestamp=dt.datetime(2026, 1, 5, hour), quantity=quantity, **more)
