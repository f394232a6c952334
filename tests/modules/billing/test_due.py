"""Due bills: arrears bill a period once it ended, advance when it starts (with the
previous period's usage, and a closing bill after the end); `billed_until` resumes."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from modelry.modules.billing.due import Life, due_bills
from modelry.modules.billing.periods import MONTHLY, Period

D = date


def _spans(bills):
    return [(b.period.start, b.period.end, b.fee,
             None if b.usage is None else (b.usage.start, b.usage.end)) for b in bills]


def test_in_arrears_a_month_is_billed_once_it_ended_with_a_stub_first() -> None:
    life = Life(D(2026, 1, 20), None, 5, MONTHLY, False)
    assert _spans(due_bills(life, D(2026, 2, 4))) == []
    assert _spans(due_bills(life, D(2026, 3, 5))) == [
        (D(2026, 1, 20), D(2026, 2, 5), True, (D(2026, 1, 20), D(2026, 2, 5))),
        (D(2026, 2, 5), D(2026, 3, 5), True, (D(2026, 2, 5), D(2026, 3, 5)))]
    resumed = Life(D(2026, 1, 20), None, 5, MONTHLY, False, billed_until=D(2026, 2, 5))
    assert [b.period.start for b in due_bills(resumed, D(2026, 3, 5))] == [D(2026, 2, 5)]


def test_an_ended_subscription_in_arrears_bills_up_to_its_end() -> None:
    life = Life(D(2026, 1, 1), D(2026, 2, 15), None, MONTHLY, False)
    assert _spans(due_bills(life, D(2026, 6, 1))) == [
        (D(2026, 1, 1), D(2026, 2, 1), True, (D(2026, 1, 1), D(2026, 2, 1))),
        (D(2026, 2, 1), D(2026, 3, 1), True, (D(2026, 2, 1), D(2026, 2, 15)))]


def test_in_advance_the_fee_comes_first_and_usage_follows_with_a_closing_bill() -> None:
    life = Life(D(2026, 1, 1), D(2026, 3, 1), None, MONTHLY, True)
    assert _spans(due_bills(life, D(2026, 1, 1))) == [
        (D(2026, 1, 1), D(2026, 2, 1), True, None)]
    assert _spans(due_bills(life, D(2026, 9, 1))) == [
        (D(2026, 1, 1), D(2026, 2, 1), True, None),
        (D(2026, 2, 1), D(2026, 3, 1), True, (D(2026, 1, 1), D(2026, 2, 1))),
        (D(2026, 3, 1), D(2026, 4, 1), False, (D(2026, 2, 1), D(2026, 3, 1)))]


@settings(max_examples=200, deadline=None)
@given(start=st.dates(D(2024, 1, 1), D(2027, 1, 1)), length=st.none() | st.integers(1, 500),
       anchor=st.none() | st.integers(1, 31), advance=st.booleans(),
       first=st.integers(0, 800), second=st.integers(0, 800))
def test_running_twice_bills_every_period_once_in_order(start, length, anchor, advance,
                                                        first, second) -> None:
    ends = None if length is None else date.fromordinal(start.toordinal() + length)
    life = Life(start, ends, anchor, MONTHLY, advance)
    day_one = date.fromordinal(start.toordinal() + first)
    day_two = date.fromordinal(day_one.toordinal() + second)
    once = due_bills(life, day_two)
    early = due_bills(life, day_one)
    until = early[-1].period.end if early else None
    later = due_bills(Life(start, ends, anchor, MONTHLY, advance, billed_until=until), day_two)
    assert early + later == once
    periods = [bill.period for bill in once]
    assert all(a.end == b.start for a, b in zip(periods, periods[1:]))
    used = [bill.usage for bill in once if bill.usage is not None]
    assert all(isinstance(p, Period) and p.start >= start for p in used)
    assert all(a.end <= b.start for a, b in zip(used, used[1:]))
