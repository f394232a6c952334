"""Increments: `UPDATE t SET a = COALESCE(a, 0) + :da, ... WHERE id = :id AND <guard>`.

On PostgreSQL and MariaDB the database adds: concurrent increments of one row queue on its
row lock and none is lost, and the guard is tested on the row as it is when the lock is
granted (the committed values, never a stale read). On SQLite the write transaction
(BEGIN IMMEDIATE) already keeps every other writer out, so the rows are read, the sums
computed in Python (exact for decimals, which SQLite stores as text; integers checked
against their range as the other databases check them) and written back, in that
transaction.

Every increment also sets `write_date` and `write_uid`, and bumps `opt_version` on an
optimistically locked model: no held version is compared (increments commute), but a
record read before the increment can no longer be written back over it.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from modelry.core.data import transaction
from modelry.core.data.conditions import (Condition, compile_condition, record_id,
                                          record_rules)
from modelry.core.data.deltas import delta_values, in_range, numeric_fields
from modelry.core.data.locks import IDS_PER_STATEMENT, refuse_readonly
from modelry.core.data.write import utc_now
from modelry.core.fields import Field
from modelry.core.registry import ModelMeta
from modelry.errors import ConditionFailed, DataError

log = logging.getLogger("modelry.data")
# bound names no column can take (columns never start with _)
ID_KEY, DELTA_PREFIX, SKIP_PREFIX = "_row_id", "_delta_", "_skip_"
MYSQL_OUT_OF_RANGE = 1690  # "BIGINT value is out of range": MariaDB's OperationalError


def increment(manager: Any, connection: sa.Connection, meta: ModelMeta, key: Any,
              guard: Condition, deltas: Mapping[str, Any]) -> int:
    """Add `deltas` to record `key` when it meets `guard`; 1, or 0 when it does not (or is
    gone, or the caller's record rules for update hide it)."""
    return _apply(manager, connection, meta, {key: deltas}, guard, all_or_none=False)


def increment_batch(manager: Any, connection: sa.Connection, meta: ModelMeta,
                    changes: Mapping[Any, Mapping[str, Any]], guard: Condition) -> int:
    """Add each record's deltas, one UPDATE per record in id order, in one round trip where
    the driver allows; all or none: ConditionFailed names the records missed."""
    return _apply(manager, connection, meta, changes, guard, all_or_none=True)


def _apply(manager: Any, connection: sa.Connection, meta: ModelMeta,
           changes: Mapping[Any, Mapping[str, Any]], guard: Condition,
           all_or_none: bool) -> int:
    refuse_readonly(connection, meta, "increment")
    keyed = _by_id(meta, changes)
    if not keyed:
        return 0
    fields = numeric_fields(manager, meta, {name for _, deltas in keyed for name in deltas})
    planned = delta_values(meta, fields, keyed)
    conditions = compile_condition(manager, meta, guard) + record_rules(manager, meta, "update")
    table = manager.table(meta)
    if connection.dialect.name == "sqlite":
        return _computed(manager, connection, meta, table, fields, planned, conditions,
                         all_or_none, guard)
    partial = _partial(fields, planned)
    statement = _statement(manager, meta, table, fields, partial, conditions, arithmetic=True)
    params = [_params(fields, partial, key, values) for key, values in planned]
    if not all_or_none:
        return _execute(connection, meta, fields, statement, params[0])
    if not conditions and _all_held(connection, meta, [key for key, _ in planned]):
        # rows this transaction locked or inserted, no guard: none can be missed, and on
        # PostgreSQL a refused UPDATE aborts the whole transaction: no savepoint needed
        count = _execute(connection, meta, fields, statement, params)
        if count != len(params):
            raise DataError(f"{meta.code}: {len(params) - count} locked records were not "
                            "updated", code="CONDITION_FAILED", model=meta.code)
        return count
    savepoint = connection.begin_nested()  # all or none: a miss undoes the others
    try:
        count = _execute(connection, meta, fields, statement, params)
    except BaseException:
        savepoint.rollback()
        raise
    if count != len(params):
        savepoint.rollback()
        _fail(manager, connection, meta, table, [k for k, _ in planned], conditions, guard)
    savepoint.commit()
    return count


def _all_held(connection: sa.Connection, meta: ModelMeta, keys: list[int]) -> bool:
    """Whether, on PostgreSQL, every row is one this transaction holds (Transaction.hold)."""
    active = transaction.current()
    return (connection.dialect.name == "postgresql" and active is not None
            and active.connection is connection
            and all(active.holds(meta.code, key) for key in keys))


def _execute(connection: sa.Connection, meta: ModelMeta, fields: list[Field],
             statement: sa.Update, params: Any) -> int:
    """Run the UPDATE; a sum its column cannot hold is INVALID_VALUE naming the fields."""
    try:
        return connection.execute(statement, params).rowcount
    except (sa.exc.DataError, sa.exc.OperationalError) as error:
        number = getattr(error.orig, "args", (None,))[:1]
        if isinstance(error, sa.exc.OperationalError) and number != (MYSQL_OUT_OF_RANGE,):
            raise
        log.info("%s: increment refused: %s", meta.code, str(error.orig)[:300])
        names = ", ".join(field.name for field in fields)
        raise DataError(f"{meta.code}: the database refused the new value of {names}: out "
                        "of the column's range", code="INVALID_VALUE", model=meta.code,
                        field=fields[0].name if len(fields) == 1 else None) from error


def _by_id(meta: ModelMeta, changes: Mapping[Any, Mapping[str, Any]]
           ) -> list[tuple[int, Mapping[str, Any]]]:
    """(id, deltas) sorted by id: rows are locked in id order, as `lock` takes them."""
    keyed: dict[int, Mapping[str, Any]] = {}
    for key, deltas in changes.items():
        number = record_id(meta, key)
        if number in keyed:
            raise DataError(f"{meta.code}: record {number} is named twice in one increment "
                            "batch", code="DUPLICATE_ID", model=meta.code, field="id")
        if not isinstance(deltas, Mapping):
            raise DataError(f"{meta.code}: the deltas of record {number} must be a mapping "
                            "of field name to number", code="NOT_A_NUMBER", model=meta.code)
        keyed[number] = deltas
    return sorted(keyed.items())


def _statement(manager: Any, meta: ModelMeta, table: sa.Table, fields: list[Field],
               partial: set[Field], conditions: list[Any], arithmetic: bool) -> sa.Update:
    """`SET a = COALESCE(a, 0) + :_delta_a` (arithmetic), or `SET a = :_delta_a` holding the
    computed sum; a field only some records name is left as it is in the others (`CASE
    WHEN :_skip_a THEN a ELSE ... END`); audit fields, the version bump, the conditions."""
    values: dict[str, Any] = {}
    for field in fields:
        column = table.c[field.column]
        bound = sa.bindparam(DELTA_PREFIX + field.column, type_=column.type)
        value = sa.func.coalesce(column, 0) + bound if arithmetic else bound
        if field in partial:
            skip = sa.bindparam(SKIP_PREFIX + field.column, type_=sa.Boolean())
            value = sa.case((skip, column), else_=value)
        values[field.column] = value
    values.update(write_date=utc_now(), write_uid=manager.user_id())
    if meta.optimistic_lock:
        values["opt_version"] = table.c.opt_version + 1
    where = table.c.id == sa.bindparam(ID_KEY, type_=table.c.id.type)
    return sa.update(table).where(where, *conditions).values(values)


def _params(fields: list[Field], partial: set[Field], key: int, values: list[Any]
            ) -> dict[str, Any]:
    params: dict[str, Any] = {ID_KEY: key}
    for field, value in zip(fields, values):
        params[DELTA_PREFIX + field.column] = 0 if value is None else value
        if field in partial:
            params[SKIP_PREFIX + field.column] = value is None
    return params


def _partial(fields: list[Field], planned: list[tuple[int, list[Any]]]) -> set[Field]:
    """The fields some records leave out."""
    return {field for n, field in enumerate(fields) if any(v[n] is None for _, v in planned)}


def _computed(manager: Any, connection: sa.Connection, meta: ModelMeta, table: sa.Table,
              fields: list[Field], planned: list[tuple[int, list[Any]]],
              conditions: list[Any], all_or_none: bool, guard: Condition) -> int:
    """SQLite: read the rows that meet the conditions, add in Python, write the sums."""
    keys = [key for key, _ in planned]
    current = _read(connection, table, [table.c[f.column] for f in fields], keys, conditions)
    if all_or_none and len(current) != len(keys):
        _fail(manager, connection, meta, table, keys, conditions, guard)
    params = []
    for key, deltas in planned:
        if key not in current:
            continue
        sums = {DELTA_PREFIX + field.column:
                old if delta is None else in_range(meta, field, key, _add(old, delta))
                for field, old, delta in zip(fields, current[key], deltas)}
        params.append({ID_KEY: key, **sums})
    if not params:
        return 0
    statement = _statement(manager, meta, table, fields, set(), conditions, arithmetic=False)
    return connection.execute(statement, params).rowcount


def _add(old: Any, delta: Any) -> Any:
    return delta if old is None else old + delta  # NULL counts as 0, as COALESCE says


def _read(connection: sa.Connection, table: sa.Table, columns: list[Any], keys: list[int],
          conditions: list[Any]) -> dict[int, tuple[Any, ...]]:
    found: dict[int, tuple[Any, ...]] = {}
    for start in range(0, len(keys), IDS_PER_STATEMENT):
        chunk = keys[start:start + IDS_PER_STATEMENT]
        query = sa.select(table.c.id, *columns).where(table.c.id.in_(chunk), *conditions)
        found.update((row[0], tuple(row[1:])) for row in connection.execute(query))
    return found


def _fail(manager: Any, connection: sa.Connection, meta: ModelMeta, table: sa.Table,
          keys: list[int], conditions: list[Any], guard: Condition) -> None:
    """Raise ConditionFailed naming the records gone (or hidden) and those failing `guard`."""
    rules = record_rules(manager, meta, "update")
    visible = set(_read(connection, table, [], keys, rules))
    meeting = set(_read(connection, table, [], keys, conditions))
    missing = [key for key in keys if key not in visible]
    refused = [key for key in keys if key in visible and key not in meeting]
    parts = []
    if missing:
        parts.append(f"records {_listed(missing)} do not exist (or your record rules hide "
                     "them)")
    if refused:
        parts.append(f"records {_listed(refused)} do not meet the guard {guard!r}")
    raise ConditionFailed(f"{meta.code}: increment_batch wrote nothing: {'; '.join(parts)}",
                          model=meta.code, missing=missing, refused=refused)


def _listed(keys: list[int], shown: int = 20) -> str:
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return ", ".join(map(str, keys[:shown])) + more
