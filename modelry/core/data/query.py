"""Keyword filters: `name="x", income__gt=100, id__in=[1, 2]` → WHERE conditions."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from modelry.core.fields import Decimal, ManyToOne
from modelry.core.registry import ModelMeta
from modelry.core.rsql.values import convert
from modelry.core.schema.among import among
from modelry.errors import DataError

KEYWORD_OPERATORS = {
    "eq": lambda c, v: c.is_(None) if v is None else c == v,
    "ne": lambda c, v: c.is_not(None) if v is None else sa.or_(c != v, c.is_(None)),
    "lt": lambda c, v: c < v, "le": lambda c, v: c <= v,
    "gt": lambda c, v: c > v, "ge": lambda c, v: c >= v,
    "in": lambda c, v: c.in_(v), "isnull": lambda c, v: c.is_(None) if v else c.is_not(None),
}


def keyword_filter(meta: ModelMeta, table: sa.Table, filters: Mapping[str, Any],
                   dialect: str = "") -> list[sa.ColumnElement[bool]]:
    """`name="x", income__gt=100, id__in=[1, 2]` → WHERE conditions on stored fields
    (`__in` as `schema.among` writes it for `dialect`)."""
    conditions = []
    for key, value in filters.items():
        name, _, operator = key.partition("__")
        operator = operator or "eq"
        field = _stored_field(meta, name)
        if operator not in KEYWORD_OPERATORS:
            raise DataError(f"{meta.code}: unknown filter operator {operator!r} in {key!r}; "
                            f"use one of {', '.join(KEYWORD_OPERATORS)}",
                            code="BAD_FILTER", model=meta.code, field=name)
        if operator == "in":
            value = [field.to_db(_in_range(meta, field, v)) for v in value]
            conditions.append(among(table.c[field.column], value, dialect))
            continue
        elif operator != "isnull" and value is not None:
            value = field.to_db(_id_of(value) if isinstance(field, ManyToOne)
                                else _in_range(meta, field, value))
        conditions.append(KEYWORD_OPERATORS[operator](table.c[field.column], value))
    return conditions


def _in_range(meta: ModelMeta, field: Any, value: Any) -> Any:
    """`value`, after refusing a decimal as RSQL does (past 10^65 no column holds it, and
    SQLite's exact decimals cannot even bind it)."""
    if isinstance(field, Decimal) and value is not None:
        try:
            convert(field, value)
        except (TypeError, ValueError) as error:
            raise DataError(f"{meta.code}: cannot filter {field.name}: {error}",
                            code="BAD_FILTER", model=meta.code, field=field.name) from None
    return value


def _id_of(value: Any) -> Any:
    return value.id if hasattr(value, "_values") else value


def _stored_field(meta: ModelMeta, name: str) -> Any:
    field = meta.fields.get(name)
    if field is None and name.endswith("_id"):
        candidate = meta.fields.get(name[:-3])
        field = candidate if isinstance(candidate, ManyToOne) else None
    if field is None or not field.stored:
        raise DataError(f"{meta.code}: cannot filter on {name!r}: not a stored field",
                        code="BAD_FILTER", model=meta.code, field=name)
    return field
