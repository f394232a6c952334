"""The boot lock: one booting instance at a time changes a database.

PostgreSQL: a session advisory lock; MySQL/MariaDB: GET_LOCK; SQLite: the write lock
of the boot's own transaction (BEGIN IMMEDIATE). Waits are bounded.
"""
from __future__ import annotations

import contextlib
import time
import zlib
from collections.abc import Iterator

import sqlalchemy as sa

from modelry.errors import ModelryError

LOCK_NAME = "modelry_boot"
LOCK_KEY = zlib.crc32(LOCK_NAME.encode())  # a stable 32-bit advisory lock key


class BootLockTimeout(ModelryError):
    """Another instance held the boot lock for longer than the timeout."""

    code = "BOOT_LOCK_TIMEOUT"


@contextlib.contextmanager
def boot_lock(engine: sa.Engine, timeout: float) -> Iterator[sa.Connection]:
    """A connection holding the boot lock, in an open transaction the caller commits."""
    connection = engine.connect()
    dialect = engine.dialect.name
    try:
        if dialect == "sqlite":
            raw = connection.connection.driver_connection
            usual_timeout = raw.execute("PRAGMA busy_timeout").fetchone()[0]
            raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            raw.execute("PRAGMA foreign_keys = OFF")  # table rebuilds must not cascade
            try:
                connection.begin()
            except sa.exc.OperationalError as error:
                raise BootLockTimeout(f"timed out after {timeout:g}s waiting for the SQLite "
                                      f"write lock held by another boot: {error.orig}") from None
            try:
                yield connection
            finally:
                connection.rollback() if connection.in_transaction() else None
                raw.execute("PRAGMA foreign_keys = ON")
                # the pooled connection serves data calls next: their usual wait again
                raw.execute(f"PRAGMA busy_timeout = {usual_timeout}")
            return
        name = _lock_name(connection, dialect)
        _acquire(connection, dialect, timeout, name)
        try:
            connection.begin()
            yield connection
        finally:
            if connection.in_transaction():
                connection.rollback()
            _release(connection, dialect, name)
    finally:
        connection.close()


def _lock_name(connection: sa.Connection, dialect: str) -> str:
    """GET_LOCK names are server-wide: scope the MySQL/MariaDB lock to this database.

    (PostgreSQL advisory locks already belong to one database.)
    """
    if dialect == "postgresql":
        return LOCK_NAME
    database = connection.scalar(sa.text("SELECT DATABASE()")) or ""
    connection.commit()
    return f"{LOCK_NAME}:{database}"[:64]  # the longest name GET_LOCK accepts


def _acquire(connection: sa.Connection, dialect: str, timeout: float, name: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if dialect == "postgresql":
            got = connection.scalar(sa.text("SELECT pg_try_advisory_lock(:key)"),
                                    {"key": LOCK_KEY})
        else:
            wait = max(0, min(1, int(deadline - time.monotonic())))
            got = connection.scalar(sa.text("SELECT GET_LOCK(:name, :wait)"),
                                    {"name": name, "wait": wait}) == 1
        connection.commit()
        if got:
            return
        if time.monotonic() >= deadline:
            raise BootLockTimeout(f"timed out after {timeout:g}s waiting for the boot lock "
                                  f"({name}) held by another instance")
        time.sleep(0.1)


def _release(connection: sa.Connection, dialect: str, name: str) -> None:
    if dialect == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    else:
        connection.execute(sa.text("SELECT RELEASE_LOCK(:name)"), {"name": name})
    connection.commit()
