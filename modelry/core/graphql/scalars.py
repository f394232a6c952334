"""Wire formats: Long ids and Money travel as strings, times as ISO 8601, bytes as base64,
floats that are not finite (only other writers can store them) as null.

The same `to_wire` functions serve the compiled path, so both paths answer identically.
"""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import enum
import math
from typing import Any, Callable, NewType

import strawberry

from modelry.core.numbers import Long


def _long(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("a boolean is not an integer")
    try:
        result = int(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an integer") from None
    if not -2 ** 63 <= result < 2 ** 63:  # the columns (and ids) are 64-bit
        raise ValueError(f"{value!r} is out of the 64-bit integer range")
    return result


def _decimal(value: Any) -> decimal.Decimal:
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    try:
        result = decimal.Decimal(str(value))
    except decimal.InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def _plain(value: Any) -> str:
    """A decimal in positional notation, all its digits: 0E-10 is 0.0000000000."""
    if not isinstance(value, decimal.Decimal):
        value = decimal.Decimal(str(value))  # a default such as 0 (int) or 0.5 (float)
    return format(value, "f")


def _datetime(value: Any) -> dt.datetime:
    result = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if result.tzinfo is not None:
        try:  # stored as UTC: 0001-01-01T00:00+05:00 has no UTC counterpart
            result.astimezone(dt.UTC)
        except OverflowError:
            raise ValueError(f"{value!r} is out of range in UTC") from None
    return result


def _binary(value: Any) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except ValueError:
        raise ValueError("binary values travel as base64") from None


BigDecimal = NewType("BigDecimal", decimal.Decimal)
DateTime = NewType("DateTime", dt.datetime)
Date = NewType("Date", dt.date)
Time = NewType("Time", dt.time)
Binary = NewType("Binary", bytes)
JSON = NewType("JSON", object)

SCALAR_MAP: dict[object, Any] = {  # strawberry's StrawberryConfig(scalar_map=...)
    Long: strawberry.scalar(name="Long", description="64-bit integer as a string",
                            serialize=str, parse_value=_long),
    BigDecimal: strawberry.scalar(name="BigDecimal", description="exact decimal as a string",
                                  serialize=_plain, parse_value=_decimal),
    DateTime: strawberry.scalar(name="DateTime", description="ISO 8601 date and time (UTC)",
                                serialize=lambda v: v.isoformat(), parse_value=_datetime),
    Date: strawberry.scalar(name="Date", description="ISO 8601 date",
                            serialize=lambda v: v.isoformat(),
                            parse_value=lambda v: dt.date.fromisoformat(str(v))),
    Time: strawberry.scalar(name="Time", description="ISO 8601 time",
                            serialize=lambda v: v.isoformat(),
                            parse_value=lambda v: dt.time.fromisoformat(str(v))),
    Binary: strawberry.scalar(name="Binary", description="base64 bytes",
                              serialize=lambda v: base64.b64encode(v).decode(),
                              parse_value=_binary),
    JSON: strawberry.scalar(name="JSON", description="any JSON value",
                            serialize=lambda v: v, parse_value=lambda v: v),
}

SCALARS: dict[str, Any] = {
    "string": str, "text": str, "integer": int, "biginteger": Long, "float": float,
    "decimal": BigDecimal, "money": BigDecimal, "boolean": bool, "date": Date,
    "datetime": DateTime, "time": Time, "json": JSON, "binary": Binary, "many2one": Long,
}


def finite_or_none(value: Any) -> Any:
    """A float as a response carries it: NaN and ±infinity (JSON has neither; modelry
    refuses to write them, other writers may not) become null instead of failing."""
    return None if type(value) is float and not math.isfinite(value) else value


def _iso(value: Any) -> str:
    return value.isoformat()


WIRE: dict[str, Callable[[Any], Any]] = {
    "biginteger": str, "many2one": str, "decimal": _plain, "money": _plain, "date": _iso,
    "datetime": _iso, "time": _iso, "float": finite_or_none,
    "binary": lambda v: base64.b64encode(v).decode(),
}


def to_wire(kind: str, value: Any) -> Any:
    """A Python value of a field of `kind` as it appears in a response."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        return value.name
    convert = WIRE.get(kind)
    return convert(value) if convert is not None else value
