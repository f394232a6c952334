"""Scalar field types."""
from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

from modelry.core import sealing
from modelry.core.fields.base import Field
from modelry.core.fields.finite import refuse_not_finite
from modelry.errors import DeclarationError


class String(Field):
    """Bounded text: VARCHAR(size), size 128 unless given."""

    kind = "string"
    python_type = str
    extra_options = frozenset({"size"})

    def __init__(self, size: int = 128, **options: Any) -> None:
        super().__init__(**options)
        self.size = size

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "size": self.size}


class Secret(String):
    """Text kept sealed at rest (`modelry.core.sealing`): encrypted when written, opened when
    read by back-end code; never read by clients (write-only). VARCHAR(size) holds the
    sealed form: about 100 characters plus 4/3 of the secret's."""

    def __init__(self, size: int = 512, **options: Any) -> None:
        super().__init__(size, **{"write_only": True, **options})

    def to_db(self, value: Any) -> Any:
        return value if value is None else sealing.seal(str(value))

    def from_db(self, value: Any) -> Any:
        return value if value is None else sealing.unseal(value)


class Text(Field):
    """Unbounded text."""

    kind = "text"
    python_type = str


class Integer(Field):
    """32-bit integer."""

    kind = "integer"
    python_type = int


class BigInteger(Field):
    """64-bit integer (travels as a string in GraphQL)."""

    kind = "biginteger"
    python_type = int


class Float(Field):
    """Double-precision float; NaN and ±infinity are refused."""

    kind = "float"
    python_type = float

    def to_db(self, value: Any) -> Any:
        if isinstance(value, str):  # a database would read "inf" or "NaN" as a float too
            try:
                value = float(value)
            except ValueError:
                return value  # not a number: the database refuses it
        return refuse_not_finite(self, value)


class Decimal(Field):
    """Exact decimal with `precision` digits, `scale` after the point."""

    kind = "decimal"
    python_type = decimal.Decimal
    extra_options = frozenset({"precision", "scale"})
    default_precision, default_scale = 18, 6

    def __init__(self, precision: int | None = None, scale: int | None = None,
                 **options: Any) -> None:
        super().__init__(**options)
        self.precision = precision or self.default_precision
        self.scale = self.default_scale if scale is None else scale

    def to_db(self, value: Any) -> Any:
        if type(value) is decimal.Decimal and value.is_finite():  # the common case, first
            return value
        if value is None:
            return value
        number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
        return refuse_not_finite(self, number)

    def from_db(self, value: Any) -> Any:
        if value is None or isinstance(value, decimal.Decimal):
            return value
        # SQLite keeps numerics as floats; quantize back to the declared scale
        return self.scaled(value)

    def default_value(self) -> Any:
        """The default at the declared scale, as the database would give it back."""
        value = super().default_value()
        return None if value is None else self.scaled(value)

    def scaled(self, value: Any) -> decimal.Decimal:
        """`value` as a Decimal with the declared number of places."""
        return decimal.Decimal(str(value)).quantize(decimal.Decimal(1).scaleb(-self.scale))

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "precision": self.precision, "scale": self.scale}


class Money(Decimal):
    """Amount of money: a decimal, 20 digits with 4 after the point by default."""

    kind = "money"
    default_precision, default_scale = 20, 4


class Boolean(Field):
    """True or false."""

    kind = "boolean"
    python_type = bool

    def from_db(self, value: Any) -> Any:
        return value if value is None else bool(value)


class Date(Field):
    """Calendar date."""

    kind = "date"
    python_type = dt.date


class DateTime(Field):
    """Date and time, stored as naive UTC (aware values are converted to UTC)."""

    kind = "datetime"
    python_type = dt.datetime

    def to_db(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value


class Time(Field):
    """Time of day."""

    kind = "time"
    python_type = dt.time


class Enum(Field):
    """A Python Enum, stored by value (strings in VARCHAR, integers in INTEGER)."""

    kind = "enum"
    extra_options = frozenset({"size"})

    def __init__(self, enum_class: type[enum.Enum], size: int | None = None,
                 **options: Any) -> None:
        super().__init__(**options)
        if not (isinstance(enum_class, type) and issubclass(enum_class, enum.Enum)):
            raise DeclarationError(f"Enum field needs a Python Enum class, got {enum_class!r}")
        self.enum_class = enum_class
        values = [member.value for member in enum_class]
        self.int_values = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        if not self.int_values and not all(isinstance(v, str) for v in values):
            raise DeclarationError(
                f"Enum {enum_class.__name__}: values must be all str or all int")
        self.size = size or max(16, *(len(str(v)) for v in values))

    @property
    def python_type(self) -> Any:  # type: ignore[override]
        return self.enum_class

    def to_db(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, self.enum_class):
            return value.value
        if isinstance(value, str) and value in self.enum_class.__members__:
            return self.enum_class[value].value
        return self.enum_class(value).value

    def from_db(self, value: Any) -> Any:
        return None if value is None else self.enum_class(value)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "size": self.size, "int_values": self.int_values,
                "enum": self.enum_class.__name__,
                "values": [str(m.value) for m in self.enum_class]}


class Json(Field):
    """Any JSON document (dict, list, scalar)."""

    kind = "json"
    python_type = Any

    def static_default(self) -> Any:
        from modelry.core.fields.base import NOTHING
        return NOTHING  # JSON columns take no literal default on MySQL


class Binary(Field):
    """Bytes."""

    kind = "binary"
    python_type = bytes

    def from_db(self, value: Any) -> Any:
        return bytes(value) if isinstance(value, (memoryview, bytearray)) else value

    def static_default(self) -> Any:
        from modelry.core.fields.base import NOTHING
        return NOTHING
