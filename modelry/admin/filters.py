"""Typed list filters: the URL's `f.<field>` parameters read into RSQL, and the inputs that
show them (text, number/date/time range, enum or yes/no choice, related record).

A parameter naming no filter the caller may use (unknown, hidden by a field rule,
write-only) is refused whole (FilterRefused, the list is not read); a value that is no
value of its field's type is an error shown on its filter.
"""
from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field as dataclass_field
from typing import Any, Mapping

from modelry.admin.pages import field_label
from modelry.core.rsql.quoting import quote
from modelry.errors import ModelryError

PREFIX = "f."
RANGE_ENDS = ("from", "to")
NUMBER_KINDS = ("integer", "biginteger", "float", "decimal", "money")
WHOLE_KINDS = ("integer", "biginteger")
MAX_FILTER_TEXT = 200
RANGE_INPUTS = {"date": "date", "datetime": "date", "time": "time"}


class FilterRefused(ModelryError):
    """A list was asked for with a filter it does not offer."""

    code = "FILTER_REFUSED"


@dataclass
class Filter:
    """One filter of a list as its form shows it: `values` are the URL's texts (one, or
    from/to for a range), `options` a choice's (value, label) pairs."""

    name: str
    label: str
    kind: str                  # text | range | choice | relation
    input_type: str = "text"   # of a text or range input: text, number, date, time
    values: tuple[str, ...] = ("",)
    options: list[tuple[str, str]] = dataclass_field(default_factory=list)
    step: str | None = None
    error: str | None = None

    def param(self, end: str | None = None) -> str:
        """The URL parameter of this filter (of one end of a range)."""
        return f"{PREFIX}{self.name}" + (f".{end}" if end else "")


def kind_of(field: Any) -> str:
    """How a field is filtered: text, range, choice or relation."""
    if field.kind in ("string", "text"):
        return "text"
    if field.kind in ("enum", "boolean"):
        return "choice"
    if field.kind == "many2one":
        return "relation"
    return "range"


def requested(params: Mapping[str, str], meta: Any, offered: tuple[str, ...],
              invisible: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """The filter parameters of a URL with a value, checked against the filters `offered`
    the caller may see; FilterRefused naming the first one that is no such filter."""
    usable = {name for name in offered if name not in invisible}
    found = []
    for key, value in params.items():
        if not key.startswith(PREFIX):
            continue
        name, _, end = key[len(PREFIX):].partition(".")
        ranged = name in usable and kind_of(meta.fields[name]) == "range"
        if name not in usable or (end not in RANGE_ENDS if ranged else end != ""):
            raise FilterRefused(f"{meta.code}: the list has no filter {key!r} (nothing was "
                                "read)", model=meta.code, field=name)
        if value.strip():
            found.append((key, value.strip()[:MAX_FILTER_TEXT]))
    order = {name: index for index, name in enumerate(offered)}
    return tuple(sorted(found, key=lambda pair: (order[pair[0][len(PREFIX):].split(".")[0]],
                                                  pair[0])))


def build(meta: Any, offered: tuple[str, ...], invisible: frozenset[str],
          chosen: tuple[tuple[str, str], ...]) -> tuple[list[Filter], list[str]]:
    """The filters the caller sees, holding the `chosen` values, and the RSQL clause of
    each filter set (a filter whose value is wrong carries its error instead)."""
    values = dict(chosen)
    shown, clauses = [], []
    for name in offered:
        if name in invisible:
            continue
        field = meta.fields[name]
        made = _widget(field)
        made.values = tuple(values.get(made.param(end), "") for end in RANGE_ENDS) \
            if made.kind == "range" else (values.get(made.param(), ""),)
        try:
            clause = _clause(field, made)
        except ValueError as error:
            made.error = str(error)
        else:
            if clause:
                clauses.append(clause)
        shown.append(made)
    return shown, clauses


def _widget(field: Any) -> Filter:
    kind = kind_of(field)
    made = Filter(field.name, field_label(field), kind)
    if field.kind == "enum":
        made.options = [(str(m.value), str(m.value)) for m in field.enum_class]
    elif field.kind == "boolean":
        made.options = [("true", "yes"), ("false", "no")]
    elif field.kind in NUMBER_KINDS:
        made.input_type = "number"
        made.step = "1" if field.kind in WHOLE_KINDS else "any"
    elif kind == "range":
        made.input_type = RANGE_INPUTS[field.kind]
    return made


def _clause(field: Any, made: Filter) -> str | None:
    name = field.name
    if made.kind == "text":
        return f"{name}=ilike={quote(made.values[0])}" if made.values[0] else None
    if made.kind == "relation":
        if not made.values[0]:
            return None
        if not made.values[0].isdigit():
            raise ValueError("choose a record")
        return f"{name}=={int(made.values[0])}"
    if made.kind == "choice":
        value = made.values[0]
        if not value:
            return None
        if field.kind == "boolean":
            if value not in ("true", "false"):
                raise ValueError("choose yes or no")
            return f"{name}=={value}"
        if value not in {option for option, _ in made.options}:
            raise ValueError("choose one of the listed values")
        return f"{name}=={quote(value)}"
    low, high = (_bound(field, text) if text else None for text in made.values)
    if low is not None and high is not None and low > high:
        raise ValueError("the first bound is above the second")
    parts = []
    if low is not None:
        parts.append(f"{name}=ge={_rsql_value(low)}")
    if high is not None:
        if field.kind == "datetime":  # up to the end of that day
            parts.append(f"{name}=lt={_rsql_value(high + dt.timedelta(days=1))}")
        else:
            parts.append(f"{name}=le={_rsql_value(high)}")
    return ";".join(parts) or None


def _bound(field: Any, text: str) -> Any:
    if field.kind in NUMBER_KINDS:
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            raise ValueError("enter a number") from None
        if not number.is_finite() or (field.kind in WHOLE_KINDS and number != int(number)):
            raise ValueError("enter a whole number" if field.kind in WHOLE_KINDS
                             else "enter a number")
        return number
    kind, shape = (dt.time, "time as HH:MM") if field.kind == "time" else \
        (dt.date, "date as YYYY-MM-DD")
    try:
        return kind.fromisoformat(text)
    except ValueError:
        raise ValueError(f"enter a {shape}") from None


def _rsql_value(value: Any) -> str:
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    return quote(value.isoformat())
