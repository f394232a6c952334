"""`simulate(plan, usage)`: what a full period of a plan or package would cost for a set
of usage events, priced exactly as a billing run prices it (the same rating and
`bill_pricing`), without writing anything."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from modelry import DataError, Model, fields, function
from modelry.modules.billing.aggregations import MeteredEvent, aggregate
from modelry.modules.billing.bill_pricing import (BillTerms, LineDraft, PeriodUsage,
                                                  price_bill)
from modelry.modules.billing.catalogue import Product
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.periods import Days, Period, period_containing
from modelry.modules.billing.plans import Package, PricePlan
from modelry.modules.billing.rating import EventView, _price, _pricing_of
from modelry.modules.billing.run_terms import Catalogue, Offer
from modelry.modules.billing.usage import UsageRecord

MAX_EVENTS = 10_000


class PreviewLine(Model, model="billing.PreviewLine", kind="transient"):
    """A line of a simulated bill, as a billing run would write it."""

    kind = fields.String(size=16)
    description = fields.String(size=256)
    quantity = fields.Decimal(24, 6)
    amount = fields.Decimal(24, 8)
    discount_amount = fields.Decimal(24, 8)
    net = fields.Decimal(24, 8)
    currency = fields.String(size=3)
    fx_rate = fields.Decimal(24, 10)


def _refused(error: PricingError, offer: str) -> DataError:
    return DataError(f"billing.PricePlan {offer!r}: {error.message}", code=error.code,
                     model="billing.PricePlan", field=error.field)


@function(open_level="API", type="QUERY", namespace="billing.Bill")
def simulate(plan: str, usage: list[UsageRecord],
             period_start: dt.date | None = None) -> list[PreviewLine]:
    """The lines of one full period (from `period_start`, default today) of plan or
    package `plan` (a code) for `usage` (events with product codes); nothing is written."""
    if len(usage) > MAX_EVENTS:
        raise DataError(f"billing.Bill.simulate: {len(usage)} events; at most {MAX_EVENTS}",
                        code="BATCH_TOO_LARGE", model="billing.Bill")
    catalogue = Catalogue()
    found = PricePlan.query_one(code=plan)
    key = ("plan", found.id) if found is not None else None
    if found is None:
        package = Package.query_one(code=plan)
        key = None if package is None else ("package", package.id)
    if key is None:
        raise DataError(f"billing.PricePlan: no plan or package with code {plan!r}",
                        code="OFFER_NOT_FOUND", model="billing.PricePlan", field="plan")
    offer = catalogue.offers[key]
    if offer.error is not None:
        raise _refused(offer.error, plan)
    start = period_start or dt.date.today()
    period = period_containing(offer.interval, start, start)
    products = {p.code: p.id for p in Product.query_list(
        code__in=sorted({event.product for event in usage if event.product}))}
    events = []
    for number, event in enumerate(usage):
        if event.product not in products:
            raise DataError(f"billing.Bill.simulate: event {number}: unknown product "
                            f"{event.product!r}", code="PRODUCT_UNKNOWN",
                            model="billing.Product", field="product")
        moment = event.timestamp or event.started_at or dt.datetime.combine(start, dt.time())
        events.append(EventView(number, products[event.product], moment,
                                Decimal(event.quantity or 0), event.amount))
    try:
        lines = _priced(offer, key[1] if key[0] == "plan" else None, period, events,
                        [event.properties for event in usage], catalogue)
    except PricingError as error:
        raise _refused(error, plan) from None
    return [PreviewLine(kind=line.kind, description=line.description,
                        quantity=line.quantity, amount=line.amount,
                        discount_amount=line.discount_amount, net=line.net,
                        currency=line.currency, fx_rate=line.fx_rate) for line in lines]


def _priced(offer: Offer, plan_id: int | None, period: Period, events: list[EventView],
            properties: list[Any], catalogue: Catalogue) -> list[LineDraft]:
    """The bill lines of `events` under `offer` for one full `period`."""
    rated: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    pricing = _pricing_of({event.product for event in events})
    quota_products = {quota.product for quota in offer.quotas}
    for event in events:
        for priced in pricing.get(event.product, ()):
            if priced.charge.plan_id not in (None, plan_id) or event.product in quota_products:
                continue
            line = _price(event, priced)
            rated[priced.charge.id][0] += line.amount
            rated[priced.charge.id][1] += line.quantity
    metered: dict[int, list[MeteredEvent]] = defaultdict(list)
    for event in events:
        metered[event.product].append(MeteredEvent(event.timestamp, event.quantity,
                                                   properties[event.id], event.id))
    aggregated = {c.charge: aggregate(*offer.aggregations[c.charge][:1],
                                      metered[c.product], offer.aggregations[c.charge][1])
                  for c in offer.period_charges}
    used = {q.product: aggregate("SUM", metered[q.product]) for q in offer.quotas}
    days = Days(period.days, period.days, 0, period.days)
    terms = BillTerms(offer.currency, offer.code, None, offer.fee, period, days,
                      (period.start, period.end), offer.period_charges, offer.quotas,
                      products=catalogue.products)
    info = catalogue.charges
    usage = PeriodUsage({charge: (amount, quantity, info[charge][0], info[charge][1],
                                  info[charge][2])
                         for charge, (amount, quantity) in rated.items()}, aggregated, used)
    return price_bill(terms, usage).lines
