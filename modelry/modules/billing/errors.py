"""Errors of billing's pricing layer: each carries a stable code and says what it is about."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from modelry import ModelryError

# Codes of PricingError.
AMOUNT_INVALID = "AMOUNT_INVALID"                  # a float, NaN, infinity or not a number
CURRENCY_UNKNOWN = "CURRENCY_UNKNOWN"              # not in money.MINOR_UNITS
PRECISION_EXCEEDED = "PRECISION_EXCEEDED"          # exact arithmetic would have to round
QUANTITY_NEGATIVE = "QUANTITY_NEGATIVE"
QUANTITY_OUT_OF_RANGE = "QUANTITY_OUT_OF_RANGE"    # past the last (bounded) segment
USAGE_EVENTS_REQUIRED = "USAGE_EVENTS_REQUIRED"    # the charge prices events, not a total
USAGE_AMOUNT_MISSING = "USAGE_AMOUNT_MISSING"      # a percentage charge needs each amount
USAGE_TIMESTAMP_MISSING = "USAGE_TIMESTAMP_MISSING"  # a time-of-day charge needs each time
CHARGE_INVALID = "CHARGE_INVALID"                  # e.g. a package size of 0, min > max
FX_RATE_INVALID = "FX_RATE_INVALID"                # not > 0, or currencies that do not chain
MARKUP_INVALID = "MARKUP_INVALID"                  # unknown kind, or a percentage below -100
DISCOUNT_INVALID = "DISCOUNT_INVALID"              # unknown kind, negative, or past 100 %
CURRENCY_MISMATCH = "CURRENCY_MISMATCH"            # a line in another currency than its bill
INTERVAL_INVALID = "INTERVAL_INVALID"              # not one of periods.INTERVALS
ANCHOR_DAY_INVALID = "ANCHOR_DAY_INVALID"          # a billing anchor day outside 1..31
PAUSE_INVALID = "PAUSE_INVALID"                    # resumed before it was paused

# Codes of CalculatorError.
CALCULATOR_EMPTY = "CALCULATOR_EMPTY"
CALCULATOR_KIND_INVALID = "CALCULATOR_KIND_INVALID"  # neither continuous nor stepwise
CALCULATOR_START = "CALCULATOR_START"              # the first segment does not start at 0
CALCULATOR_SEGMENT_EMPTY = "CALCULATOR_SEGMENT_EMPTY"  # upper <= lower
CALCULATOR_ORDER = "CALCULATOR_ORDER"              # segments not in ascending order
CALCULATOR_GAP = "CALCULATOR_GAP"                  # an edge where no segment applies
CALCULATOR_OVERLAP = "CALCULATOR_OVERLAP"          # an edge where two segments apply
CALCULATOR_DISCONTINUOUS = "CALCULATOR_DISCONTINUOUS"  # declared continuous, jumps at an edge


class PricingError(ModelryError):
    """A price cannot be computed from these inputs; `code` says why."""

    code = "PRICING_ERROR"

    def __init__(self, code: str, message: str, *, model: str | None = None,
                 field: str | None = None) -> None:
        super().__init__(message, code=code, model=model, field=field)


class CalculatorError(PricingError):
    """A calculator's segments are invalid: names the failing `edge` and, for a jump, the
    price from `below` and from `above` it."""

    code = "CALCULATOR_ERROR"

    def __init__(self, code: str, message: str, *, edge: Any = None,
                 below: Decimal | None = None, above: Decimal | None = None,
                 segment: int | None = None) -> None:
        super().__init__(code, message, model="billing.Calculator")
        self.edge = edge
        self.below = below
        self.above = above
        self.segment = segment
