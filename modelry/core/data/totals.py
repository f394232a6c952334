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
EXTREME_KINDS = frozenset({"date", "datetime", "time"})   # besides numbers: MAX, MIN
DECIMAL_KINDS = frozenset({"decimal", "money"})


def group_totals(connection: sa.Connection, table: sa.Table, meta: ModelMeta,
                 where: list[Any], group_by: str | Sequence[str], sums: Sequence[str],
                 maxes: Sequence[str] = (), mins: Sequence[str] = ()) -> list[dict[str, Any]]:
    """One dict per group: each `group_by` field's value, each `sums` field's total (0 when
    the group holds none), `max_<name>` / `min_<name>` of each `maxes` / `mins` field (None
    when the group has no value) and `count`, the group's records."""
    for what, names in (("sums", sums), ("maxes", maxes), ("mins", mins)):
        if isinstance(names, str) or not isinstance(names, (list, tuple)):
            raise DataError(f"{meta.code}: group_totals' `{what}` is a list of field names; "
                            f"got {names!r}", code="BAD_TOTALS", model=meta.code)
    if not (sums or maxes or mins):
        raise DataError(f"{meta.code}: group_totals needs `sums` (or `maxes`, `mins`), a "
                        f"list of numeric field names; got {sums!r}", code="BAD_TOTALS",
                        model=meta.code)
    if not isinstance(group_by, (str, list, tuple)):
        raise DataError(f"{meta.code}: group_by is a field name or a list of them; got "
                        f"{group_by!r}", code="BAD_TOTALS", model=meta.code)
    groups = _fields(meta, [group_by] if isinstance(group_by, str) else list(group_by))
    totals = _fields(meta, list(sums))
    extremes = [("max", name, field) for name, field in _fields(meta, list(maxes))] + \
        [("min", name, field) for name, field in _fields(meta, list(mins))]
    for name, field in totals + [(name, field) for _, name, field in extremes]:
        if field.kind not in NUMERIC_KINDS | EXTREME_KINDS:
            raise DataError(f"{meta.code}.{name} is a {field.kind} field: only numeric, "
                            "date and time fields have totals or extremes",
                            code="NOT_NUMERIC", model=meta.code, field=name)
        if field.kind not in NUMERIC_KINDS and any(name == n for n, _ in totals):
            raise DataError(f"{meta.code}.{name} is a {field.kind} field: only Integer, "
                            "BigInteger, Float, Decimal and Money fields can be totalled",
                            code="NOT_NUMERIC", model=meta.code, field=name)
    keys = [table.c[field.column] for _, field in groups]
    exact = connection.dialect.name == "sqlite" and any(
        field.kind not in INTEGER_KINDS | {"float"} for _, field in totals) or (
        connection.dialect.name == "sqlite" and any(
            field.kind in DECIMAL_KINDS for _, _, field in extremes))
    if exact:
        rows = _added_in_python(connection, keys, [table.c[f.column] for _, f in totals],
                                [(kind, table.c[f.column]) for kind, _, f in extremes], where)
    else:
        aggregate = {"max": sa.func.max, "min": sa.func.min}
        statement = sa.select(*keys, *(sa.func.sum(table.c[f.column]) for _, f in totals),
                              *(aggregate[kind](table.c[f.column]) for kind, _, f in extremes),
                              sa.func.count()).select_from(table).where(*where)
        rows = [tuple(row) for row in connection.execute(statement.group_by(*keys)
                                                         if keys else statement)]
    rows.sort(key=lambda row: [(value is not None, value) for value in row[:len(keys)]])
    width, after = len(keys), len(keys) + len(totals)
    return [{**{name: field.from_db(row[i]) for i, (name, field) in enumerate(groups)},
             **{name: _total(field, row[width + i]) for i, (name, field) in enumerate(totals)},
             **{f"{kind}_{name}": _extreme(field, row[after + i])
                for i, (kind, name, field) in enumerate(extremes)},
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
                     extremes: list[tuple[str, Any]], where: list[Any]
                     ) -> list[tuple[Any, ...]]:
    """Group rows, totals and extremes computed from the matching rows (exact decimals on
    SQLite)."""
    totals: dict[tuple[Any, ...], list[Any]] = {}
    width = len(values) + len(extremes)
    pick = [max if kind == "max" else min for kind, _ in extremes]
    statement = sa.select(*keys, *values, *(column for _, column in extremes)).where(*where)
    for row in connection.execute(statement):
        group = tuple(row[:len(keys)])
        found = totals.setdefault(group, [None] * width + [0])
        for index, value in enumerate(row[len(keys):]):
            if value is None:
                continue
            if found[index] is None:
                found[index] = value
            elif index < len(values):
                found[index] += value
            else:
                found[index] = pick[index - len(values)](found[index], value)
        found[-1] += 1
    if not keys and not totals:
        totals[()] = [None] * width + [0]   # as SUM without GROUP BY: one row
    return [(*group, *found) for group, found in totals.items()]


def _extreme(field: Field, value: Any) -> Any:
    """A MAX or MIN as a value of the field's kind (None: no value in the group)."""
    if value is None:
        return None
    if field.kind in NUMERIC_KINDS:
        return _total(field, value)
    return field.from_db(value)


def _total(field: Field, value: Any) -> Any:
    """A SUM as a number of the field's kind (0 for a group whose values are all NULL)."""
    if field.kind in INTEGER_KINDS:
        return int(value or 0)
    if field.kind == "float":
        return float(value or 0)
    if value is None:
        return decimal.Decimal(0)
    return value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))

