"""DELETE of records by id, each id once, checked against the version a caller read.

On an optimistically locked model (and UNLOCK clear), a record that carries `opt_version`
is deleted only at that version, and a batch with any stale record deletes nothing
(OptimisticLockError names the stale ids). A record without a version, or a bare id, is
deleted whatever its version.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from modelry import directives
from modelry.core.data.references import check_unreferenced, referrers
from modelry.core.data.write import permitted_ids
from modelry.core.registry import ModelMeta
from modelry.directives import Directive
from modelry.errors import DataError, OptimisticLockError


def _id_and_version(meta: ModelMeta, item: Any) -> tuple[int, int | None]:
    """(id, held version or None) of a record or a bare id."""
    if not hasattr(item, "_values"):
        return int(item), None
    identifier, version = item._values.get("id"), item._values.get("opt_version")
    if identifier is None:
        raise DataError(f"{meta.code}: delete needs the record's id", code="ID_REQUIRED",
                        model=meta.code, field="id")
    return int(identifier), None if version is None else int(version)


def distinct_by_id(meta: ModelMeta, items: list[Any]) -> dict[int, Any]:
    """id → one record (or id) naming it, in first-seen order: the one holding a version
    when any does. An id listed with two different versions is refused (DUPLICATE_ID): at
    most one of them can be current."""
    found: dict[int, tuple[Any, int | None]] = {}
    for item in items:
        identifier, version = _id_and_version(meta, item)
        held = found.get(identifier, (None, None))[1]
        if held is not None and version is not None and held != version:
            raise DataError(f"{meta.code}: record {identifier} (field id) is listed twice "
                            f"with different versions ({held} and {version})",
                            code="DUPLICATE_ID", model=meta.code, field="id")
        if identifier not in found or held is None and version is not None:
            found[identifier] = (item, version)
    return {identifier: item for identifier, (item, _) in found.items()}


def delete(manager: Any, connection: sa.Connection, meta: ModelMeta, items: list[Any]) -> int:
    """DELETE the records (or ids) that record rules let the caller delete, each once;
    returns how many went. Raises OptimisticLockError, deleting none, if any is stale."""
    distinct = distinct_by_id(meta, items)
    ids = permitted_ids(manager, connection, meta, "delete", list(distinct))
    if not ids:
        return 0
    table = manager.table(meta)
    held: dict[int, int] = {}
    if meta.optimistic_lock and not directives.is_set(Directive.UNLOCK):
        for identifier in ids:
            version = _id_and_version(meta, distinct[identifier])[1]
            if version is not None:
                held[identifier] = version
    statement = sa.delete(table).where(table.c.id.in_(ids))
    if referrers(manager, meta):  # references kept without a foreign key: checked after
        with connection.begin_nested():
            deleted = _delete(connection, meta, table, statement, ids, held)
            check_unreferenced(manager, connection, meta, ids)
        return deleted
    return _delete(connection, meta, table, statement, ids, held)


def _delete(connection: sa.Connection, meta: ModelMeta, table: sa.Table,
            statement: sa.Delete, ids: list[Any], held: dict[int, int]) -> int:
    if not held:
        return connection.execute(statement).rowcount
    unchecked = [identifier for identifier in ids if identifier not in held]
    at_version = sa.tuple_(table.c.id, table.c.opt_version).in_(list(held.items()))
    statement = statement.where(sa.or_(table.c.id.in_(unchecked), at_version)
                                if unchecked else at_version)
    with connection.begin_nested() as savepoint:
        deleted = connection.execute(statement).rowcount
        if deleted < len(ids):  # still there after the delete: held at another version
            stale = sorted(connection.scalars(
                sa.select(table.c.id).where(table.c.id.in_(list(held)))))
            if stale:
                savepoint.rollback()
                raise OptimisticLockError(
                    f"{meta.code}: records {', '.join(map(str, stale))} were changed since "
                    "they were read (their optVersion is stale); nothing in the batch was "
                    "deleted", model=meta.code, stale_ids=stale)
    return deleted
