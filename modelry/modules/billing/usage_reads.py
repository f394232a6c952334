"""A usage window's numbers for many tenants at once: the rated lines' totals per charge,
and per product the period aggregations (sum, count and max in the database; last value
and unique counts from one ordered read of just the products that need them). A few
statements per window, never one per event or per subscription."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from modelry.modules.billing.aggregations import (COUNT, LAST, MAX, SUM, UNIQUE_COUNT,
                                                  MeteredEvent, aggregate)
from modelry.modules.billing.periods import Period
from modelry.modules.billing.rated import RatedLine
from modelry.modules.billing.usage import UsageEvent


@dataclass
class TenantUsage:
    """One tenant's window: rated (amount, quantity) per charge; per (product, aggregation,
    property) the period quantity."""

    rated: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    metered: dict[tuple[int, str, str | None], Decimal] = field(default_factory=dict)

    def quantity(self, product: int, kind: str, prop: str | None = None) -> Decimal:
        """The period quantity of `product` under aggregation `kind` (0 without usage)."""
        return self.metered.get((product, kind, prop if kind == UNIQUE_COUNT else None),
                                Decimal(0))


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def window_usage(tenants: Iterable[str], window: Period, products: Iterable[int],
                 wanted: Iterable[tuple[str, str | None]]) -> dict[str, TenantUsage]:
    """Per tenant, its rated totals in `window` and the aggregations `wanted` ((kind,
    property) pairs) of `products`."""
    names = sorted(set(tenants))
    products = sorted(set(products))
    wanted = set(wanted)
    found: dict[str, TenantUsage] = defaultdict(TenantUsage)
    if not names:
        return found
    between = {"timestamp__ge": _moment(window.start), "timestamp__lt": _moment(window.end)}
    for row in RatedLine.group_totals(["tenant", "charge"], ["amount", "quantity"],
                                      tenant__in=names, **between):
        found[row["tenant"]].rated[row["charge"]] = (row["amount"], row["quantity"])
    if not products:
        return found
    for row in UsageEvent.group_totals(["tenant", "product"], ["quantity"],
                                       maxes=["quantity"], tenant__in=names,
                                       product__in=products, **between):
        metered = found[row["tenant"]].metered
        metered[(row["product"], SUM, None)] = row["quantity"]
        metered[(row["product"], COUNT, None)] = Decimal(row["count"])
        metered[(row["product"], MAX, None)] = row["max_quantity"] or Decimal(0)
    ordered = sorted(kind_prop for kind_prop in wanted if kind_prop[0] in (LAST, UNIQUE_COUNT))
    if ordered:
        _read_in_order(found, names, products, between, ordered)
    return found


def _read_in_order(found: dict[str, TenantUsage], names: list[str], products: list[int],
                   between: dict[str, Any], wanted: list[tuple[str, str | None]]) -> None:
    """Last values and unique counts, from the window's events in time order."""
    events: dict[tuple[str, int], list[MeteredEvent]] = defaultdict(list)
    for event in UsageEvent.query_list(tenant__in=names, product__in=products,
                                       sort="timestamp,id", **between):
        events[(event.tenant, event.product_id)].append(
            MeteredEvent(event.timestamp, event.quantity, event.properties, event.id))
    for (tenant, product), listed in events.items():
        for kind, prop in wanted:
            found[tenant].metered[(product, kind, prop if kind == UNIQUE_COUNT else None)] = \
                aggregate(kind, listed, prop)
