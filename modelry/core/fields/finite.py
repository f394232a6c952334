"""Numbers a column may hold: finite ones. NaN and ±infinity are refused on every write.

JSON (so GraphQL) has no such numbers, MySQL/MariaDB cannot store them and SQLite turns
NaN into NULL; an infinity stored once made every later read of its row fail.
"""
from __future__ import annotations

import decimal
import math
from typing import Any

from modelry.errors import ValidationFailed

NOT_FINITE = "NOT_FINITE"
MESSAGE = "must be a finite number"


def is_finite(value: Any) -> bool:
    """False for a float or Decimal NaN or ±infinity; True for anything else."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, decimal.Decimal):
        return value.is_finite()
    return True


def refuse_not_finite(field: Any, value: Any) -> Any:
    """`value`, or a ValidationFailed naming `field` when it is NaN or ±infinity."""
    if is_finite(value):
        return value
    raise ValidationFailed(field.model, [{
        "model": field.model, "field": field.name, "code": NOT_FINITE,
        "message": f"{MESSAGE}, not {value}"}])
