"""Charge models over usage: standard, graduated, volume, package and percentage.

Each charge is a frozen dataclass whose `rate(usage)` returns an exact `Rating` in the
charge's currency (nothing rounded yet; `pricing.price_line` converts, marks up and rounds
once). Usage is a total quantity or a sequence of `Usage` events; quantity models sum the
events, the percentage model prices each event's amount.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from modelry.modules.billing import errors
from modelry.modules.billing.calculators import Calculator
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.money import exact, plain, to_decimal


@dataclass(frozen=True)
class Usage:
    """One usage event: a quantity, when it happened, and (for percentage charges) an
    amount."""

    quantity: Decimal = Decimal(0)
    timestamp: datetime | None = None
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        quantity, amount = self.quantity, self.amount
        if type(quantity) is not Decimal or not quantity.is_finite():
            object.__setattr__(self, "quantity", to_decimal(quantity, "quantity"))
        if amount is not None and (type(amount) is not Decimal or not amount.is_finite()):
            object.__setattr__(self, "amount", to_decimal(amount, "amount"))


@dataclass(frozen=True)
class SegmentUse:
    """A segment a rating used: its 1-based index, label, units and exact amount."""

    index: int
    label: str
    units: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Rating:
    """The exact price of some usage under one charge, in the charge's currency."""

    quantity: Decimal
    amount: Decimal
    unit_price: Decimal | None = None      # when one unit price explains the amount
    segments: tuple[SegmentUse, ...] = ()


UsageInput = Decimal | int | str | Sequence[Usage]


class Charge(Protocol):
    """What a charge model offers: the exact rating of some usage."""

    def rate(self, usage: UsageInput) -> Rating:
        """The exact price of `usage`."""
        ...


def total_quantity(usage: UsageInput) -> Decimal:
    """The quantity of `usage`: the number itself, or the sum of the events' quantities;
    QUANTITY_NEGATIVE below 0."""
    if isinstance(usage, Decimal | int | str):
        quantity = to_decimal(usage, "quantity")
    elif len(usage) == 1:                   # one event (rating's case): its quantity
        quantity = usage[0].quantity
    else:
        with exact():
            quantity = sum((event.quantity for event in usage), Decimal(0))
    if quantity < 0:
        raise PricingError(errors.QUANTITY_NEGATIVE, f"quantity {plain(quantity)} is negative")
    return quantity


def events_of(usage: UsageInput, charge: str) -> Sequence[Usage]:
    """`usage` as events; USAGE_EVENTS_REQUIRED for a bare total."""
    if isinstance(usage, Decimal | int | str):
        raise PricingError(errors.USAGE_EVENTS_REQUIRED,
                           f"a {charge} charge prices usage events, not a total quantity")
    return usage


@dataclass(frozen=True)
class StandardCharge:
    """Every unit at `unit_price`."""

    unit_price: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "unit_price", to_decimal(self.unit_price, "unit_price"))

    def rate(self, usage: UsageInput) -> Rating:
        """quantity × unit price."""
        quantity = total_quantity(usage)
        with exact():
            amount = quantity * self.unit_price
        return Rating(quantity, amount, self.unit_price)


@dataclass(frozen=True)
class GraduatedCharge:
    """Each segment prices its own units: segment [l, u) with u' = min(quantity, u) - l > 0
    units adds a + b·u'. Nothing is due for 0 units."""

    calculator: Calculator

    def rate(self, usage: UsageInput) -> Rating:
        """Σ over the segments reached of a + b·(their own units)."""
        quantity = total_quantity(usage)
        last = self.calculator.segments[-1]
        if last.upper is not None and quantity > last.upper:
            raise PricingError(errors.QUANTITY_OUT_OF_RANGE,
                               f"quantity {plain(quantity)} is past the last segment "
                               f"{last.label} of a graduated charge")
        used: list[SegmentUse] = []
        with exact():
            for index, segment in enumerate(self.calculator.segments, start=1):
                if quantity <= segment.lower:
                    break
                top = quantity if segment.upper is None else min(quantity, segment.upper)
                units = top - segment.lower
                used.append(SegmentUse(index, segment.label, units, segment.price(units)))
            amount = sum((use.amount for use in used), Decimal(0))
        return Rating(quantity, amount, _single_unit_price(self.calculator, used),
                      tuple(used))


@dataclass(frozen=True)
class VolumeCharge:
    """All units at the segment the total reaches: P(quantity) = a + b·quantity."""

    calculator: Calculator

    def rate(self, usage: UsageInput) -> Rating:
        """The calculator's price at the total quantity."""
        quantity = total_quantity(usage)
        index, segment = self.calculator.segment_at(quantity)
        amount = segment.price(quantity)
        use = SegmentUse(index + 1, segment.label, quantity, amount)
        return Rating(quantity, amount, segment.b if segment.a == 0 else None, (use,))


@dataclass(frozen=True)
class PackageCharge:
    """`ceil(max(0, quantity - free_units) / size) × price`: a started package is due whole."""

    size: Decimal
    price: Decimal
    free_units: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("size", "price", "free_units"):
            object.__setattr__(self, name, to_decimal(getattr(self, name), name))
        if self.size <= 0 or self.free_units < 0:
            raise PricingError(errors.CHARGE_INVALID,
                               f"a package charge needs size > 0 and free_units >= 0, not "
                               f"size {plain(self.size)}, free_units {plain(self.free_units)}")

    def rate(self, usage: UsageInput) -> Rating:
        """The number of packages started past the free units, times the package price."""
        quantity = total_quantity(usage)
        with exact():
            billable = max(quantity - self.free_units, Decimal(0))
            packages = billable // self.size
            if packages * self.size < billable:
                packages += 1
            amount = packages * self.price
        return Rating(quantity, amount, None)


@dataclass(frozen=True)
class PercentageCharge:
    """`percent` % of each event's amount, clamped per event to [min_per_event,
    max_per_event] (either may be None)."""

    percent: Decimal
    min_per_event: Decimal | None = None
    max_per_event: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "percent", to_decimal(self.percent, "percent"))
        for name in ("min_per_event", "max_per_event"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, to_decimal(getattr(self, name), name))
        low, high = self.min_per_event, self.max_per_event
        if low is not None and high is not None and low > high:
            raise PricingError(errors.CHARGE_INVALID,
                               f"a percentage charge's min_per_event {plain(low)} is above "
                               f"its max_per_event {plain(high)}")

    def fee(self, amount: Decimal) -> Decimal:
        """The fee of one event of `amount`, exact, within the per-event bounds."""
        with exact():
            fee = amount * self.percent / 100
        if self.min_per_event is not None:
            fee = max(fee, self.min_per_event)
        if self.max_per_event is not None:
            fee = min(fee, self.max_per_event)
        return fee

    def rate(self, usage: UsageInput) -> Rating:
        """Σ of the events' fees; quantity is the sum of the events' amounts."""
        events = events_of(usage, "percentage")
        amounts: list[Decimal] = []
        for number, event in enumerate(events, start=1):
            if event.amount is None:
                raise PricingError(errors.USAGE_AMOUNT_MISSING,
                                   f"usage event {number} of a percentage charge has no "
                                   f"amount", field="amount")
            amounts.append(event.amount)
        with exact():
            base = sum(amounts, Decimal(0))
            amount = sum((self.fee(each) for each in amounts), Decimal(0))
        return Rating(base, amount, None)


def _single_unit_price(calculator: Calculator, used: list[SegmentUse]) -> Decimal | None:
    if len(used) != 1 or calculator.segments[used[0].index - 1].a != 0:
        return None
    return calculator.segments[used[0].index - 1].b
