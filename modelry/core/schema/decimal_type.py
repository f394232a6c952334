"""Decimal and Money columns: NUMERIC(precision, scale), exact on every database.

PostgreSQL and MariaDB store NUMERIC exactly. SQLite does not (about 15 significant
digits), so there the column stays declared NUMERIC(p, s) (old databases see no schema
change) but holds the sortable text of `decimal_text`: values are rounded to the scale
as they are written (half away from zero, as PostgreSQL and MariaDB round), compared
exactly (a compared value is never rounded), and read back at the declared scale.
Numbers an older modelry stored there (REAL or INTEGER) are still read.
"""
from __future__ import annotations

import decimal
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from modelry.core.schema import decimal_text

_CONTEXT = decimal.Context(prec=decimal_text.MAX_INTEGER_DIGITS + 100,
                           rounding=decimal.ROUND_HALF_UP)


class _NumericText(sa.Numeric):  # type: ignore[type-arg]
    """NUMERIC(p, s) in DDL; values pass to and from SQLite untouched (already text)."""

    def bind_processor(self, dialect: Any) -> None:
        return None

    def result_processor(self, dialect: Any, coltype: Any) -> None:
        return None

    def literal_processor(self, dialect: Any) -> None:
        return None


class DecimalType(sa.types.TypeDecorator[decimal.Decimal]):
    """NUMERIC(precision, scale); on SQLite, stored as sortable text. `rounded` False is
    the type of compared values: rounding them to the scale would change the answer."""

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int, rounded: bool = True) -> None:
        super().__init__(precision, scale, asdecimal=True)
        self.precision, self.scale, self.rounded = precision, scale, rounded

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "sqlite":
            return _NumericText(self.precision, self.scale, asdecimal=True)
        return dialect.type_descriptor(sa.Numeric(self.precision, self.scale, asdecimal=True))

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return DecimalType(self.precision, self.scale, rounded=False)

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        number = value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))
        return decimal_text.encode(self.at_scale(number) if self.rounded else number)

    def process_literal_param(self, value: Any, dialect: Any) -> str:
        if value is None:
            return "NULL"
        if dialect.name != "sqlite":
            return str(value)
        return f"'{self.process_bind_param(value, dialect)}'"

    def process_result_value(self, value: Any, dialect: Any) -> decimal.Decimal | None:
        if value is None or dialect.name != "sqlite":
            return value  # type: ignore[no-any-return]
        number = decimal_text.decode(value) if decimal_text.is_encoded(value) \
            else decimal.Decimal(str(value))  # a number an older modelry stored
        return self.at_scale(number)

    def at_scale(self, value: decimal.Decimal) -> decimal.Decimal:
        """`value` rounded to the declared scale (half away from zero)."""
        return value.quantize(decimal.Decimal(1).scaleb(-self.scale), context=_CONTEXT)


class DecimalAsNumber(sa.ColumnElement[Any]):
    """A decimal column read as a number, to compare it with a column of another number
    kind (`income=cole=employees`): on SQLite its text becomes a REAL (about 15 digits,
    as NUMERIC affinity kept it before); elsewhere it is the column itself."""

    __visit_name__ = "decimal_as_number"
    inherit_cache = True
    _traverse_internals: ClassVar[list[tuple[str, Any]]] = [
        ("column", InternalTraversal.dp_clauseelement)]
    type = sa.Float()

    def __init__(self, column: sa.ColumnElement[Any]) -> None:
        self.column = column

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects  # type: ignore[no-any-return]


@compiles(DecimalAsNumber)
def _as_column(element: DecimalAsNumber, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column, **kw)  # type: ignore[no-any-return]


@compiles(DecimalAsNumber, "sqlite")
def _as_real(element: DecimalAsNumber, compiler: Any, **kw: Any) -> str:
    text = element.column
    body = sa.func.substr(text, 4, sa.func.length(text) - 4)   # without N, nn and ~
    nines: Any = body
    for digit in "012345678":
        nines = sa.func.replace(nines, digit, "9")
    real = sa.case(
        (sa.func.substr(text, 1, 1) == "P", sa.cast(sa.func.substr(text, 4), sa.Float)),
        (sa.func.substr(text, 1, 1) == "N", sa.cast(body, sa.Float) - sa.cast(nines, sa.Float)),
        else_=sa.type_coerce(text, sa.Float))
    return compiler.process(real, **kw)  # type: ignore[no-any-return]


def columns_equal(left: sa.ColumnElement[Any], right: sa.ColumnElement[Any]
                  ) -> sa.ColumnElement[bool]:
    """`left = right`; a decimal column compared with a column of another number kind is
    read as a number (two decimal columns compare their sortable text, exactly)."""
    if isinstance(left.type, DecimalType) != isinstance(right.type, DecimalType):
        left = DecimalAsNumber(left) if isinstance(left.type, DecimalType) else left
        right = DecimalAsNumber(right) if isinstance(right.type, DecimalType) else right
    return left == right
