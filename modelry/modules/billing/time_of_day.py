"""Time-of-day charges: segments of the day, each with a unit price, priced over usage
events by the wall-clock time at which each happened (e.g. 00:00–06:00 at 0.02 per unit,
06:00–24:00 at 0.03)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from modelry.modules.billing import errors
from modelry.modules.billing.calculators import check_contiguous
from modelry.modules.billing.charges import Rating, SegmentUse, UsageInput, events_of
from modelry.modules.billing.errors import CalculatorError, PricingError
from modelry.modules.billing.money import exact, to_decimal

MIDNIGHT = time(0, 0)


def _clock(moment: time | None) -> str:
    if moment is None:
        return "24:00"
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


@dataclass(frozen=True)
class TimeSegment:
    """Events at a wall-clock time in `[start, end)` (`end` None: midnight, 24:00) cost
    `unit_price` per unit."""

    start: time
    end: time | None
    unit_price: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit_price", to_decimal(self.unit_price, "unit_price"))

    @property
    def label(self) -> str:
        """`00:00–06:00`."""
        return f"{_clock(self.start)}–{_clock(self.end)}"


@dataclass(frozen=True)
class TimeOfDayCharge:
    """Segments covering the whole day from 00:00 to 24:00, without gap or overlap. With a
    `zone` (IANA name), aware timestamps are read in that zone's wall-clock time; naive
    timestamps are always taken as that wall-clock time already."""

    segments: tuple[TimeSegment, ...]
    zone: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.segments))
        named = "time-of-day charge"
        check_contiguous([(s.start, s.end) for s in self.segments], MIDNIGHT, _clock, named)
        if self.segments[-1].end is not None:
            end = self.segments[-1].end
            raise CalculatorError(errors.CALCULATOR_GAP,
                                  f"{named}: no segment covers [{_clock(end)}, 24:00); the "
                                  f"last segment must end at 24:00 (end None)", edge=end,
                                  segment=len(self.segments))

    def segment_at(self, moment: datetime) -> int:
        """The 0-based index of the segment holding `moment`'s wall-clock time."""
        if self.zone is not None and moment.tzinfo is not None:
            moment = moment.astimezone(ZoneInfo(self.zone))
        clock = moment.time()
        for index, segment in enumerate(self.segments):
            if segment.start <= clock and (segment.end is None or clock < segment.end):
                return index
        raise AssertionError("validated segments cover the whole day")

    def rate(self, usage: UsageInput) -> Rating:
        """Each event's quantity at the unit price of its time of day; one SegmentUse per
        segment that priced any event."""
        events: Sequence = events_of(usage, "time-of-day")
        units = [Decimal(0)] * len(self.segments)
        priced = [False] * len(self.segments)
        with exact():
            for number, event in enumerate(events, start=1):
                if event.timestamp is None:
                    raise PricingError(errors.USAGE_TIMESTAMP_MISSING,
                                       f"usage event {number} of a time-of-day charge has no "
                                       f"timestamp", field="timestamp")
                if event.quantity < 0:
                    raise PricingError(errors.QUANTITY_NEGATIVE,
                                       f"usage event {number} has a negative quantity")
                index = self.segment_at(event.timestamp)
                units[index] += event.quantity
                priced[index] = True
            used = tuple(SegmentUse(index + 1, segment.label, units[index],
                                    units[index] * segment.unit_price)
                         for index, segment in enumerate(self.segments) if priced[index])
            quantity = sum(units, Decimal(0))
            amount = sum((use.amount for use in used), Decimal(0))
        unit_price = self.segments[used[0].index - 1].unit_price if len(used) == 1 else None
        return Rating(quantity, amount, unit_price, used)
