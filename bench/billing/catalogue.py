"""The benchmark's catalogue and usage: products priced the ways a real catalogue prices
them (STANDARD, PACKAGE, PERCENTAGE, TIME_OF_DAY; some sold in another currency with a
markup, some with two charges), and batches of usage events spread over them."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from modelry.boot import App

FAMILIES = 4     # copies of each kind of product


@dataclass(frozen=True)
class Kind:
    """A kind of product: its code prefix, and whether its events carry an amount."""

    prefix: str
    amount: bool = False


KINDS = (Kind("sms"), Kind("voice"), Kind("data"), Kind("api"), Kind("payment", amount=True),
         Kind("storage"))


def seed(app: App) -> dict[str, tuple[int, list[int]]]:
    """Create the catalogue (one transaction); per product code, its id and its charges'."""
    from modelry.modules.billing.catalogue import (Charge, ChargeTimeSegment, ExchangeRate,
                                                   Product)
    made: dict[str, tuple[int, list[int]]] = {}
    with app.activate(), app.transaction():
        ExchangeRate.insert_bulk([
            {"source": "EUR", "target": "CNY", "rate": Decimal("7.8125")},
            {"source": "EUR", "target": "USD", "rate": Decimal("1.0842")},
            {"source": "USD", "target": "EUR", "rate": Decimal("0.9223")}])
        for family in range(FAMILIES):
            for kind in KINDS:
                code = f"{kind.prefix}-{family}"
                product = Product(code=code, name=code, unit="unit").create()
                made[code] = (product.id, [])
                for charge in _charges(kind.prefix, code):
                    segments = charge.pop("segments", [])
                    number = Charge(product=product.id, **charge).create().id
                    made[code][1].append(number)
                    ChargeTimeSegment.insert_bulk([
                        {"charge": number, "start_time": start, "end_time": end,
                         "unit_price": Decimal(price)} for start, end, price in segments])
    return made


def _charges(prefix: str, code: str) -> list[dict[str, Any]]:
    """The per-event charges of a product of kind `prefix`."""
    if prefix == "sms":      # by time of day, in the customer's zone; plus a carrier fee
        return [{"code": f"{code}-tod", "charge_model": "TIME_OF_DAY", "currency": "EUR",
                 "zone": "Europe/Paris",
                 "segments": [(dt.time(0), dt.time(6), "0.02"), (dt.time(6), None, "0.03")]},
                {"code": f"{code}-fee", "charge_model": "STANDARD", "currency": "EUR",
                 "unit_price": Decimal("0.0015")}]
    if prefix == "voice":    # by time of day, priced in EUR, sold in USD with 15 % markup
        return [{"code": f"{code}-tod", "charge_model": "TIME_OF_DAY", "currency": "EUR",
                 "sell_currency": "USD", "markup_kind": "PERCENT", "markup_value": 15,
                 "segments": [(dt.time(0), dt.time(8), "0.0009"),
                              (dt.time(8), dt.time(20), "0.0021"),
                              (dt.time(20), None, "0.0012")]}]
    if prefix == "data":     # packages of 10 GB at 4.99 EUR, sold in CNY with 10 % markup
        return [{"code": f"{code}-pkg", "charge_model": "PACKAGE", "currency": "EUR",
                 "sell_currency": "CNY", "package_size": 10, "package_price": Decimal("4.99"),
                 "free_units": 1, "markup_kind": "PERCENT", "markup_value": 10}]
    if prefix == "api":
        return [{"code": f"{code}-std", "charge_model": "STANDARD", "currency": "USD",
                 "unit_price": Decimal("0.0004")}]
    if prefix == "payment":  # 1.4 % of the amount, at least 0.25, at most 5
        return [{"code": f"{code}-pct", "charge_model": "PERCENTAGE", "currency": "EUR",
                 "percentage_rate": Decimal("1.4"), "percentage_min": Decimal("0.25"),
                 "percentage_max": 5}]
    # storage: per GB in USD sold in EUR with a fixed 0.01 markup, and a -20 % promotion
    return [{"code": f"{code}-std", "charge_model": "STANDARD", "currency": "USD",
             "sell_currency": "EUR", "unit_price": Decimal("0.023"), "markup_kind": "FIXED",
             "markup_value": Decimal("0.01")},
            {"code": f"{code}-promo", "charge_model": "STANDARD", "currency": "EUR",
             "unit_price": Decimal("0.005"), "markup_kind": "PERCENT", "markup_value": -20}]


def events(tag: str, size: int) -> list[dict[str, Any]]:
    """A batch of `size` distinct usage events of January 2026, keyed (and drawn) by
    `tag`."""
    rng = random.Random(tag)
    start = dt.datetime(2026, 1, 1)
    batch = []
    for n in range(size):
        kind = KINDS[rng.randrange(len(KINDS))]
        event = {"tenant": f"tenant-{rng.randrange(100)}", "source": "gateway",
                 "event_id": f"{tag}-{n}",
                 "product": f"{kind.prefix}-{rng.randrange(FAMILIES)}",
                 "timestamp": start + dt.timedelta(seconds=rng.randrange(31 * 86_400)),
                 "quantity": Decimal(rng.randrange(1, 5_000)) / 100,
                 "properties": {"region": rng.choice(("eu", "us", "apac")),
                                "cell": rng.randrange(1_000)}}
        if kind.amount:
            event["amount"] = Decimal(rng.randrange(100, 100_000)) / 100
        batch.append(event)
    return batch
