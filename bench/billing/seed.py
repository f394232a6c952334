"""The monthly run's data: a catalogue of two plans and a package, `subs` customers each
with one subscription, and `events` usage events over January 2026, rated.

The catalogue: plan "basic" (10 EUR a month, a 14-day trial; SMS at 0.05 each, storage
priced GRADUATED on the month's SUM), plan "pro" (30 EUR; SMS at 0.04, seats priced by
VOLUME on the month's MAX), package "data-10" (5 EUR sold in CNY at 7.8125 plus 10 %,
10 GB included, 0.80 EUR a GB past it). Subscriptions: 45 % basic, 45 % pro, 10 % the
package; 70 % started in 2025 and billed until 2026-01-01 by earlier runs, 30 % started
in January on anchor day 1 (a prorated stub, a trial on basic); 1 % paused for ten days
in January, 3 % with a discount, 1 % paid for by another customer; 1 % of the customers
have no credit (their first bill suspends them), the others 5,000.

Rows are what `ingest` writes, without its per-batch checks: usage events with their
payload hash (`ingestion.payload_hash`), inserted with `insert_bulk`, then rated by
`rating.rate_events` (the code path `ingest` rates through) into `billing.RatedLine`s.
Values come from a seeded random generator: every run and database holds the same rows.
"""
from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from modelry.boot import App
from modelry.modules.billing.calculator_checks import save_calculator
from modelry.modules.billing.calculator_models import Calculator, CalculatorSegment
from modelry.modules.billing.catalogue import Charge, ExchangeRate, Product
from modelry.modules.billing.discount_models import AppliedDiscount, Discount
from modelry.modules.billing.ingestion import payload_hash
from modelry.modules.billing.plans import Package, PackageQuota, PricePlan
from modelry.modules.billing.rating import EventView, rate_events
from modelry.modules.billing.subscriptions import Customer, Subscription, SubscriptionPause
from modelry.modules.billing.usage import UsageEvent

MONTH = (dt.date(2026, 1, 1), dt.date(2026, 2, 1))
BATCH = 20_000            # events inserted and rated per transaction
D = Decimal


@dataclass
class Tenant:
    """A customer's code, what it is on, and from when its usage counts."""

    code: str
    offer: str            # "basic", "pro" or "data-10"
    since: dt.datetime


@dataclass
class Seeded:
    """What `seed` wrote."""

    subscriptions: int
    events: int
    rated: int
    seconds: float


def catalogue(app: App) -> dict[str, Any]:
    """Products, plans, charges, calculators, the package and the discounts."""
    with app.transaction():
        products = {code: Product(code=code, name=code.title(), unit=unit).create()
                    for code, unit in (("sms", "message"), ("storage", "GB"),
                                       ("seats", "seat"), ("data", "GB"))}
        basic = PricePlan(code="basic", name="Basic", currency="EUR", interval="MONTHLY",
                          fee=D(10), trial_days=14).create()
        pro = PricePlan(code="pro", name="Pro", currency="EUR", interval="MONTHLY",
                        fee=D(30)).create()
        storage = save_calculator(
            Calculator(code="storage", name="Storage", currency="EUR", kind="STEPWISE"),
            [CalculatorSegment(lower=0, upper=50, unit_price=D("0.10")),
             CalculatorSegment(lower=50, upper=None, unit_price=D("0.05"))])
        seats = save_calculator(
            Calculator(code="seats", name="Seats", currency="EUR", kind="STEPWISE"),
            [CalculatorSegment(lower=0, upper=10, unit_price=D(5)),
             CalculatorSegment(lower=10, upper=None, unit_price=D(4))])
        Charge.insert_bulk([
            {"product": products["sms"].id, "plan": basic.id, "code": "basic-sms",
             "charge_model": "STANDARD", "currency": "EUR", "unit_price": D("0.05")},
            {"product": products["storage"].id, "plan": basic.id, "code": "basic-storage",
             "charge_model": "GRADUATED", "currency": "EUR", "calculator": storage.id,
             "aggregation": "SUM"},
            {"product": products["sms"].id, "plan": pro.id, "code": "pro-sms",
             "charge_model": "STANDARD", "currency": "EUR", "unit_price": D("0.04")},
            {"product": products["seats"].id, "plan": pro.id, "code": "pro-seats",
             "charge_model": "VOLUME", "currency": "EUR", "calculator": seats.id,
             "aggregation": "MAX"}])
        pack = Package(code="data-10", name="10 GB", interval="MONTHLY", price=D(5),
                       price_currency="EUR", currency="CNY", markup_kind="PERCENT",
                       markup_value=10).create()
        PackageQuota(package=pack.id, product=products["data"].id, quota=10,
                     overage_price=D("0.8")).create()
        ExchangeRate(source="EUR", target="CNY", rate=D("7.8125")).create()
        half = Discount(code="HALF", name="Half the plan", kind="PERCENT", value=50,
                        duration="ONCE", scope="PLAN", scope_code="pro").create()
        five = Discount(code="FIVE", name="5 off", kind="FIXED", value=5,
                        duration="FOREVER").create()
    return {"products": {code: p.id for code, p in products.items()},
            "offers": {"basic": ("plan", basic.id, 14), "pro": ("plan", pro.id, 0),
                       "data-10": ("package", pack.id, 0)},
            "discounts": (half.id, five.id)}


def subscriptions(app: App, made: dict[str, Any], count: int, rng: random.Random
                  ) -> list[Tenant]:
    """`count` customers, one subscription each, as `subscribe` writes them; the tenants."""
    offers = ["basic"] * 9 + ["pro"] * 9 + ["data-10"] * 2
    rows, tenants = [], []
    for n in range(count):
        code, offer = f"c{n:06d}", offers[n % len(offers)]
        kind, offer_id, trial_days = made["offers"][offer]
        if rng.random() < 0.7:
            starts, anchor, billed = dt.date(2025, rng.randint(1, 12), 1), None, MONTH[0]
        else:
            starts, anchor, billed = dt.date(2026, 1, rng.randint(2, 28)), 1, None
        rows.append({"customer": n + 1, "plan": offer_id if kind == "plan" else None,
                     "package": offer_id if kind == "package" else None,
                     "payer": 1 if n and n % 100 == 50 else None,
                     "starts_on": starts, "anchor_day": anchor, "billed_until": billed,
                     "trial_ends_on": starts + dt.timedelta(days=trial_days)
                     if trial_days else None})
        tenants.append(Tenant(code, offer, dt.datetime.combine(max(starts, MONTH[0]),
                                                               dt.time())))
    with app.transaction():
        Customer.insert_bulk([{"id": n + 1, "code": t.code, "name": f"Customer {n}",
                               "credit_limit": 0 if n % 100 == 99 else 5_000}
                              for n, t in enumerate(tenants)])
        ids = Subscription.insert_bulk(rows, returning_ids=True)
        old = [i for i, row in zip(ids, rows) if row["billed_until"] is not None]
        SubscriptionPause.insert_bulk([
            {"subscription": i, "paused_on": dt.date(2026, 1, 10),
             "resumed_on": dt.date(2026, 1, 20)} for i in old[::100]])
        AppliedDiscount.insert_bulk([
            {"subscription": i, "discount": made["discounts"][n % 2]}
            for n, i in enumerate(ids[7::33])])
    return tenants


def _quantity(product: str, rng: random.Random) -> Decimal:
    if product == "sms":
        return D(rng.randint(1, 5))
    if product == "seats":
        return D(rng.randint(1, 40))
    return D(rng.randint(1, 100 if product == "storage" else 50)).scaleb(-2 if product ==
                                                                         "data" else -1)


def usage(app: App, made: dict[str, Any], tenants: list[Tenant], count: int,
          rng: random.Random, progress: Callable[[str], None]) -> int:
    """`count` events over the month (SMS, and the offer's metered product), each
    tenant's after its start, inserted and rated in batches; the rated lines written."""
    products, end = made["products"], dt.datetime.combine(MONTH[1], dt.time())
    other = {"basic": "storage", "pro": "seats", "data-10": "data"}
    rated = 0
    for start in range(0, count, BATCH):
        rows = []
        for n in range(start, min(start + BATCH, count)):
            tenant = tenants[int(len(tenants) * rng.random() ** 1.5)]   # some use more
            product = "data" if tenant.offer == "data-10" else \
                other[tenant.offer] if rng.random() < 0.25 else "sms"
            span = int((end - tenant.since).total_seconds())
            event = {"tenant": tenant.code, "source": "meter", "event_id": f"e{n:08d}",
                     "product": product, "quantity": _quantity(product, rng),
                     "timestamp": tenant.since + dt.timedelta(seconds=rng.randrange(span))}
            rows.append({**event, "product": products[product],
                         "payload_hash": payload_hash(event)})
        with app.transaction():
            ids = UsageEvent.insert_bulk(rows, returning_ids=True)
            done = rate_events([EventView(i, row["product"], row["timestamp"],
                                          row["quantity"], None, row["tenant"])
                                for i, row in zip(ids, rows)], fresh=True)
        rated += sum(done.lines.values())
        if (start + len(rows)) % (10 * BATCH) == 0 or start + len(rows) == count:
            progress(f"  {start + len(rows):,} events, {rated:,} rated lines")
    return rated


def seed(app: App, subs: int, events: int, progress: Callable[[str], None] = print
         ) -> Seeded:
    """The whole data set (module docstring), on `app`'s empty tables."""
    began = time.perf_counter()
    rng = random.Random(16)
    made = catalogue(app)
    tenants = subscriptions(app, made, subs, rng)
    rated = usage(app, made, tenants, events, rng, progress)
    return Seeded(subs, events, rated, time.perf_counter() - began)
