"""A calculator as it is stored: `billing.Calculator` and its `billing.CalculatorSegment`
rows `[lower, upper)`, each pricing x units as `flat_fee + unit_price·x`."""
from __future__ import annotations

import enum

from modelry import Model, fields
from modelry.modules.billing import calculators


class CalculatorKind(enum.Enum):
    """Whether the price may jump at a segment edge (`calculators.KINDS`)."""

    CONTINUOUS = "CONTINUOUS"
    STEPWISE = "STEPWISE"

    @property
    def pure(self) -> str:
        """The pricing layer's name of this kind."""
        return calculators.CONTINUOUS if self is CalculatorKind.CONTINUOUS \
            else calculators.STEPWISE


class Calculator(Model, model="billing.Calculator", display_name="Calculator"):
    """A piecewise price P(x) over segments; checked when saved (`calculator_checks`)."""

    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    currency = fields.String(required=True, size=3, help="ISO 4217 code, e.g. EUR")
    kind = fields.Enum(CalculatorKind, required=True, default=CalculatorKind.STEPWISE)
    segments = fields.OneToMany("billing.CalculatorSegment", inverse="calculator")


class CalculatorSegment(Model, model="billing.CalculatorSegment",
                        display_name="Calculator segment",
                        unique=[("calculator", "position")]):
    """Units in `[lower, upper)` (`upper` empty: unbounded) cost `flat_fee + unit_price·x`."""

    calculator = fields.ManyToOne("billing.Calculator", required=True, on_delete="CASCADE")
    position = fields.Integer(required=True, help="1 for the first segment, then 2, ...")
    lower = fields.Decimal(24, 6, required=True)
    upper = fields.Decimal(24, 6)
    flat_fee = fields.Decimal(24, 8, required=True, default=0)
    unit_price = fields.Decimal(24, 8, required=True, default=0)
