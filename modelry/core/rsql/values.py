"""Values → the field's Python type, before binding; ValueError/TypeError give the reason."""
from __future__ import annotations

import datetime as dt
import decimal
import enum
import math
import re
from collections.abc import Callable
from typing import Any

from modelry.core.fields import Field

_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INT64 = 2 ** 63
_MAX_DECIMAL_EXPONENT = 65  # MySQL's DECIMAL holds 65 digits; beyond that nothing matches
_TRUE, _FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})


def _text(field: Field, value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        text = str(value)
    else:
        raise TypeError(f"expected text, got {type(value).__name__}")
    if "\x00" in text:
        raise ValueError("the NUL character is not allowed")
    return text


def _integer(field: Field, value: Any) -> int:
    if isinstance(value, str):
        if not _INTEGER.fullmatch(value.strip()):
            raise ValueError(f"{value!r} is not an integer")
        value = int(value)
    elif isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    if not -_INT64 <= value < _INT64:
        raise ValueError(f"{value} is out of the 64-bit integer range")
    return value


def _float(field: Field, value: Any) -> float:
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value.strip()):
            raise ValueError(f"{value!r} is not a number")
        value = float(value)
    elif isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal)):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def _decimal(field: Field, value: Any) -> decimal.Decimal:
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value.strip()):
            raise ValueError(f"{value!r} is not a decimal number")
        number = decimal.Decimal(value.strip())
    elif isinstance(value, decimal.Decimal):
        number = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = decimal.Decimal(str(value))
    else:
        raise TypeError(f"expected a decimal number, got {type(value).__name__}")
    if not number.is_finite() or abs(number.adjusted()) > _MAX_DECIMAL_EXPONENT:
        raise ValueError(f"{value!r} is out of range")
    return number


def _boolean(field: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not a boolean: write true or false")


def _iso(value: Any, kind: type) -> Any:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 {kind.__name__}, got {type(value).__name__}")
    if not value.isascii():
        raise ValueError(f"{value!r} is not an ISO 8601 {kind.__name__}")
    try:
        return kind.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 {kind.__name__}") from None


def _date(field: Field, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise TypeError("expected a date, got a datetime")
    return value if isinstance(value, dt.date) else _iso(value, dt.date)


def _datetime(field: Field, value: Any) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        if isinstance(value, dt.date):
            value = dt.datetime.combine(value, dt.time())
        else:
            value = _iso(value, dt.datetime)
    return field.to_db(value)


def _time(field: Field, value: Any) -> dt.time:
    found = value if isinstance(value, dt.time) else _iso(value, dt.time)
    if found.tzinfo is not None:
        raise ValueError(f"{value!r}: a time of day takes no UTC offset")
    return found


def _enum(field: Field, value: Any) -> Any:
    enum_class: type[enum.Enum] = field.enum_class  # type: ignore[attr-defined]
    if isinstance(value, enum_class):
        return value.value
    if isinstance(value, str):
        if value in enum_class.__members__:
            return enum_class[value].value
        for member in enum_class:
            if str(member.value) == value:
                return member.value
    elif isinstance(value, int) and not isinstance(value, bool):
        for member in enum_class:
            if member.value == value:
                return member.value
    names = ", ".join(enum_class.__members__)
    raise ValueError(f"{value!r} is not a member of {enum_class.__name__} ({names})")


CONVERTERS: dict[str, Callable[[Field, Any], Any]] = {
    "string": _text, "text": _text, "integer": _integer, "biginteger": _integer,
    "many2one": _integer, "float": _float, "decimal": _decimal, "money": _decimal,
    "boolean": _boolean, "date": _date, "datetime": _datetime, "time": _time, "enum": _enum,
}


def convert(field: Field, value: Any) -> Any:
    """`value` (RSQL text or a placeholder's Python value) as `field` binds it."""
    converter = CONVERTERS.get(field.kind)
    if converter is None:
        raise ValueError(f"{field.kind} fields cannot be compared with a value")
    return converter(field, value)


def to_text(value: Any) -> str:
    """A LIKE operand: the text as written, whatever the field's kind."""
    return _text(None, value)  # type: ignore[arg-type]


def to_boolean(value: Any) -> bool:
    """The argument of `=isnull=`/`=notnull=`."""
    return _boolean(None, value)  # type: ignore[arg-type]
