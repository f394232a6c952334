"""Conditions of conditional writes and locks: an RSQL string or keyword filters, and the
caller's record rules, as WHERE clauses over the model's table."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

import sqlalchemy as sa

from modelry.core import context
from modelry.core.data.query import keyword_filter
from modelry.core.registry import ModelMeta
from modelry.core.rsql import compile_filter
from modelry.errors import DataError

# `"stock=ge=3;status==OPEN"` (RSQL) or `{"stock__ge": 3, "status": "OPEN"}`; None: no condition
Condition = Union[str, Mapping[str, Any], None]


def compile_condition(manager: Any, meta: ModelMeta, condition: Condition,
                      what: str = "guard") -> list[sa.ColumnElement[bool]]:
    """WHERE clauses of `condition` (none for None or a blank string)."""
    if condition is None:
        return []
    if isinstance(condition, str):
        if not condition.strip():
            return []
        return [compile_filter(condition, meta, manager, manager.placeholders())]
    if isinstance(condition, Mapping):
        _refuse_hidden(meta, condition)
        return keyword_filter(meta, manager.table(meta), condition, manager.dialect_name)
    raise DataError(f"{meta.code}: the {what} must be an RSQL string or keyword filters "
                    f"(a dict), not {type(condition).__name__}", code="BAD_FILTER",
                    model=meta.code)


def _refuse_hidden(meta: ModelMeta, filters: Mapping[str, Any]) -> None:
    """A client may not filter on a field hidden from it: refused as an unknown field is,
    so the refusal tells nothing about the field (as RSQL refuses it)."""
    hidden = context.hidden_fields(meta.code)
    for key in filters:
        name = key.partition("__")[0]
        if name in hidden or name.removesuffix("_id") in hidden:
            raise DataError(f"{meta.code}: cannot filter on {name!r}: not a stored field",
                            code="BAD_FILTER", model=meta.code, field=name)


def record_rules(manager: Any, meta: ModelMeta, *operations: str
                 ) -> list[sa.ColumnElement[bool]]:
    """The caller's record rules for each of `operations` (none for back-end code)."""
    rules = (manager.row_rule(meta, operation) for operation in operations)
    return [rule for rule in rules if rule is not None]


def record_id(meta: ModelMeta, value: Any) -> int:
    """The id `value` names: an int, a numeric string, or a record."""
    value = value.id if hasattr(value, "_values") else value
    try:
        number = int(value)
        if isinstance(value, bool) or number != value and not isinstance(value, str) \
                or not -2**63 <= number < 2**63:  # ids are 64-bit on every database
            raise ValueError(value)
    except (TypeError, ValueError):
        raise DataError(f"{meta.code}: {value!r} is not a record id", code="BAD_ID",
                        model=meta.code, field="id") from None
    return number
