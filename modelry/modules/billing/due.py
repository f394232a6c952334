"""Which bills a subscription is due on a day, without a database.

In arrears, the bill of a period holds its fee and its usage, and is due once the period
has ended. In advance, the bill of a period holds its fee and the previous period's usage,
and is due when the period starts; after the subscription ends, one closing bill holds the
last period's usage. A bill is named by its period's start (`billing.Bill` is unique per
subscription and period start), and `billed_until` (the end of the last period billed)
says where the next run goes on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from modelry.modules.billing.periods import (Period, anchor_for, first_period, next_period)

MAX_PERIODS = 400           # periods one run bills per subscription (catching up)


@dataclass(frozen=True)
class DueBill:
    """A bill to make: its period, whether the period's fee is on it, and the window of
    usage it bills (clipped to the subscription's life; None: no usage)."""

    period: Period
    fee: bool
    usage: Period | None


@dataclass(frozen=True)
class Life:
    """A subscription's dates and billing terms, as due bills read them."""

    starts: date
    ends: date | None
    anchor_day: int | None
    interval: str
    in_advance: bool
    billed_until: date | None = None


def _clipped(period: Period, life: Life) -> Period | None:
    start = max(period.start, life.starts)
    end = period.end if life.ends is None else min(period.end, life.ends)
    return Period(start, end) if start < end else None


def _alive(period: Period, life: Life) -> bool:
    return life.ends is None or period.start < life.ends


def due_bills(life: Life, on: date) -> list[DueBill]:
    """The bills of `life` due on day `on` not billed yet, oldest first."""
    anchor = anchor_for(life.starts, life.anchor_day)
    period = first_period(life.interval, life.starts, life.anchor_day)
    previous: Period | None = None
    due: list[DueBill] = []
    while len(due) < MAX_PERIODS:
        alive = _alive(period, life)
        if life.in_advance:
            usage = None if previous is None else _clipped(previous, life)
            if period.start > on or (not alive and usage is None):
                break
        else:
            usage = _clipped(period, life)
            if period.end > on or not alive:
                break
        if life.billed_until is None or period.end > life.billed_until:
            due.append(DueBill(period, alive, usage))
        previous, period = period, next_period(life.interval, anchor, period)
    return due
