"""Billing periods of a subscription, the days of a period it is billed for, and the fee
prorated to those days.

A period is a half-open range of dates [start, end). Periods are counted from an anchor
date and never drift: monthly periods start on the anchor's day of the month, on the last
day of a month too short for it (anchor Jan 31: [Jan 31, Feb 28), [Feb 28, Mar 31), ...);
yearly ones on the anchor's month and day (Feb 29 falls on Feb 28 in other years); daily
ones every day. Days before the anchor have periods too, counted backwards the same way.
"""
from __future__ import annotations

import decimal
from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from modelry.modules.billing import errors
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.money import exact, minor_unit, round_money, to_decimal

DAILY, MONTHLY, YEARLY = "DAILY", "MONTHLY", "YEARLY"
INTERVALS = (DAILY, MONTHLY, YEARLY)

_ONE_DAY = timedelta(days=1)
_MONTHS = {MONTHLY: 1, YEARLY: 12}


@dataclass(frozen=True)
class Period:
    """The days from `start` (inclusive) to `end` (exclusive)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days

    def __contains__(self, day: date) -> bool:
        """Whether `day` is one of the period's days."""
        return self.start <= day < self.end


def _months_after(anchor: date, months: int) -> date:
    """The anchor's day in the month `months` after the anchor's (negative: before),
    or that month's last day when it is shorter."""
    year, month = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    return date(year, month + 1, min(anchor.day, monthrange(year, month + 1)[1]))


def period_containing(interval: str, anchor: date, day: date) -> Period:
    """The period of `interval`, counted from `anchor`, that contains `day`."""
    if interval == DAILY:
        return Period(day, day + _ONE_DAY)
    if interval not in _MONTHS:
        raise PricingError(errors.INTERVAL_INVALID,
                           f"a billing interval is one of {', '.join(INTERVALS)}, "
                           f"not {interval!r}", field="interval")
    step = _MONTHS[interval]
    # The period starts in the month of `day` or in the step before; starts only grow.
    index = ((day.year - anchor.year) * 12 + day.month - anchor.month) // step
    if _months_after(anchor, index * step) > day:
        index -= 1
    return Period(_months_after(anchor, index * step), _months_after(anchor, (index + 1) * step))


def next_period(interval: str, anchor: date, period: Period) -> Period:
    """The period that starts where `period` ends (after a stub period, the first full one)."""
    return Period(period.end, period_containing(interval, anchor, period.end).end)


def periods_between(interval: str, anchor: date, start: date, end: date) -> list[Period]:
    """The periods that overlap [start, end), in order (none when end <= start)."""
    found: list[Period] = []
    period = period_containing(interval, anchor, start)
    while start < end and period.start < end:
        found.append(period)
        period = next_period(interval, anchor, period)
    return found


def anchor_for(start: date, anchor_day: int | None) -> date:
    """The anchor date of a subscription that starts on `start` and bills on `anchor_day`
    (1..31; None: the start's own day): the first date on or after `start` whose day of
    the month is `anchor_day`.

    The day is kept exactly because periods are counted from the anchor's day: anchor day
    31 from Feb 10 anchors on Mar 31, never on Feb 28 (which would bill on the 28th ever
    after); the month ends between still bound the periods (see `first_period`).
    """
    if anchor_day is None:
        return start
    if isinstance(anchor_day, bool) or not isinstance(anchor_day, int) \
            or not 1 <= anchor_day <= 31:
        raise PricingError(errors.ANCHOR_DAY_INVALID,
                           f"a billing anchor day is a day of the month from 1 to 31, "
                           f"not {anchor_day!r}", field="anchor_day")
    months = 0
    while True:
        candidate = _months_after(start.replace(day=1), months)
        if monthrange(candidate.year, candidate.month)[1] >= anchor_day:
            candidate = candidate.replace(day=anchor_day)
            if candidate >= start:
                return candidate
        months += 1


def first_period(interval: str, start: date, anchor_day: int | None) -> Period:
    """The first period of a subscription that starts on `start`: from `start` to the next
    period boundary, a shorter stub when `start` is not itself a boundary (start Jan 20,
    anchor day 5: [Jan 20, Feb 5)), else the full period."""
    anchor = anchor_for(start, anchor_day)
    return Period(start, period_containing(interval, anchor, start).end)


@dataclass(frozen=True)
class Pause:
    """A pause of a subscription from `paused_on` until `resumed_on` (None: still paused)."""

    paused_on: date
    resumed_on: date | None


@dataclass(frozen=True)
class Days:
    """How a period's days count for a subscription: `active` = `trial` + `billable`."""

    period_days: int
    active: int
    trial: int
    billable: int


def _paused_spans(pauses: Sequence[Pause], low: date, high: date) -> list[tuple[date, date]]:
    """The days within [low, high) removed by the pauses, as sorted disjoint [first, last)
    spans: a pause removes the days strictly between its pause and its resume days."""
    for pause in pauses:
        if pause.resumed_on is not None and pause.resumed_on < pause.paused_on:
            raise PricingError(errors.PAUSE_INVALID,
                               f"a subscription paused on {pause.paused_on} cannot resume "
                               f"before, on {pause.resumed_on}", field="resumed_on")
    spans: list[tuple[date, date]] = []
    for pause in sorted(pauses, key=lambda pause: pause.paused_on):
        first = max(low, pause.paused_on + _ONE_DAY)
        last = high if pause.resumed_on is None else min(high, pause.resumed_on)
        if first >= last:
            continue
        if spans and first <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], last))
        else:
            spans.append((first, last))
    return spans


def _days_outside(low: date, high: date, spans: list[tuple[date, date]]) -> int:
    """The days of [low, high) in none of the disjoint `spans`."""
    count = max(0, (high - low).days)
    for first, last in spans:
        count -= max(0, (min(high, last) - max(low, first)).days)
    return count


def billable_days(period: Period, starts: date, ends: date | None, pauses: Sequence[Pause],
                  trial_ends: date | None) -> Days:
    """The days of `period` a subscription existing over [starts, ends) (ends None: open)
    is active, in its trial (before `trial_ends`) and billable.

    The day a pause starts and the day it ends were each partly active and count once; the
    days between are not active (a pause and resume on the same day removes nothing).
    Pauses may overlap and come in any order: the days they remove are united.
    """
    low = max(period.start, starts)
    high = period.end if ends is None else min(period.end, ends)
    spans = _paused_spans(pauses, low, high)
    active = _days_outside(low, high, spans)
    trial = 0 if trial_ends is None else _days_outside(low, min(high, trial_ends), spans)
    return Days(period.days, active, trial, active - trial)


def prorated_fee(fee: Decimal, currency: str, days: Days) -> Decimal:
    """`fee` × billable / period days, rounded once half up to the currency's minor unit:
    a full period costs the fee, no billable day costs 0."""
    fee = to_decimal(fee, "fee")
    if days.billable == 0:
        return round_money(Decimal(0), currency)
    with exact():
        share = fee * days.billable
    # The quotient cannot always be exact in Decimal (10 / 3), so it is taken to enough
    # digits that rounding it cannot move it onto or across a half minor unit: a non-tie
    # quotient lies at least 10**exponent / period_days from every half unit (exponent:
    # the finer of the fee's and the half unit's), more than half the last digit kept here.
    exponent = min(int(share.as_tuple().exponent), -minor_unit(currency) - 1)
    digits = share.adjusted() - exponent + len(str(days.period_days)) + 2
    with decimal.localcontext(decimal.Context(prec=digits)):
        quotient = share / days.period_days
    return round_money(quotient, currency)
