"""Valid values for the fuzz test's valid twins: what a well-behaved client may send for a
field, as JSON variables, drawn from its declaration (type, size, precision, required).

Ranges are those all three databases store (MariaDB dates from year 1000, no NUL
characters for PostgreSQL); a unique field's value starts with a number used once.
"""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import itertools
from typing import Any

from hypothesis import strategies as st

from modelry.core import fields

TEXT = st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00")
DATES = st.dates(dt.date(1000, 1, 1), dt.date(9999, 12, 31))
JSON_SCALARS = st.none() | st.booleans() | st.integers(-2 ** 53, 2 ** 53) | \
    st.floats(allow_nan=False, allow_infinity=False, width=32) | st.text(TEXT, max_size=20)
JSON = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(TEXT, max_size=8), inner, max_size=4), max_leaves=8)
_unique = itertools.count(1)


def value_of(field: fields.Field) -> st.SearchStrategy[Any]:
    """A JSON value that `field` accepts from a client (never null when it is required)."""
    strategy = _strategy(field)
    if isinstance(field, (fields.String, fields.Text)) and (field.unique or field.required):
        strategy = strategy.map(lambda text: f"{next(_unique)} {text}"[:_size(field)])
    return strategy if field.required else st.none() | strategy


def _size(field: fields.Field) -> int:
    return getattr(field, "size", 60)


def _strategy(field: fields.Field) -> st.SearchStrategy[Any]:
    if isinstance(field, (fields.String, fields.Text)):
        return st.text(TEXT, max_size=min(_size(field), 40))
    if isinstance(field, fields.Integer):
        return st.integers(-2 ** 31, 2 ** 31 - 1)
    if isinstance(field, fields.BigInteger):
        return st.integers(-2 ** 63, 2 ** 63 - 1).map(str)
    if isinstance(field, fields.Float):
        return st.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)
    if isinstance(field, fields.Decimal):
        bound = decimal.Decimal(10) ** (field.precision - field.scale) - 1
        return st.decimals(-bound, bound, places=field.scale).map(str)
    if isinstance(field, fields.Boolean):
        return st.booleans()
    if isinstance(field, fields.Date):
        return DATES.map(dt.date.isoformat)
    if isinstance(field, fields.DateTime):
        return st.datetimes(dt.datetime(1000, 1, 2), dt.datetime(9999, 12, 30)).map(
            dt.datetime.isoformat)
    if isinstance(field, fields.Time):
        return st.times().map(dt.time.isoformat)
    if isinstance(field, fields.Enum):
        return st.sampled_from([member.name for member in field.enum_class])
    if isinstance(field, fields.Json):
        return JSON
    if isinstance(field, fields.Binary):
        return st.binary(max_size=48).map(lambda raw: base64.b64encode(raw).decode())
    raise TypeError(f"no valid values known for {type(field).__name__}")
