"""Which price plans a tenant was subscribed to, and when: what a plan's charge needs to
know before it rates an event (two reads for a whole batch of tenants)."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from modelry.modules.billing.subscriptions import Customer, Subscription


@dataclass(frozen=True)
class PlanScope:
    """Per tenant, its subscriptions' (plan id, starts_on, ends_on or None)."""

    spans: dict[str, list[tuple[int, dt.date, dt.date | None]]]

    def covers(self, event: Any, plan: int) -> bool:
        """Whether `event`'s tenant was subscribed to `plan` on the event's day."""
        day = event.timestamp.date()
        return any(found == plan and starts <= day and (ends is None or day < ends)
                   for found, starts, ends in self.spans.get(event.tenant, ()))


def plans_of(tenants: Iterable[str]) -> PlanScope:
    """The plan subscriptions of these tenants (customers by code)."""
    customers = {c.id: c.code for c in Customer.query_list(code__in=sorted(set(tenants)))}
    spans: dict[str, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    if customers:
        for found in Subscription.query_list(customer__in=sorted(customers),
                                             plan__ne=None):
            spans[customers[found.customer_id]].append(
                (found.plan_id, found.starts_on, found.ends_on))
    return PlanScope(dict(spans))
