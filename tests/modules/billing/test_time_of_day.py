"""Time-of-day charges: the issue's night and day prices, and whole-day validation."""
from __future__ import annotations

from datetime import datetime, time, timezone
from decimal import Decimal

import pytest

from modelry.modules.billing import errors
from modelry.modules.billing.charges import Usage
from modelry.modules.billing.errors import CalculatorError, PricingError
from modelry.modules.billing.time_of_day import TimeOfDayCharge, TimeSegment

NIGHT_AND_DAY = TimeOfDayCharge((TimeSegment(time(0), time(6), "0.02"),
                                 TimeSegment(time(6), None, "0.03")))


def _at(hour: int, minute: int = 0, second: int = 0, **zone: timezone) -> datetime:
    return datetime(2026, 3, 1, hour, minute, second, tzinfo=zone.get("tz"))


def test_issue_night_at_002_and_day_at_003() -> None:
    events = [Usage(100, _at(0)), Usage(10, _at(5, 59, 59)), Usage(50, _at(6)),
              Usage(40, _at(23, 59, 59))]
    rating = NIGHT_AND_DAY.rate(events)
    assert (rating.quantity, rating.amount, rating.unit_price) == (200, Decimal("4.90"), None)
    assert [(use.index, use.label, use.units, use.amount) for use in rating.segments] == [
        (1, "00:00–06:00", 110, Decimal("2.20")), (2, "06:00–24:00", 90, Decimal("2.70"))]


def test_only_the_segments_used_are_listed() -> None:
    rating = NIGHT_AND_DAY.rate([Usage(10, _at(12))])
    assert rating.unit_price == Decimal("0.03") and len(rating.segments) == 1


def test_a_zone_reads_aware_timestamps_on_its_own_clock() -> None:
    charge = TimeOfDayCharge(NIGHT_AND_DAY.segments, zone="Asia/Shanghai")
    rating = charge.rate([Usage(10, _at(23, tz=timezone.utc))])      # 07:00 in Shanghai
    assert rating.amount == Decimal("0.30")


def test_the_day_must_be_covered_without_gap_or_overlap() -> None:
    cases = [
        ((TimeSegment(time(0), time(6), 1), TimeSegment(time(7), None, 1)),
         errors.CALCULATOR_GAP, time(6), "no segment covers [06:00, 07:00)"),
        ((TimeSegment(time(0), time(6), 1), TimeSegment(time(5, 30), None, 1)),
         errors.CALCULATOR_OVERLAP, time(5, 30), "overlap at 05:30"),
        ((TimeSegment(time(1), None, 1),), errors.CALCULATOR_START, time(1), "starts at 01:00"),
        ((TimeSegment(time(0), time(22), 1),), errors.CALCULATOR_GAP, time(22),
         "no segment covers [22:00, 24:00)"),
    ]
    for segments, code, edge, words in cases:
        with pytest.raises(CalculatorError) as caught:
            TimeOfDayCharge(segments)
        assert (caught.value.code, caught.value.edge) == (code, edge)
        assert words in str(caught.value)


def test_events_need_a_timestamp() -> None:
    for usage, code in ((Decimal(5), errors.USAGE_EVENTS_REQUIRED),
                        ([Usage(5)], errors.USAGE_TIMESTAMP_MISSING)):
        with pytest.raises(PricingError) as caught:
            NIGHT_AND_DAY.rate(usage)
        assert caught.value.code == code
