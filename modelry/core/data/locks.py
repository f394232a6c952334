"""Row locks taken in id order, and the write transactions that locks and bulk writes need.

PostgreSQL and MariaDB lock with `SELECT ... WHERE id IN (...) ORDER BY id FOR UPDATE`:
every caller takes its locks in ascending id order, so two transactions locking
overlapping sets never wait on each other in a cycle (no deadlock), whichever order they
named the ids in. On MariaDB the primary key is forced, so rows are read (and locked) in
id order whatever other index a record rule could tempt the optimizer with.

SQLite has no row locks: a modelry write transaction starts with `BEGIN IMMEDIATE`, which
takes the database's write lock up front, so its writers already run one at a time and a
locked read there is a plain read inside that transaction. A read-only transaction
(`app.transaction(readonly=True)`: a shared BEGIN on SQLite, autocommit on PostgreSQL)
cannot hold locks, so locking and bulk writes refuse it.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from modelry.core.data import transaction
from modelry.core.data.conditions import record_id, record_rules
from modelry.core.data.rows import to_records
from modelry.core.registry import ModelMeta
from modelry.errors import DataError

IDS_PER_STATEMENT = 10_000  # far below every dialect's limit on bound parameters


def refuse_readonly(connection: sa.Connection, meta: ModelMeta, call: str) -> None:
    """Raise READONLY_TRANSACTION when `connection` is in a read-only transaction."""
    options = connection.get_execution_options()
    if options.get("modelry_readonly") or options.get("isolation_level") == "AUTOCOMMIT":
        raise DataError(f"{meta.code}.{call} writes or locks rows: it cannot run in a "
                        "read-only transaction (app.transaction(readonly=True))",
                        code="READONLY_TRANSACTION", model=meta.code)


def open_write_transaction(manager: Any, meta: ModelMeta, call: str) -> sa.Connection:
    """The connection of `manager`'s open write transaction; TRANSACTION_REQUIRED when none
    is open (a lock taken in a transaction of its own would end with the call)."""
    active = transaction.current()
    if active is None or active.owner is not manager:
        raise DataError(f"{meta.code}.{call} needs an open transaction (`with "
                        "app.transaction():`): its row locks last until that transaction "
                        "ends", code="TRANSACTION_REQUIRED", model=meta.code)
    refuse_readonly(active.connection, meta, call)
    return active.connection


def lock(manager: Any, connection: sa.Connection, meta: ModelMeta,
         ids: Iterable[Any]) -> list[Any]:
    """Lock the rows with `ids` until the transaction ends, in ascending id order; returns
    their records in that order (ids that do not exist, or that the caller's record rules
    for read or update hide, are left out and not locked)."""
    keys = sorted({record_id(meta, key) for key in ids})
    table = manager.table(meta)
    rules = record_rules(manager, meta, "read", "update")
    rows: list[Any] = []
    for start in range(0, len(keys), IDS_PER_STATEMENT):
        chunk = keys[start:start + IDS_PER_STATEMENT]
        query = sa.select(table).where(table.c.id.in_(chunk), *rules).order_by(table.c.id)
        rows.extend(connection.execute(_for_update(query, table, connection)))
    active = transaction.current()
    if active is not None:
        active.hold(meta.code, [row.id for row in rows])
    return to_records(meta, rows)


def _for_update(query: sa.Select[Any], table: sa.Table, connection: sa.Connection
                ) -> sa.Select[Any]:
    dialect = connection.dialect.name
    if dialect == "sqlite":
        return query  # the write transaction holds the database's write lock already
    if dialect == "mysql":
        query = query.with_hint(table, "FORCE INDEX (PRIMARY)", "mysql")
    return query.with_for_update()
