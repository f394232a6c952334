"""Bulk inserts: plain dicts in, a few statements per thousands of rows, no records built.

Rows that give their `id` go first (PostgreSQL's id sequence then moves past them), then
the rest, each dialect its fastest way (measured by bench/data_bench.py):

- PostgreSQL: one `INSERT ... SELECT * FROM unnest(<an array per column>)` (bulk_unnest.py):
  the same short statement for every call with these columns, so compiled, parsed and
  planned once; JSON documents too, serialized into arrays. When a column cannot travel
  as an array, multi-row INSERTs of up to ROWS_PER_STATEMENT rows (fewer when the columns
  would pass 65,535 parameters), all sent as one executemany that psycopg pipelines: one
  round trip. Ids, when asked for, are drawn from the id sequence
  first, one statement for all rows (`SELECT nextval(...) FROM generate_series(1, n)`),
  and inserted with them.
- MariaDB: PyMySQL's executemany rewrites the INSERT into multi-row statements of at most
  1 MB (within `max_allowed_packet`). Ids, when asked for, come from INSERT ... RETURNING
  in multi-row pages, sized by the parameter limit and by `max_allowed_packet`.
- SQLite: sqlite3's executemany of one prepared INSERT (in process: no round trips;
  multi-row statements measured no faster). Ids, when asked for, are max(id) + 1 on, as
  SQLite itself would give them: the write transaction (BEGIN IMMEDIATE) keeps other
  writers out until it commits.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from modelry.core.data import transaction
from modelry.core.data.bulk_pages import mysql_pages
from modelry.core.data.bulk_rows import prepare_rows
from modelry.core.data.bulk_skip import insert_skipping, skip_columns
from modelry.core.data.bulk_unnest import unnest_statement
from modelry.core.data.references import check_targets
from modelry.core.data.locks import refuse_readonly
from modelry.core.data.write import _advance_sequence
from modelry.core.registry import ModelMeta
from modelry.errors import DataError

ROWS_PER_STATEMENT = 100     # PostgreSQL: measured fastest between 50 and 500
POSTGRESQL_PARAMETERS = 65_535
MULTI_ROW_SHAPES = 64        # statements kept per table (row counts x column sets)


def insert_bulk(manager: Any, connection: sa.Connection, meta: ModelMeta,
                rows: Sequence[Mapping[str, Any]], returning_ids: bool,
                skip_existing: Sequence[str] | None = None) -> int | list[int | None]:
    """Insert `rows`; their count, or (`returning_ids`) their ids in row order. With
    `skip_existing` (a unique set), rows whose key is stored are skipped (bulk_skip.py):
    the count inserted, or None for a skipped row's id."""
    refuse_readonly(connection, meta, "insert_bulk")
    columns = None if skip_existing is None else skip_columns(meta, skip_existing)
    prepared = prepare_rows(manager, meta, rows) if rows else []
    check_targets(manager, connection, meta, prepared)
    table = manager.table(meta)
    if columns is not None:
        return _insert_skipping(connection, table, meta, prepared, columns, returning_ids)
    given = [index for index, row in enumerate(prepared) if "id" in row]
    others = [index for index, row in enumerate(prepared) if "id" not in row]
    if given:
        _insert(connection, table, [prepared[i] for i in given], want_ids=False)
        _advance_sequence(connection, table)
    ids = _insert(connection, table, [prepared[i] for i in others], want_ids=returning_ids)
    if not returning_ids:
        return len(prepared)
    result: list[int] = [0] * len(prepared)
    for index in given:
        result[index] = int(prepared[index]["id"])
    for index, key in zip(others, ids):
        result[index] = key
    active = transaction.current()
    if active is not None and active.connection is connection:
        active.hold(meta.code, result)
    return result


def _insert_skipping(connection: sa.Connection, table: sa.Table, meta: ModelMeta,
                     rows: list[dict[str, Any]], columns: tuple[str, ...],
                     returning_ids: bool) -> int | list[int | None]:
    if any("id" in row for row in rows):
        raise DataError(f"{meta.code}: insert_bulk skipping stored keys draws every id "
                        "itself; a row gave one", code="BAD_ROW", model=meta.code)
    dialect = connection.dialect.name
    ids = insert_skipping(connection, table, rows, columns, lambda count: (
        _sqlite_next_ids(connection, table, count) if dialect == "sqlite"
        else _postgresql_next_ids(connection, table, count)))
    active = transaction.current()
    if active is not None and active.connection is connection:
        active.hold(meta.code, [key for key in ids if key is not None])
    return ids if returning_ids else sum(key is not None for key in ids)


def _insert(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]],
            want_ids: bool) -> list[int]:
    """Insert rows sharing their columns; their ids in order when `want_ids`."""
    if not rows:
        return []
    dialect = connection.dialect.name
    ids: list[int] = []
    if want_ids and dialect == "mysql":
        return _mysql_returning(connection, table, rows)
    if want_ids:
        ids = _sqlite_next_ids(connection, table, len(rows)) if dialect == "sqlite" \
            else _postgresql_next_ids(connection, table, len(rows))
        for row, key in zip(rows, ids):
            row["id"] = key
    if dialect == "postgresql":
        _postgresql(connection, table, rows)
    else:
        connection.execute(sa.insert(table), rows)
    return ids


def _postgresql_next_ids(connection: sa.Connection, table: sa.Table, count: int) -> list[int]:
    """`count` ids drawn from the table's id sequence (never given to anyone else)."""
    sequence = table.info.get("modelry_id_sequence")
    if sequence is None:
        sequence = connection.scalar(sa.select(sa.func.pg_get_serial_sequence(table.name, "id")))
        table.info["modelry_id_sequence"] = sequence
    draw = sa.select(sa.func.nextval(sequence)).select_from(sa.func.generate_series(1, count))
    return connection.scalars(draw).all()  # type: ignore[return-value]  (one fetch)


def _sqlite_next_ids(connection: sa.Connection, table: sa.Table, count: int) -> list[int]:
    start = connection.scalar(sa.select(sa.func.max(table.c.id))) or 0
    return list(range(start + 1, start + 1 + count))


def _postgresql(connection: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]
                ) -> None:
    """One INSERT from arrays; multi-row INSERTs when a column cannot be an array."""
    # the serializer the JSON columns' bind would use (the engine's json_serializer)
    unnest = unnest_statement(table, rows, getattr(connection.dialect, "_json_serializer",
                                                   None))
    if unnest is None:
        _postgresql_multi_row(connection, table, rows)
    else:
        connection.execute(*unnest)


def _postgresql_multi_row(connection: sa.Connection, table: sa.Table,
                          rows: list[dict[str, Any]]) -> None:
    """Multi-row INSERTs of `per` rows as one executemany (psycopg pipelines it), then one
    for the rest."""
    columns = tuple(rows[0])
    per = rows_per_statement(len(columns))
    full = len(rows) // per * per
    if full:
        statement, keys = _multi_row_insert(table, columns, per)
        connection.execute(statement, [_flatten(rows[start:start + per], keys)
                                       for start in range(0, full, per)])
    if full < len(rows):
        statement, keys = _multi_row_insert(table, columns, len(rows) - full)
        connection.execute(statement, _flatten(rows[full:], keys))


def rows_per_statement(columns: int) -> int:
    """Rows in one PostgreSQL INSERT of `columns` columns: ROWS_PER_STATEMENT, fewer when
    they would pass 65,535 bound parameters."""
    return max(1, min(ROWS_PER_STATEMENT, POSTGRESQL_PARAMETERS // columns))


def _multi_row_insert(table: sa.Table, columns: tuple[str, ...], count: int
                      ) -> tuple[sa.Insert, list[list[tuple[str, str]]]]:
    """INSERT of `count` rows with bound names `<column>__<n>`, and per row the (column,
    bound name) pairs (kept with the table: built once per shape)."""
    built = table.info.setdefault("modelry_multi_row_inserts", {})
    if (columns, count) not in built:
        if len(built) >= MULTI_ROW_SHAPES:
            built.clear()
        keys = [[(column, f"{column}__{n}") for column in columns] for n in range(count)]
        values = [{column: sa.bindparam(key, type_=table.c[column].type)
                   for column, key in row} for row in keys]
        built[(columns, count)] = (sa.insert(table).values(values), keys)
    return built[(columns, count)]  # type: ignore[no-any-return]


def _flatten(rows: list[dict[str, Any]], keys: list[list[tuple[str, str]]]
             ) -> dict[str, Any]:
    return {key: row[column] for row, pairs in zip(rows, keys) for column, key in pairs}


def _mysql_returning(connection: sa.Connection, table: sa.Table,
                     rows: list[dict[str, Any]]) -> list[int]:
    """INSERT ... RETURNING id in pages that fit both the parameter limit and half of
    max_allowed_packet; ids in row order."""
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids: list[int] = []
    for page in mysql_pages(connection, rows):
        ids.extend(connection.scalars(statement, page, execution_options={
            "insertmanyvalues_page_size": len(page)}))
    return ids
