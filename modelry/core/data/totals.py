"""Grouped totals: `SELECT <group>, SUM(a), ..., COUNT(*) ... GROUP BY <group>` in one
statement, for reports that would otherwise read every record to add numbers up.

Groups come back ordered by their values, NULL first (as sorts put it everywhere). On
SQLite, which stores exact decimals as text (see `modelry.core.schema.decimal_text`), a
total of a Decimal or Money field is added up in Python, exactly, from the matching rows;
every other total is the database's SUM.
"""
from __future__ import annotations

import decimal
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from modelry.core import context
from modelry.core.data.deltas import INTEGER_KINDS, NUMERIC_KINDS
from modelry.core.data.writable import stored_field
from modelry.core.fields import Field
from modelry.core.registry import ModelMeta
from modelry.errors import DataError

COUNT = "count"  # never a field's name: `count` is a model method


def group_totals(connection: sa.Connection, table: sa.Table, meta: ModelMeta,
                 where: list[Any], group_by: str | Sequence[str],
                 sums: Sequence[str]) -> list[dict[str, Any]]:
    """One dict per group: each `group_by` field's value, each `sums` field's total (0 when
    the group holds none) and `count`, the group's records."""
    if isinstance(sums, str) or not isinstance(sums, (list, tuple)) or not sums:
        raise DataError(f"{meta.code}: group_totals needs `sums`, a list of numeric field "
                        f"names; got {sums!r}", code="BAD_TOTALS", model=meta.code)
    if not isinstance(group_by, (str, list, tuple)):
        raise DataError(f"{meta.code}: group_by is a field name or a list of them; got "
                        f"{group_by!r}", code="BAD_TOTALS", model=meta.code)
    groups = _fields(meta, [group_by] if isinstance(group_by, str) else list(group_by))
    totals = _fields(meta, list(sums))
    for name, field in totals:
        if field.kind not in NUMERIC_KINDS:
            raise DataError(f"{meta.code}.{name} is a {field.kind} field: only Integer, "
                            "BigInteger, Float, Decimal and Money fields can be totalled",
                            code="NOT_NUMERIC", model=meta.code, field=name)
    keys = [table.c[field.column] for _, field in groups]
    exact = connection.dialect.name == "sqlite" and any(
        field.kind not in INTEGER_KINDS | {"float"} for _, field in totals)
    if exact:
        rows = _added_in_python(connection, keys, [table.c[f.column] for _, f in totals], where)
    else:
        statement = sa.select(*keys, *(sa.func.sum(table.c[f.column]) for _, f in totals),
                              sa.func.count()).select_from(table).where(*where)
        rows = [tuple(row) for row in connection.execute(statement.group_by(*keys)
                                                         if keys else statement)]
    rows.sort(key=lambda row: [(value is not None, value) for value in row[:len(keys)]])
    width = len(keys)
    return [{**{name: field.from_db(row[i]) for i, (name, field) in enumerate(groups)},
             **{name: _total(field, row[width + i]) for i, (name, field) in enumerate(totals)},
             COUNT: int(row[-1] or 0)} for row in rows]


def _fields(meta: ModelMeta, names: list[str]) -> list[tuple[str, Field]]:
    """(name as given, stored field) for each name; a hidden field is refused as an unknown
    one is, so the refusal tells a client nothing about it."""
    hidden = context.hidden_fields(meta.code)
    found = []
    for name in names:
        field = stored_field(meta, name)
        if field.name in hidden or field.write_only:
            raise DataError(f"{meta.code}: unknown field {name!r}", code="UNKNOWN_FIELD",
                            model=meta.code, field=name)
        found.append((name, field))
    return found


def _added_in_python(connection: sa.Connection, keys: list[Any], values: list[Any],
                     where: list[Any]) -> list[tuple[Any, ...]]:
    """Group rows and totals computed from the matching rows (exact decimals on SQLite)."""
    totals: dict[tuple[Any, ...], list[Any]] = {}
    statement = sa.select(*keys, *values).where(*where)
    for row in connection.execute(statement):
        group = tuple(row[:len(keys)])
        sums = totals.setdefault(group, [None] * len(values) + [0])
        for index, value in enumerate(row[len(keys):]):
            if value is not None:
                sums[index] = value if sums[index] is None else sums[index] + value
        sums[-1] += 1
    if not keys and not totals:
        totals[()] = [None] * len(values) + [0]   # as SUM without GROUP BY: one row
    return [(*group, *sums) for group, sums in totals.items()]


def _total(field: Field, value: Any) -> Any:
    """A SUM as a number of the field's kind (0 for a group whose values are all NULL)."""
    if field.kind in INTEGER_KINDS:
        return int(value or 0)
    if field.kind == "float":
        return float(value or 0)
    if value is None:
        return decimal.Decimal(0)
    return value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))

