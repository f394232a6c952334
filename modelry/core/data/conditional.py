"""Conditional updates: `UPDATE t SET a = :a, ... WHERE <condition>`, returning the count.

The condition is the concurrency check: it is tested on each row as the database updates
it (under the row's lock on PostgreSQL and MariaDB, in the write transaction on SQLite),
so `update_where({"id": 7, "status": "PENDING"}, status="POSTED")` changes a row from
PENDING at most once, however many callers race. No held `opt_version` is compared (name
one in the condition to compare it); the version of each updated row is bumped.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from modelry import directives
from modelry.core.data.references import check_targets
from modelry.core.data.conditions import Condition, compile_condition, record_rules
from modelry.core.data.locks import refuse_readonly
from modelry.core.data.validate import check_values
from modelry.core.data.writable import writable_fields
from modelry.core.data.write import utc_now
from modelry.core.fields import ManyToOne
from modelry.core.registry import ModelMeta
from modelry.directives import Directive
from modelry.errors import DataError


def update_where(manager: Any, connection: sa.Connection, meta: ModelMeta,
                 condition: Condition, values: Mapping[str, Any]) -> int:
    """Set `values` on every row meeting `condition` (and the caller's record rules for
    update); the number of rows updated."""
    refuse_readonly(connection, meta, "update_where")
    where = compile_condition(manager, meta, condition, what="condition")
    if not where:
        raise DataError(f"{meta.code}: update_where needs a condition (to update every "
                        "record, say so: {'id__isnull': False})", code="CONDITION_REQUIRED",
                        model=meta.code)
    if not values:
        raise DataError(f"{meta.code}: update_where needs at least one field to set",
                        code="NOTHING_TO_UPDATE", model=meta.code)
    fields = writable_fields(meta, values, "update", values)
    for name, field in fields.items():
        if field.system:
            raise DataError(f"{meta.code}.{name}: the server sets it; update_where cannot",
                            code="FIELD_NOT_WRITABLE", model=meta.code, field=name)
    named = {fields[name].name: _id_of(meta, name, value)
             if isinstance(fields[name], ManyToOne) else value for name, value in values.items()}
    if directives.is_set(Directive.CHECK):
        named = {**named, **check_values(meta, named, partial=True)}
    row = {}
    for name, value in named.items():
        field = meta.fields[name]
        transform = manager.write_transforms.get((meta.code, name))
        row[field.column] = field.to_db(transform(value) if transform else value)
    table = manager.table(meta)
    row.update(write_date=utc_now(), write_uid=manager.user_id())
    if meta.optimistic_lock:
        row["opt_version"] = table.c.opt_version + 1
    statement = sa.update(table).where(*where, *record_rules(manager, meta, "update"))
    check_targets(manager, connection, meta, [row])
    return connection.execute(statement.values(row)).rowcount


def _id_of(meta: ModelMeta, name: str, value: Any) -> Any:
    if not hasattr(value, "_values"):
        return value
    if value.id is None:
        raise DataError(f"{meta.code}.{name}: the record it names is not saved yet",
                        code="ID_REQUIRED", model=meta.code, field=name)
    return value.id
