"""A period's usage of one product as one quantity: sum, count, max (e.g. the most seats
authorised on any day), unique count (distinct values of a property, e.g. active users)
and last value (the quantity of the latest event). Pure: billing runs compute the same in
the database (`usage_reads`); `simulate` and the tests use these."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from modelry.modules.billing.money import exact

SUM, COUNT, MAX, UNIQUE_COUNT, LAST = "SUM", "COUNT", "MAX", "UNIQUE_COUNT", "LAST"
AGGREGATIONS = (SUM, COUNT, MAX, UNIQUE_COUNT, LAST)


@dataclass(frozen=True)
class MeteredEvent:
    """What an aggregation reads of a usage event."""

    timestamp: datetime
    quantity: Decimal
    properties: dict[str, Any] | None = None
    order: int = 0              # ties of one timestamp: the later-stored event is later


def aggregate(kind: str, events: Sequence[MeteredEvent], prop: str | None = None) -> Decimal:
    """The period quantity of `events` under aggregation `kind` (0 for no events; a unique
    count ignores events without the property)."""
    if kind not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {kind!r}; one of {', '.join(AGGREGATIONS)}")
    if not events:
        return Decimal(0)
    if kind == SUM:
        with exact():
            return sum((event.quantity for event in events), Decimal(0))
    if kind == COUNT:
        return Decimal(len(events))
    if kind == MAX:
        return max(event.quantity for event in events)
    if kind == LAST:
        return max(events, key=lambda event: (event.timestamp, event.order)).quantity
    return Decimal(len(unique_values(events, prop)))


def unique_values(events: Sequence[MeteredEvent], prop: str | None) -> set[str]:
    """The distinct values (as canonical text) of property `prop` among `events`."""
    return {property_text((event.properties or {}).get(prop)) for event in events
            if prop is not None and (event.properties or {}).get(prop) is not None}


def property_text(value: Any) -> str:
    """A property value as text, so that 7, "7" and 7.0 count as one user."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    number = Decimal(str(value)).normalize()
    return format(number, "f")
