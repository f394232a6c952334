"""Usage windows' numbers for many tenants at once: the rated lines' totals per charge,
and per product the period aggregations (sum, count and max in the database; last value
and unique counts from one ordered read of just the products that need them). Each tenant
is read in a window of its own, all in one filter: a few statements whatever the tenants
and their windows, never one per event, per subscription or per window (a window read
alone scans the rated lines again: they have no index on the tenant)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from modelry import MAX_IN_ITEMS, any_of
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


IN_LIST = MAX_IN_ITEMS


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time())


def tenants_usage(windows: Mapping[str, Period], products: Iterable[int],
                  wanted: Iterable[tuple[str, str | None]]) -> dict[str, TenantUsage]:
    """Per tenant, its rated totals in its own window (`windows`: tenant → window) and the
    aggregations `wanted` ((kind, property) pairs) of `products` there."""
    products = sorted(set(products))
    wanted = set(wanted)
    found: dict[str, TenantUsage] = defaultdict(TenantUsage)
    if not windows:
        return found
    within = _within(windows)
    # what every window shares, first: a row of another tenant or time is refused at one
    # look instead of one per window (a scan of all rated lines then costs a sixth)
    span = {"tenant__in": sorted(windows),
            "timestamp__ge": _moment(min(window.start for window in windows.values())),
            "timestamp__lt": _moment(max(window.end for window in windows.values()))}
    for row in RatedLine.group_totals(["tenant", "charge"], ["amount", "quantity"],
                                      within, **span):
        found[row["tenant"]].rated[row["charge"]] = (row["amount"], row["quantity"])
    if not products:
        return found
    for row in UsageEvent.group_totals(["tenant", "product"], ["quantity"], within,
                                       maxes=["quantity"], product__in=products, **span):
        metered = found[row["tenant"]].metered
        metered[(row["product"], SUM, None)] = row["quantity"]
        metered[(row["product"], COUNT, None)] = Decimal(row["count"])
        metered[(row["product"], MAX, None)] = row["max_quantity"] or Decimal(0)
    ordered = sorted(kind_prop for kind_prop in wanted if kind_prop[0] in (LAST, UNIQUE_COUNT))
    if ordered:
        _read_in_order(found, within, products, span, ordered)
    return found


def _within(windows: Mapping[str, Period]) -> Any:
    """The filter "each tenant's rows in its window", a group per window (and per
    IN_LIST tenants of it: RSQL's limit on a list)."""
    tenants: dict[Period, list[str]] = defaultdict(list)
    for name, window in sorted(windows.items()):
        tenants[window].append(name)
    return any_of({"tenant__in": names[start:start + IN_LIST],
                   "timestamp__ge": _moment(window.start), "timestamp__lt": _moment(window.end)}
                  for window, names in sorted(tenants.items(),
                                              key=lambda item: (item[0].start, item[0].end))
                  for start in range(0, len(names), IN_LIST))


def _read_in_order(found: dict[str, TenantUsage], within: Any, products: list[int],
                   span: dict[str, Any], wanted: list[tuple[str, str | None]]) -> None:
    """Last values and unique counts, from the windows' events in time order."""
    events: dict[tuple[str, int], list[MeteredEvent]] = defaultdict(list)
    for event in UsageEvent.query_list(within, product__in=products, sort="timestamp,id",
                                       **span):
        events[(event.tenant, event.product_id)].append(
            MeteredEvent(event.timestamp, event.quantity, event.properties, event.id))
    for (tenant, product), listed in events.items():
        for kind, prop in wanted:
            found[tenant].metered[(product, kind, prop if kind == UNIQUE_COUNT else None)] = \
                aggregate(kind, listed, prop)
