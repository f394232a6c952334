"""INSERT, UPDATE and DELETE of records, with defaults, checks and the optimistic lock."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from modelry import directives
from modelry.core.data import relations, write_statements
from modelry.core.data.rows import refresh
from modelry.core.data.references import check_targets
from modelry.core.data.validate import check_values
from modelry.core.data.written import key_only
from modelry.core.fields import ManyToOne, Relation
from modelry.core.registry import ModelMeta
from modelry.directives import Directive
from modelry.errors import DataError, OptimisticLockError


def utc_now() -> dt.datetime:
    """Now, as naive UTC (how DateTime columns store time)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def fill_defaults(meta: ModelMeta, record: Any) -> None:
    """Give every unset field with a default its default value."""
    for field in meta.fields.values():
        if field.system or not field.has_default():
            continue
        key = field.column if field.stored else field.name
        if key not in record._values and field.name not in record._related:
            record._set(field.name, field.default_value())


def _scalar_values(meta: ModelMeta, record: Any, names: set[str] | None) -> dict[str, Any]:
    """Field name → value for stored, non-system fields (only `names` when given)."""
    values = {}
    for field in meta.columns:
        if field.system or (names is not None and field.name not in names):
            continue
        if field.column in record._values:
            values[field.name] = record._values[field.column]
    return values


def _checked(meta: ModelMeta, values: dict[str, Any], partial: bool) -> dict[str, Any]:
    if not directives.is_set(Directive.CHECK):
        return values
    return {**values, **check_values(meta, values, partial=partial)}


def _columns(meta: ModelMeta, values: dict[str, Any],
             transforms: dict[tuple[str, str], Any] | None = None) -> dict[str, Any]:
    if transforms:
        values = {name: transforms[(meta.code, name)](value)
                  if (meta.code, name) in transforms else value
                  for name, value in values.items()}
    return {meta.fields[name].column: meta.fields[name].to_db(value)
            for name, value in values.items()}


def _save_new_parents(manager: Any, meta: ModelMeta, record: Any) -> None:
    """ManyToOne values given as records: unsaved ones are created first; the column takes the id.

    The id is copied even when the parent is already saved: it may have been saved after it
    was assigned (e.g. one new parent shared by a batch), when the column still held None.
    """
    for field in meta.many2ones:
        parent = record._related.get(field.name)
        if parent is None:
            continue
        if parent.id is None:
            manager.create(parent)
        record._values[field.column] = parent.id


def prepare_insert(manager: Any, meta: ModelMeta, record: Any) -> dict[str, Any]:
    """Column values to insert for `record` (defaults, checks, audit fields)."""
    if directives.is_set(Directive.DEFAULT_VALUE):
        fill_defaults(meta, record)
    _save_new_parents(manager, meta, record)
    values = _checked(meta, _scalar_values(meta, record, None), partial=False)
    row = _columns(meta, values, getattr(manager, "write_transforms", None))
    if record._values.get("id") is not None:
        row["id"] = int(record._values["id"])
    now, user = utc_now(), manager.user_id()
    row.update(create_date=now, write_date=now, create_uid=user, write_uid=user)
    if meta.optimistic_lock:
        row["opt_version"] = 0
    return row


def insert(manager: Any, connection: sa.Connection, meta: ModelMeta, record: Any) -> Any:
    """Insert one record; fills its id, defaults and audit values from the database."""
    table = manager.table(meta)
    row = prepare_insert(manager, meta, record)
    check_targets(manager, connection, meta, [row])
    returning = connection.dialect.insert_returning
    if key_only(record) and returning:  # the caller answers from the record's values
        record._values["id"] = write_statements.execute_plain(  # (written.py)
            connection, write_statements.insert(table, "id"), row).scalar_one()
    elif returning:
        refresh(meta, record, connection.execute(
            write_statements.insert(table, True), row).one())
    else:
        key = connection.execute(write_statements.insert(table, False), row
                                 ).inserted_primary_key[0]
        refresh(meta, record, connection.execute(
            sa.select(table).where(table.c.id == key)).one())
    if "id" in row:
        _advance_sequence(connection, table)
    _finish_write(manager, connection, meta, record)
    return record


def _advance_sequence(connection: sa.Connection, table: sa.Table) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequence past them."""
    if connection.dialect.name != "postgresql":
        return  # MySQL/MariaDB AUTO_INCREMENT and SQLite rowids follow the maximum by themselves
    connection.execute(sa.select(sa.func.setval(
        sa.func.pg_get_serial_sequence(table.name, "id"),
        sa.select(sa.func.coalesce(sa.func.max(table.c.id), 1)).scalar_subquery())))


def insert_many(manager: Any, connection: sa.Connection, meta: ModelMeta,
                records: list[Any]) -> list[Any]:
    """Insert records with one multi-row statement per distinct set of columns."""
    table = manager.table(meta)
    groups: dict[tuple[str, ...], list[tuple[Any, dict[str, Any]]]] = {}
    for record in records:
        row = prepare_insert(manager, meta, record)
        groups.setdefault(tuple(sorted(row)), []).append((record, row))
    check_targets(manager, connection, meta, [row for group in groups.values()
                                              for _, row in group])
    for group in groups.values():
        if connection.dialect.name == "sqlite":
            _insert_sqlite_group(connection, meta, table, group)
        elif connection.dialect.insert_executemany_returning:
            statement = sa.insert(table).returning(*table.c, sort_by_parameter_order=True)
            rows = connection.execute(statement, [row for _, row in group]).all()
            for (record, _), returned in zip(group, rows):
                refresh(meta, record, returned)
        else:
            for record, row in group:
                key = connection.execute(sa.insert(table).values(row)).inserted_primary_key[0]
                refresh(meta, record, connection.execute(
                    sa.select(table).where(table.c.id == key)).one())
    if any("id" in key for key in groups):
        _advance_sequence(connection, table)
    for record in records:
        _finish_write(manager, connection, meta, record)
    return records


def _insert_sqlite_group(connection: sa.Connection, meta: ModelMeta, table: sa.Table,
                         group: list[tuple[Any, dict[str, Any]]]) -> None:
    """One multi-row INSERT on SQLite, its RETURNING rows matched to records by id.

    SQLite cannot tie RETURNING rows to parameter sets, so SQLAlchemy's ordered RETURNING
    falls back to one INSERT per row. Rows without an id take the next ones, max(id) + 1 on,
    as SQLite itself would; the write transaction (BEGIN IMMEDIATE) keeps other writers out.
    """
    rows = [row for _, row in group]
    if "id" not in rows[0]:  # a group shares its columns: no row has an id
        start = connection.scalar(sa.select(sa.func.max(table.c.id))) or 0
        for offset, row in enumerate(rows, start=1):
            row["id"] = start + offset
    returned = {r._mapping["id"]: r for r in connection.execute(
        sa.insert(table).returning(*table.c), rows)}
    for record, row in group:
        refresh(meta, record, returned[row["id"]])


def _finish_write(manager: Any, connection: sa.Connection, meta: ModelMeta, record: Any) -> None:
    """Write pending to-many values, then mark the record clean."""
    for name in sorted(record._changed):
        field = meta.fields.get(name)
        if isinstance(field, Relation) and not isinstance(field, ManyToOne):
            if name in record._related:
                relations.write(manager, connection, record, field, record._related[name])
    record._changed.clear()


def permitted_ids(manager: Any, connection: sa.Connection, meta: ModelMeta,
                  operation: str, ids: list[Any]) -> list[Any]:
    """The ids among `ids` that the caller's record rules let `operation` touch."""
    rule = manager.row_rule(meta, operation)
    if rule is None or not ids:
        return ids
    table = manager.table(meta)
    allowed = set(connection.scalars(sa.select(table.c.id).where(table.c.id.in_(ids), rule)))
    return [i for i in ids if int(i) in allowed]


def update(manager: Any, connection: sa.Connection, meta: ModelMeta, record: Any) -> int:
    """UPDATE the changed fields of one record; 0 when its held version is stale (or when
    record rules hide it from the caller). Where the dialect has UPDATE … RETURNING, the
    record learns its stored row at once."""
    # no row returned when the caller answers from the record's values (written.py)
    returning = not key_only(record) and connection.dialect.update_returning
    statement, bound, held, row = _update_statement(manager, meta, record, returning)
    if not permitted_ids(manager, connection, meta, "update", [int(record.id)]):
        return 0
    check_targets(manager, connection, meta, [row])
    if returning:
        returned = connection.execute(statement, bound).first()
        count = 0 if returned is None else 1
        if returned is not None:
            refresh(meta, record, returned)
    else:
        count = write_statements.execute_plain(connection, statement, bound).rowcount
    if count:
        if held is not None:
            record._values["opt_version"] = held + 1
        _finish_write(manager, connection, meta, record)
    return count


def _update_statement(manager: Any, meta: ModelMeta, record: Any, returning: bool = False
                      ) -> tuple[sa.Update, dict[str, Any], int | None, dict[str, Any]]:
    """The UPDATE of `record`'s changed fields (a statement of its shape), its bound values,
    the version it holds, and the values set."""
    if record._values.get("id") is None:
        raise DataError(f"{meta.code}: update needs the record's id", code="ID_REQUIRED",
                        model=meta.code, field="id")
    _save_new_parents(manager, meta, record)
    values = _checked(meta, _scalar_values(meta, record, record._changed), partial=True)
    row = _columns(meta, values, getattr(manager, "write_transforms", None))
    row.update(write_date=utc_now(), write_uid=manager.user_id())
    held = None
    if meta.optimistic_lock and not directives.is_set(Directive.UNLOCK):
        held = record._values.get("opt_version")
        if held is None:
            raise DataError(f"{meta.code}: update of record {record.id} needs opt_version "
                            "(the version you read): the model is optimistically locked",
                            code="OPT_VERSION_REQUIRED", model=meta.code, field="opt_version")
        held = int(held)
    row.pop("opt_version", None)  # the statement counts it up itself
    statement = write_statements.update_by_id(
        manager.table(meta), tuple(sorted(row)), meta.optimistic_lock, held is not None,
        returning)
    return statement, write_statements.parameters(row, int(record._values["id"]), held), \
        held, row


def update_many(manager: Any, connection: sa.Connection, meta: ModelMeta,
                records: list[Any]) -> int:
    """Update every record or none: raises OptimisticLockError naming the stale ids."""
    planned = [(record, *_update_statement(manager, meta, record)) for record in records]
    allowed = set(permitted_ids(manager, connection, meta, "update",
                                [int(record.id) for record in records]))
    planned = [plan for plan in planned if int(plan[0].id) in allowed]
    check_targets(manager, connection, meta, [plan[4] for plan in planned])
    total, stale = 0, []
    with connection.begin_nested() as savepoint:
        for record, statement, bound, _, _ in planned:
            count = connection.execute(statement, bound).rowcount
            if count == 0 and meta.optimistic_lock:
                stale.append(record.id)
            total += count
        if stale:
            savepoint.rollback()
            raise OptimisticLockError(
                f"{meta.code}: records {', '.join(map(str, stale))} were changed or deleted "
                "since they were read; nothing in the batch was written",
                model=meta.code, stale_ids=stale)
        for record, _, _, held, _ in planned:
            if held is not None:
                record._values["opt_version"] = held + 1
            _finish_write(manager, connection, meta, record)
    return total

