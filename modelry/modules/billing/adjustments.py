"""What markups and discounts share: a fixed amount or a percentage of an amount."""
from __future__ import annotations

from decimal import Decimal

from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.money import exact, to_decimal

FIXED = "fixed"
PERCENT = "percent"


def checked_value(kind: str, value: Decimal | int | str, code: str, what: str) -> Decimal:
    """`value` as a Decimal once `kind` is known to be fixed or percent (else `code`)."""
    if kind not in (FIXED, PERCENT):
        raise PricingError(code, f"{what} kind {kind!r} is neither {FIXED!r} nor {PERCENT!r}",
                           field="kind")
    return to_decimal(value, "value")


def adjustment(kind: str, value: Decimal, base: Decimal) -> Decimal:
    """`value` itself when fixed, `value` % of `base` when a percentage; exact."""
    with exact():
        return value if kind == FIXED else base * value / 100
