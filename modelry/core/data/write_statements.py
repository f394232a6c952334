"""Write statements by shape: an INSERT per (table, RETURNING), an UPDATE per (table,
columns set, version check, RETURNING), their values bound by name, so a write builds
neither the statement nor its cache key again (SQLAlchemy memoizes the key on the
statement object)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from modelry.core.data.driver_statements import DriverStatement
from modelry.core.lru import LRU, MISSING

_SHAPES: LRU[Any] = LRU(4096)
_DRIVER: LRU[Any] = LRU(4096)


def insert(table: sa.Table, returning: bool | str) -> sa.Insert:
    """`INSERT INTO table (<the columns of the bound values>) … [RETURNING *]`
    (`returning="id"`: RETURNING id)."""
    key = (table, returning)
    statement = _SHAPES.get(key)
    if statement is not MISSING:
        return statement
    statement = sa.insert(table)
    if returning == "id":
        statement = statement.returning(table.c.id)
    elif returning:
        statement = statement.returning(*table.c)
    _SHAPES.put(key, statement)
    return statement


def update_by_id(table: sa.Table, columns: tuple[str, ...], versioned: bool, locked: bool,
                 returning: bool) -> sa.Update:
    """`UPDATE table SET <columns> = :set_<column> [, opt_version = opt_version + 1]
    WHERE id = :where_id [AND opt_version = :where_version] [RETURNING *]`."""
    key = (table, columns, versioned, locked, returning)
    statement = _SHAPES.get(key)
    if statement is not MISSING:
        return statement
    values: dict[str, Any] = {name: sa.bindparam(f"set_{name}", type_=table.c[name].type)
                              for name in columns}
    if versioned:
        values["opt_version"] = table.c.opt_version + 1
    statement = sa.update(table).where(
        table.c.id == sa.bindparam("where_id", type_=table.c.id.type)).values(values)
    if locked:
        statement = statement.where(
            table.c.opt_version == sa.bindparam("where_version", type_=table.c.opt_version.type))
    if returning:
        statement = statement.returning(*table.c)
    _SHAPES.put(key, statement)
    return statement


def execute_plain(connection: sa.Connection, statement: sa.Insert | sa.Update,
                  values: dict[str, Any]) -> sa.CursorResult[Any]:
    """Execute a write statement of this module whose result needs no type processing (a
    row count, a returned id) as its SQL text compiled once (DriverStatement): SQLAlchemy's
    execution layer still runs it (events, errors, the transaction), but neither looks up
    its compiled form nor builds its parameters again (a third of its time in a write)."""
    key = (statement, connection.dialect.name, tuple(values))
    driver = _DRIVER.get(key)
    if driver is MISSING:
        driver = DriverStatement.compile(statement, connection.dialect, tuple(values)) \
            if isinstance(statement, sa.Insert) else \
            DriverStatement.compile(statement, connection.dialect)
        _DRIVER.put(key, driver)
    if driver is None:
        return connection.execute(statement, values)
    bound = driver.parameters(values)
    return connection.exec_driver_sql(driver.sql, tuple(bound) if isinstance(bound, list)
                                      else bound)


def parameters(row: dict[str, Any], identifier: int, held: int | None) -> dict[str, Any]:
    """The bound values of `update_by_id`'s statement for one record."""
    bound = {f"set_{name}": value for name, value in row.items()}
    bound["where_id"] = identifier
    if held is not None:
        bound["where_version"] = held
    return bound
