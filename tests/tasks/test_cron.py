"""Cron expressions: fields, names, steps, the day-of-month/day-of-week rule, macros; the
next due time is the first matching minute (checked against a minute-by-minute scan)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelry.core.tasks.cron import CronError, parse

START = dt.datetime(2024, 2, 27, 22, 58, 30)  # a leap year, near the month's end


@pytest.mark.parametrize(("expression", "after", "expected"), [
    ("0 2 * * *", START, "2024-02-28 02:00"),
    ("*/15 9-17 * * mon-fri", dt.datetime(2024, 3, 1, 17, 50), "2024-03-04 09:00"),
    ("0 0 29 feb *", dt.datetime(2024, 3, 1), "2028-02-29 00:00"),
    ("0 12 13 * fri", dt.datetime(2024, 1, 1), "2024-01-05 12:00"),  # either day field
    ("0 12 13 * *", dt.datetime(2024, 1, 1), "2024-01-13 12:00"),
    ("5 4 * * 7", dt.datetime(2024, 1, 1), "2024-01-07 04:05"),       # 7 is Sunday too
    ("10/20 * * * *", dt.datetime(2024, 1, 1, 0, 31), "2024-01-01 00:50"),
    ("0 0 1,15 */3 *", dt.datetime(2024, 2, 1), "2024-04-01 00:00"),
    ("@monthly", START, "2024-03-01 00:00"),
    ("@hourly", START, "2024-02-27 23:00"),
    ("@yearly", START, "2025-01-01 00:00"),
])
def test_next_due_times(expression: str, after: dt.datetime, expected: str) -> None:
    assert f"{parse(expression).next_after(after):%Y-%m-%d %H:%M}" == expected


def test_due_between_lists_each_due_minute_once() -> None:
    due = list(parse("*/20 * * * *").due_between(dt.datetime(2024, 1, 1, 0, 0),
                                                    dt.datetime(2024, 1, 1, 1, 0)))
    assert [f"{d:%H:%M}" for d in due] == ["00:20", "00:40", "01:00"]


@pytest.mark.parametrize(("expression", "problem"), [
    ("* * * *", "expected 5 fields"),
    ("60 * * * *", "minute '60' is out of range 0-59"),
    ("* * * foo *", "cannot read month 'foo'"),
    ("5-1 * * * *", "out of range"),
    ("*/0 * * * *", "out of range"),
    ("0 0 30 2 *", "is never due"),
])
def test_bad_expressions_are_refused_with_the_field(expression: str, problem: str) -> None:
    with pytest.raises(CronError, match=problem):
        parse(expression)


def field(low: int, high: int) -> st.SearchStrategy[str]:
    number = st.integers(low, high)
    return st.one_of(
        st.just("*"), number.map(str),
        st.tuples(number, number).map(lambda p: f"{min(p)}-{max(p)}"),
        st.tuples(st.integers(1, 7), number).map(lambda p: f"{p[1]}/{p[0]}"),
        st.integers(1, 13).map(lambda step: f"*/{step}"),
        st.lists(number, min_size=1, max_size=3).map(lambda ns: ",".join(map(str, ns))))


EXPRESSIONS = st.tuples(field(0, 59), field(0, 23), field(1, 28), field(1, 12),
                        field(0, 7)).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS, st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1)))
def test_the_next_due_time_is_the_first_matching_minute(expression: str,
                                                        after: dt.datetime) -> None:
    cron = parse(expression)
    found = cron.next_after(after)
    assert found > after and found.second == 0 and cron.matches(found)
    minute = after.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    scanned = 0
    while minute < found and scanned < 3 * 24 * 60:  # none before it (within 3 days)
        assert not cron.matches(minute), minute
        minute += dt.timedelta(minutes=1)
        scanned += 1
