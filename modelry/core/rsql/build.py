"""Filters built from data rather than typed: `any_of(groups)` is the RSQL filter that
keyword filter groups spell, `(a=in=(x,y);t=ge=t0),(a==z;t=ge=t1)`, made as nodes.

For code whose filter comes from data too long or too varied for filter text (hundreds of
codes, each group with its own dates): nodes skip the parser, so its text limits do not
apply (an `=in=` list still holds at most `max_in_items` values), and every value is a
bound parameter when compiled, as a parsed one is; nothing is quoted or spliced.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

from modelry.core.rsql.nodes import And, Comparison, Node, Or, Value

KEYWORD_OPERATORS = {"eq": "==", "ne": "!=", "lt": "=lt=", "le": "=le=", "gt": "=gt=",
                     "ge": "=ge=", "in": "=in=", "out": "=out="}


def any_of(groups: Iterable[Mapping[str, Any]]) -> Node:
    """The filter matching the records that meet every keyword filter of some group
    (keywords as `query_list` takes them: `name`, `name__in`, `name__ge`, ...)."""
    built = tuple(And(tuple(_comparison(key, value) for key, value in group.items()), 0, 0)
                  for group in groups)
    if not built or not all(group.children for group in built):
        raise ValueError("any_of needs at least one group, and no empty group")
    return Or(built, 0, 0)


def _comparison(key: str, value: Any) -> Comparison:
    name, _, operator = key.partition("__")
    spelled = KEYWORD_OPERATORS.get(operator or "eq")
    if spelled is None:
        raise ValueError(f"any_of: unknown operator {operator!r} in {key!r}; use one of "
                         f"{', '.join(KEYWORD_OPERATORS)}")
    listed = spelled in ("=in=", "=out=")
    values = list(value) if listed else [value]
    if not values:
        raise ValueError(f"any_of: {key!r} lists no value")
    return Comparison(name, spelled, tuple(Value(_text(item), 0, quoted=True)
                                           for item in values), listed, 0, 0)


def _text(value: Any) -> str:
    """A value as RSQL text (the compiler converts it to the field's kind)."""
    if value is None:
        raise ValueError("any_of: None is no value to compare with (filter on NULL with "
                         "keyword filters)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(getattr(value, "id", value))
