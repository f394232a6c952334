"""Piecewise calculators: segments `[lower, upper)` each pricing x units as `a + b·x`.

A calculator is the function P(x) = a_i + b_i·x on the segment i that holds x (x the total
quantity). It is declared **continuous** (P has no jump: at every edge e between segments
i and i+1, a_i + b_i·e == a_(i+1) + b_(i+1)·e) or **stepwise** (jumps allowed, e.g. 0.03
per unit below 1,000,000 and 0.02 for all units above). The volume charge model evaluates
P at the total; the graduated one prices each segment's own units with its (a, b).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from modelry.modules.billing import errors
from modelry.modules.billing.errors import CalculatorError, PricingError
from modelry.modules.billing.money import exact, plain, to_decimal

CONTINUOUS = "continuous"
STEPWISE = "stepwise"
KINDS = (CONTINUOUS, STEPWISE)

Bound = TypeVar("Bound")


@dataclass(frozen=True)
class Segment:
    """Units in `[lower, upper)` (`upper` None: unbounded) cost `a + b·x`."""

    lower: Decimal
    upper: Decimal | None
    a: Decimal = Decimal(0)
    b: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "lower", to_decimal(self.lower, "lower"))
        if self.upper is not None:
            object.__setattr__(self, "upper", to_decimal(self.upper, "upper"))
        object.__setattr__(self, "a", to_decimal(self.a, "a"))
        object.__setattr__(self, "b", to_decimal(self.b, "b"))

    def price(self, units: Decimal) -> Decimal:
        """`a + b·units`, exactly."""
        with exact():
            return self.a + self.b * units

    def holds(self, quantity: Decimal) -> bool:
        """Whether `quantity` lies in `[lower, upper)`."""
        return self.lower <= quantity and (self.upper is None or quantity < self.upper)

    @property
    def label(self) -> str:
        """`[lower, upper)` as text, ∞ for unbounded."""
        upper = "∞" if self.upper is None else plain(self.upper)
        return f"[{plain(self.lower)}, {upper})"


@dataclass(frozen=True)
class Calculator:
    """Ordered, contiguous segments from 0, declared continuous or stepwise; validated when
    built, so an invalid calculator never exists."""

    segments: tuple[Segment, ...]
    kind: str = STEPWISE
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.segments))
        validate_segments(self.segments, self.kind, self.name)

    def segment_at(self, quantity: Decimal) -> tuple[int, Segment]:
        """The index and segment holding `quantity` (QUANTITY_OUT_OF_RANGE past the last)."""
        if quantity < 0:
            raise PricingError(errors.QUANTITY_NEGATIVE,
                               f"{self._named()}: quantity {plain(quantity)} is negative")
        for index, segment in enumerate(self.segments):
            if segment.holds(quantity):
                return index, segment
        raise PricingError(errors.QUANTITY_OUT_OF_RANGE,
                           f"{self._named()}: quantity {plain(quantity)} is past the last "
                           f"segment {self.segments[-1].label}")

    def price(self, quantity: Decimal) -> Decimal:
        """P(quantity): `a + b·quantity` of the segment holding it, exactly."""
        return self.segment_at(quantity)[1].price(quantity)

    def _named(self) -> str:
        return f"calculator {self.name!r}" if self.name else "calculator"


def continuous_calculator(edges: Sequence[Decimal | int | str],
                          unit_prices: Sequence[Decimal | int | str],
                          base: Decimal | int | str = 0, name: str = "") -> Calculator:
    """The continuous calculator with these unit prices between `edges` (0 first, then each
    segment's upper, the last unbounded) and flat fee `base` in the first segment; each
    later flat fee is chosen so P has no jump. Volume over it equals graduated over the
    same unit prices."""
    lowers = [to_decimal(edge, "edge") for edge in edges]
    prices = [to_decimal(price, "unit price") for price in unit_prices]
    if len(lowers) != len(prices):
        raise PricingError(errors.CHARGE_INVALID,
                           f"{len(lowers)} edges for {len(prices)} unit prices")
    segments: list[Segment] = []
    a = to_decimal(base, "base")
    with exact():
        for index, (lower, b) in enumerate(zip(lowers, prices)):
            if segments:
                previous = segments[-1]
                a = previous.a + previous.b * lower - b * lower
            upper = lowers[index + 1] if index + 1 < len(lowers) else None
            segments.append(Segment(lower, upper, a, b))
    return Calculator(tuple(segments), CONTINUOUS, name)


def validate_segments(segments: Sequence[Segment], kind: str, name: str = "") -> None:
    """Check that segments start at 0 and are ordered, contiguous and non-overlapping, and,
    for a continuous calculator, that P is the same from both sides of every edge; raise a
    CalculatorError naming the failing edge."""
    named = f"calculator {name!r}" if name else "calculator"
    if kind not in KINDS:
        raise CalculatorError(errors.CALCULATOR_KIND_INVALID,
                              f"{named}: kind {kind!r} is neither {CONTINUOUS!r} "
                              f"nor {STEPWISE!r}")
    check_contiguous([(s.lower, s.upper) for s in segments], Decimal(0), plain, named)
    if kind != CONTINUOUS:
        return
    for index in range(len(segments) - 1):
        left, right = segments[index], segments[index + 1]
        edge = right.lower
        below, above = left.price(edge), right.price(edge)
        if below != above:
            raise CalculatorError(
                errors.CALCULATOR_DISCONTINUOUS,
                f"{named} is declared continuous but jumps at {plain(edge)}: "
                f"{plain(below)} from below (segment {index + 1} {left.label}: "
                f"{plain(left.a)} + {plain(left.b)}·x), {plain(above)} from above "
                f"(segment {index + 2} {right.label}: {plain(right.a)} + {plain(right.b)}·x)",
                edge=edge, below=below, above=above, segment=index + 1)


def check_contiguous(bounds: Sequence[tuple[Bound, Bound | None]], start: Bound,
                     show: Callable[[Any], str], named: str) -> None:
    """Check `[lower, upper)` ranges (1-based in messages) start at `start`, are not empty,
    and follow each other without gap or overlap."""
    if not bounds:
        raise CalculatorError(errors.CALCULATOR_EMPTY, f"{named} has no segments")
    if bounds[0][0] != start:
        raise CalculatorError(errors.CALCULATOR_START,
                              f"{named}: the first segment starts at {show(bounds[0][0])}, "
                              f"not at {show(start)}", edge=bounds[0][0], segment=1)
    for index, (lower, upper) in enumerate(bounds, start=1):
        if upper is not None and not lower < upper:  # type: ignore[operator]
            raise CalculatorError(errors.CALCULATOR_SEGMENT_EMPTY,
                                  f"{named}: segment {index} [{show(lower)}, {show(upper)}) "
                                  f"is empty", edge=lower, segment=index)
    for index in range(1, len(bounds)):
        lower, next_lower = bounds[index - 1][0], bounds[index][0]
        if next_lower < lower:  # type: ignore[operator]
            raise CalculatorError(errors.CALCULATOR_ORDER,
                                  f"{named}: segment {index + 1} starts at "
                                  f"{show(next_lower)}, before segment {index} "
                                  f"({show(lower)}); list segments in ascending order",
                                  edge=next_lower, segment=index + 1)
    for index in range(1, len(bounds)):
        (lower, upper), (next_lower, _) = bounds[index - 1], bounds[index]
        if upper is None or next_lower < upper:  # type: ignore[operator]
            end = "∞" if upper is None else show(upper)
            raise CalculatorError(errors.CALCULATOR_OVERLAP,
                                  f"{named}: segments {index} and {index + 1} overlap at "
                                  f"{show(next_lower)} (segment {index} ends at {end})",
                                  edge=next_lower, segment=index)
        if next_lower > upper:  # type: ignore[operator]
            raise CalculatorError(errors.CALCULATOR_GAP,
                                  f"{named}: no segment covers [{show(upper)}, "
                                  f"{show(next_lower)}) between segments {index} and "
                                  f"{index + 1}", edge=upper, segment=index)
