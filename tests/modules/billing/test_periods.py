"""Billing periods: anchored periods tile the time line, the days of a period a subscription
is billed for (pauses, trials), and the fee prorated to them."""
from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelry.modules.billing import errors
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.money import quantum
from modelry.modules.billing.periods import (DAILY, INTERVALS, MONTHLY, YEARLY, Days, Pause,
                                             Period, anchor_for, billable_days, first_period,
                                             next_period, period_containing, periods_between,
                                             prorated_fee)

D = date
ONE = timedelta(days=1)
MONTH_ENDS = [D(2026, 1, 31), D(2028, 2, 29), D(2026, 8, 31), D(2026, 4, 30), D(2027, 1, 29)]
anchors = st.one_of(st.sampled_from(MONTH_ENDS), st.dates(D(1990, 1, 1), D(2040, 12, 31)))
days = st.dates(D(1980, 1, 1), D(2050, 12, 31))
intervals = st.sampled_from(INTERVALS)


def _boundary_day(anchor_day: int, day: date) -> int:
    return min(anchor_day, monthrange(day.year, day.month)[1])


def test_monthly_anchored_on_the_fifth() -> None:
    anchor = D(2026, 1, 5)
    assert period_containing(MONTHLY, anchor, D(2026, 1, 20)) == Period(D(2026, 1, 5),
                                                                        D(2026, 2, 5))
    assert period_containing(MONTHLY, anchor, D(2026, 2, 5)) == Period(D(2026, 2, 5),
                                                                       D(2026, 3, 5))
    assert period_containing(MONTHLY, anchor, D(2026, 1, 4)) == Period(D(2025, 12, 5), anchor)
    assert period_containing(MONTHLY, anchor, D(2026, 1, 20)).days == 31


def test_an_anchor_past_the_month_end_falls_on_its_last_day_without_drifting() -> None:
    starts = [p.start for p in periods_between(MONTHLY, D(2026, 1, 31), D(2026, 1, 31),
                                                D(2026, 6, 1))]
    assert starts == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30),
                      D(2026, 5, 31)]
    assert period_containing(MONTHLY, D(2026, 1, 31), D(2028, 2, 15)).end == D(2028, 2, 29)
    assert period_containing(MONTHLY, D(2026, 1, 31), D(2028, 3, 15)).start == D(2028, 2, 29)
    assert period_containing(MONTHLY, D(2026, 1, 31), D(2025, 12, 1)) == Period(
        D(2025, 11, 30), D(2025, 12, 31))


def test_yearly_and_daily_periods() -> None:
    leap = D(2028, 2, 29)
    assert period_containing(YEARLY, leap, D(2026, 3, 1)) == Period(D(2026, 2, 28),
                                                                     D(2027, 2, 28))
    assert period_containing(YEARLY, leap, D(2032, 2, 29)) == Period(leap.replace(year=2032),
                                                                     D(2033, 2, 28))
    assert period_containing(YEARLY, D(2026, 7, 1), D(2026, 6, 30)) == Period(
        D(2025, 7, 1), D(2026, 7, 1))
    assert period_containing(DAILY, leap, D(2026, 3, 1)) == Period(D(2026, 3, 1), D(2026, 3, 2))


def test_every_anchor_day_tiles_ten_years_of_monthly_periods() -> None:
    for anchor_day in range(1, 32):
        anchor = anchor_for(D(2025, 1, 1), anchor_day)
        periods = periods_between(MONTHLY, anchor, D(2024, 1, 1), D(2034, 1, 1))
        assert len(periods) in (120, 121)
        for before, after in zip(periods, periods[1:], strict=False):
            assert before.end == after.start
            assert after.start.day == _boundary_day(anchor_day, after.start)


def test_anchor_for_and_the_first_stub_period() -> None:
    cases = [  # start, anchor day, anchor, first period
        (D(2026, 1, 20), 5, D(2026, 2, 5), Period(D(2026, 1, 20), D(2026, 2, 5))),
        (D(2026, 1, 5), 5, D(2026, 1, 5), Period(D(2026, 1, 5), D(2026, 2, 5))),
        (D(2026, 1, 20), None, D(2026, 1, 20), Period(D(2026, 1, 20), D(2026, 2, 20))),
        (D(2026, 1, 31), None, D(2026, 1, 31), Period(D(2026, 1, 31), D(2026, 2, 28))),
        (D(2026, 1, 3), 31, D(2026, 1, 31), Period(D(2026, 1, 3), D(2026, 1, 31))),
        # the anchor keeps its day 31 (never Feb 28, which would bill on the 28th ever
        # after); the February month end still ends the stub
        (D(2026, 2, 10), 31, D(2026, 3, 31), Period(D(2026, 2, 10), D(2026, 2, 28))),
        (D(2026, 2, 28), 31, D(2026, 3, 31), Period(D(2026, 2, 28), D(2026, 3, 31))),
        (D(2028, 2, 10), 29, D(2028, 2, 29), Period(D(2028, 2, 10), D(2028, 2, 29))),
    ]
    for start, anchor_day, anchor, first in cases:
        assert anchor_for(start, anchor_day) == anchor, (start, anchor_day)
        assert first_period(MONTHLY, start, anchor_day) == first, (start, anchor_day)
    assert first_period(YEARLY, D(2026, 1, 20), 5) == Period(D(2026, 1, 20), D(2026, 2, 5))
    assert first_period(DAILY, D(2026, 1, 20), 5) == Period(D(2026, 1, 20), D(2026, 1, 21))


def test_refusals_name_their_code() -> None:
    cases = [
        (lambda: anchor_for(D(2026, 1, 1), 0), errors.ANCHOR_DAY_INVALID),
        (lambda: anchor_for(D(2026, 1, 1), 32), errors.ANCHOR_DAY_INVALID),
        (lambda: anchor_for(D(2026, 1, 1), True), errors.ANCHOR_DAY_INVALID),
        (lambda: period_containing("WEEKLY", D(2026, 1, 1), D(2026, 1, 1)),
         errors.INTERVAL_INVALID),
        (lambda: billable_days(Period(D(2026, 1, 1), D(2026, 2, 1)), D(2026, 1, 1), None,
                               [Pause(D(2026, 1, 9), D(2026, 1, 8))], None),
         errors.PAUSE_INVALID),
    ]
    for call, code in cases:
        with pytest.raises(PricingError) as caught:
            call()
        assert caught.value.code == code


@given(intervals, anchors, days, st.integers(1, 40))
def test_consecutive_periods_tile_the_time_line(interval: str, anchor: date, day: date,
                                                count: int) -> None:
    period = period_containing(interval, anchor, day)
    assert day in period and period.days >= 1
    for _ in range(count):
        following = next_period(interval, anchor, period)
        assert following.start == period.end and following.days >= 1
        assert period_containing(interval, anchor, following.start) == following
        assert period_containing(interval, anchor, following.end - ONE) == following
        if interval != DAILY:
            assert following.start.day == _boundary_day(anchor.day, following.start)
        period = following


@given(intervals, anchors, days, st.integers(0, 800))
def test_periods_between_cover_the_range_each_day_once(interval: str, anchor: date,
                                                       start: date, length: int) -> None:
    end = start + timedelta(days=length)
    periods = periods_between(interval, anchor, start, end)
    if length == 0:
        assert periods == []
        return
    assert start in periods[0] and end - ONE in periods[-1]
    assert all(a.end == b.start for a, b in zip(periods, periods[1:], strict=False))
    for offset in range(0, length, 7):
        day = start + timedelta(days=offset)
        assert sum(day in p for p in periods) == 1
        assert period_containing(interval, anchor, day) in periods


@given(intervals, days, st.one_of(st.none(), st.integers(1, 31)))
def test_the_first_period_runs_to_a_boundary(interval: str, start: date,
                                             anchor_day: int | None) -> None:
    anchor = anchor_for(start, anchor_day)
    assert anchor >= start and (anchor_day is None or anchor.day == anchor_day)
    first = first_period(interval, start, anchor_day)
    assert first.start == start and first.days >= 1
    assert next_period(interval, anchor, first) == period_containing(interval, anchor, first.end)
    if start == anchor or interval == DAILY:
        assert first == period_containing(interval, anchor, start)


# -- billable days -----------------------------------------------------------------------

JAN = Period(D(2026, 1, 1), D(2026, 2, 1))


def test_billable_days_cases() -> None:
    cases = [  # starts, ends, pauses, trial ends, (active, trial)
        (D(2026, 1, 1), None, [], None, (31, 0)),
        (D(2026, 1, 11), D(2026, 1, 21), [], None, (10, 0)),
        (D(2026, 1, 1), None, [Pause(D(2026, 1, 10), D(2026, 1, 10))], None, (31, 0)),
        (D(2026, 1, 1), None, [Pause(D(2026, 1, 10), D(2026, 1, 11))], None, (31, 0)),
        (D(2026, 1, 1), None, [Pause(D(2026, 1, 10), D(2026, 1, 15))], None, (27, 0)),
        (D(2026, 1, 1), None, [Pause(D(2026, 1, 10), None)], None, (10, 0)),
        (D(2025, 12, 1), None, [Pause(D(2025, 12, 20), D(2026, 1, 3))], None, (29, 0)),
        (D(2026, 1, 1), None, [Pause(D(2026, 1, 12), D(2026, 1, 20)),
                               Pause(D(2026, 1, 10), D(2026, 1, 15))], None, (22, 0)),
        (D(2026, 1, 1), None, [], D(2026, 1, 15), (31, 14)),
        (D(2026, 1, 1), None, [Pause(D(2026, 1, 5), D(2026, 1, 10))], D(2026, 1, 15), (27, 10)),
        (D(2026, 1, 20), None, [], D(2026, 1, 15), (12, 0)),
        (D(2026, 3, 1), None, [], None, (0, 0)),
    ]
    for starts, ends, pauses, trial_ends, (active, trial) in cases:
        got = billable_days(JAN, starts, ends, pauses, trial_ends)
        assert got == Days(31, active, trial, active - trial), (starts, ends, pauses)


def _reference_days(period: Period, starts: date, ends: date | None, pauses: list[Pause],
                    trial_ends: date | None) -> tuple[int, int]:
    """(active, trial), one day at a time."""
    active = trial = 0
    day = period.start
    while day < period.end:
        exists = starts <= day and (ends is None or day < ends)
        paused = any(p.paused_on < day and (p.resumed_on is None or day < p.resumed_on)
                     for p in pauses)
        if exists and not paused:
            active += 1
            trial += trial_ends is not None and day < trial_ends
        day += ONE
    return active, trial


def _near(base: date) -> st.SearchStrategy[date]:
    return st.integers(-40, 80).map(lambda offset: base + timedelta(days=offset))


@st.composite
def _pauses(draw: st.DrawFn, base: date) -> list[Pause]:
    found = []
    for _ in range(draw(st.integers(0, 4))):
        paused_on = draw(_near(base))
        length = draw(st.one_of(st.none(), st.integers(0, 30)))
        found.append(Pause(paused_on, None if length is None else paused_on
                           + timedelta(days=length)))
    return found


@given(st.data(), intervals, anchors)
def test_billable_days_agree_with_a_day_by_day_count(data: st.DataObject, interval: str,
                                                    anchor: date) -> None:
    period = period_containing(interval, anchor, anchor)
    starts = data.draw(_near(period.start))
    ends = data.draw(st.one_of(st.none(), _near(period.start)))
    trial_ends = data.draw(st.one_of(st.none(), _near(period.start)))
    pauses = data.draw(_pauses(period.start))
    got = billable_days(period, starts, ends, pauses, trial_ends)
    assert (got.active, got.trial) == _reference_days(period, starts, ends, pauses, trial_ends)
    assert got.period_days == period.days and got.active == got.trial + got.billable
    assert min(got.trial, got.billable) >= 0 and got.active <= period.days


@given(anchors, st.integers(0, 40), st.booleans())
def test_a_pause_removes_the_days_strictly_between(anchor: date, length: int,
                                                   same_day_resumes: bool) -> None:
    period = period_containing(YEARLY, anchor, anchor)
    paused_on = period.start + timedelta(days=100)
    resumed_on = paused_on + timedelta(days=0 if same_day_resumes else length)
    got = billable_days(period, period.start, None, [Pause(paused_on, resumed_on)], None)
    assert got.active == period.days - max(0, (resumed_on - paused_on).days - 1)


# -- prorated fee --------------------------------------------------------------------------

def test_prorated_fee_cases() -> None:
    cases = [  # fee, currency, billable of 31, fee prorated
        ("10", "EUR", 31, "10.00"), ("10", "EUR", 0, "0.00"), ("10", "EUR", 23, "7.42"),
        ("0.31", "EUR", 5, "0.05"), ("0.62", "EUR", 31 // 2, "0.30"), ("1000", "JPY", 1, "32"),
        ("7.75", "EUR", 1, "0.25"), ("0.155", "KWD", 1, "0.005"), ("9.99", "USD", 30, "9.67"),
    ]
    for fee, currency, billable, expected in cases:
        got = prorated_fee(Decimal(fee), currency, Days(31, billable, 0, billable))
        assert (got, str(got)) == (Decimal(expected), expected), (fee, billable)
    # a tie is rounded half up: 0.05 × 1/2 = 0.025 → 0.03
    assert prorated_fee(Decimal("0.05"), "EUR", Days(2, 1, 0, 1)) == Decimal("0.03")


fees = st.decimals(min_value=0, max_value=Decimal("1e9"), places=2)


@given(fees, st.integers(1, 366), st.data())
def test_prorated_fee_is_exact_then_rounded_once(fee: Decimal, period_days: int,
                                                 data: st.DataObject) -> None:
    billable = data.draw(st.integers(0, period_days))
    got = prorated_fee(fee, "EUR", Days(period_days, billable, 0, billable))
    units = Fraction(fee) * billable / period_days / Fraction(quantum("EUR"))
    assert got == Decimal(floor(units + Fraction(1, 2))) * quantum("EUR")
    assert prorated_fee(fee, "EUR", Days(period_days, period_days, 0, period_days)) == fee
    if billable:
        fewer = prorated_fee(fee, "EUR", Days(period_days, billable - 1, 0, billable - 1))
        assert fewer <= got


@given(fees, st.integers(1, 366), st.data())
def test_two_parts_of_a_period_sum_to_the_fee_within_a_minor_unit(
        fee: Decimal, period_days: int, data: st.DataObject) -> None:
    first = data.draw(st.integers(0, period_days))
    second = period_days - first
    total = (prorated_fee(fee, "EUR", Days(period_days, first, 0, first))
             + prorated_fee(fee, "EUR", Days(period_days, second, 0, second)))
    assert abs(total - fee) <= quantum("EUR")
