"""Bulk inserts that skip the rows whose unique key is already stored: `insert_bulk(rows,
returning_ids=True, skip_existing=("tenant", "source", "event_id"))` answers each row's new
id, or None for a row skipped, without a read before the insert, a lock, or a failed
statement to roll back (the way idempotent ingestion stores a batch whose events may have
been sent before).

`skip_existing` names one of the model's declared unique sets: a row clashing on that set
with a stored row, with a row a concurrent transaction commits meanwhile (the insert waits
for it), or with an earlier row of the same batch, is skipped; a clash on any other
constraint still raises. A key holding a NULL never clashes (as in a unique index).

- PostgreSQL: ids drawn from the sequence first, then `INSERT ... ON CONFLICT (<set>) DO
  NOTHING RETURNING id` (from arrays when the columns allow): the ids that come back were
  inserted.
- SQLite: ids from max(id) + 1 under the write lock, `INSERT ... ON CONFLICT (<set>) DO
  NOTHING`, then the ids in that range that exist were inserted.
- MariaDB: `INSERT IGNORE ... RETURNING id, <set>` (only inserted rows come back, in
  order, matched to their rows by key). IGNORE also turns a NULL, a bad value or a clash
  on another key into a warning and goes on: when a statement left warnings, they are
  read, and any but a duplicate on the skipped key raises what the plain INSERT would
  have (the transaction then rolls back, so nothing adjusted is kept).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pymysql
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from modelry.core.data.bulk_pages import mysql_pages
from modelry.core.data.bulk_unnest import unnest_statement
from modelry.core.registry import ModelMeta
from modelry.errors import DataError

Key = tuple[Any, ...]


def skip_columns(meta: ModelMeta, names: Sequence[str]) -> tuple[str, ...]:
    """The columns of the unique set `names` (in any order), or a DataError naming the
    model when it declares no such set."""
    wanted = set(names)
    for declared in meta.unique:
        if set(declared) == wanted and len(declared) == len(wanted):
            return meta.unique_columns(tuple(declared))
    if len(wanted) == 1:
        field = meta.fields.get(next(iter(wanted)))
        if field is not None and field.unique and field.stored:
            return (field.column,)
    raise DataError(f"{meta.code}: insert_bulk can skip rows on a declared unique set only; "
                    f"{sorted(wanted)} is none of {[list(s) for s in meta.unique]}",
                    code="BAD_SKIP_SET", model=meta.code)


def insert_skipping(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]],
                    columns: tuple[str, ...], next_ids: Any) -> list[int | None]:
    """Insert the rows (column → value, no `id`) whose key is not stored; each row's new
    id, None when skipped. `next_ids(count)` draws ids where the dialect needs them first."""
    firsts: list[dict[str, Any]] = []
    positions: list[int] = []
    seen: set[Key] = set()
    for index, row in enumerate(rows):
        key = tuple(row[column] for column in columns)
        if None not in key:
            if key in seen:
                continue  # a repeat within the batch: the first one is inserted
            seen.add(key)
        firsts.append(row)
        positions.append(index)
    result: list[int | None] = [None] * len(rows)
    if not firsts:
        return result
    dialect = connection.dialect.name
    if dialect == "mysql":
        inserted = _mysql(connection, table, firsts, columns)
    elif dialect == "postgresql":
        inserted = _postgresql(connection, table, firsts, columns, next_ids(len(firsts)))
    else:
        inserted = _sqlite(connection, table, firsts, columns, next_ids(len(firsts)))
    for position, key in zip(positions, inserted):
        result[position] = key
    return result


def _postgresql(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]],
                columns: tuple[str, ...], ids: list[int]) -> list[int | None]:
    for row, key in zip(rows, ids):
        row["id"] = key
    index = [table.c[column] for column in columns]
    unnest = unnest_statement(table, rows, getattr(connection.dialect, "_json_serializer",
                                                   None))
    if unnest is not None:
        statement = unnest[0].on_conflict_do_nothing(  # type: ignore[attr-defined]
            index_elements=index).returning(table.c.id)
        got = set(connection.scalars(statement, unnest[1]).all())
    else:
        got = set()
        for start in range(0, len(rows), 100):
            statement = postgresql.insert(table).values(rows[start:start + 100])
            got.update(connection.scalars(statement.on_conflict_do_nothing(
                index_elements=index).returning(table.c.id)))
    return [key if key in got else None for key in ids]


def _sqlite(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]],
            columns: tuple[str, ...], ids: list[int]) -> list[int | None]:
    for row, key in zip(rows, ids):
        row["id"] = key
    statement = sqlite.insert(table).on_conflict_do_nothing(
        index_elements=[table.c[column] for column in columns])
    connection.execute(statement, rows)
    got = set(connection.scalars(sa.select(table.c.id).where(table.c.id.between(ids[0],
                                                                                 ids[-1]))))
    return [key if key in got else None for key in ids]


def _mysql(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]],
           columns: tuple[str, ...]) -> list[int | None]:
    statement = sa.insert(table).prefix_with("IGNORE").returning(
        table.c.id, *[table.c[column] for column in columns])
    key_name = _unique_name(table, columns)
    connection.execute(sa.text(f"SET SESSION max_error_count = {MAX_WARNINGS}"))
    result: list[int | None] = []
    for page in mysql_pages(connection, rows):
        returned = connection.execute(statement, page, execution_options={
            "insertmanyvalues_page_size": len(page)}).all()
        if connection.scalar(sa.text("SHOW COUNT(*) WARNINGS")):
            _refuse_other_warnings(connection, key_name)
        # the inserted rows come back in the order given: walk both
        waiting = iter(returned)
        found = next(waiting, None)
        for row in page:
            if found is not None and tuple(found[1:]) == tuple(row[c] for c in columns):
                result.append(found[0])
                found = next(waiting, None)
            else:
                result.append(None)
        if found is not None:  # a row came back unlike any given: a value was changed
            raise DataError(f"{table.name}: the database stored a key unlike the one given "
                            f"({tuple(found[1:])!r})", code="INVALID_VALUE")
    return result


MAX_WARNINGS = 65_535    # MariaDB keeps 64 warnings by default; a page has fewer rows
_DUPLICATE = 1062
_DATA_WARNINGS = {1264, 1265, 1292, 1366, 1406}   # out of range, truncated, bad value


def _refuse_other_warnings(connection: sa.Connection, key_name: str | None) -> None:
    """Raise, as the plain INSERT would have, for the first warning that is not a row
    skipped on the skipped key (a NULL, a value adjusted, a clash on another key)."""
    for _, number, message in connection.execute(sa.text("SHOW WARNINGS")):
        if number == _DUPLICATE and key_name is not None and \
                re.search(rf"for key [`']?(?:\w+\.)?{re.escape(key_name)}[`']?$", message):
            continue
        kind = sa.exc.DataError if number in _DATA_WARNINGS else sa.exc.IntegrityError
        original = pymysql.err.DataError(number, message) if number in _DATA_WARNINGS \
            else pymysql.err.IntegrityError(number, message)
        raise kind("INSERT IGNORE", None, original)


def _unique_name(table: sa.Table, columns: tuple[str, ...]) -> str | None:
    """The name of the table's unique constraint or index over exactly `columns`."""
    wanted = set(columns)
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint) and \
                {column.name for column in constraint.columns} == wanted:
            return str(constraint.name)
    for index in table.indexes:
        if index.unique and {column.name for column in index.columns} == wanted:
            return str(index.name)
    return None
