"""Engines per dialect: URLs normalised, SQLite made safe for threads and savepoints."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pymysql.constants import SERVER_STATUS
from sqlalchemy.engine import make_url

from modelry.boot.statement_cache import StatementCache
from modelry.errors import ConfigError

POOL_SIZE = 16  # connections kept per engine (PostgreSQL, MySQL): settings.pool_size
DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg",
           "mysql": "mysql+pymysql", "mariadb": "mysql+pymysql"}


def normalise_url(url: str) -> sa.URL:
    """Pick modelry's drivers for bare `postgresql://` and `mysql://` URLs."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several types here
        raise ConfigError(f"database URL {url!r} is not a valid URL") from None
    if parsed.drivername in DRIVERS:
        parsed = parsed.set(drivername=DRIVERS[parsed.drivername])
    if parsed.get_backend_name() in ("mysql", "mariadb") and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed


def create_engine(url: str, pool_size: int = POOL_SIZE, **options: Any) -> sa.Engine:
    """An engine for `url` (SQLite file or memory, PostgreSQL, MySQL/MariaDB); servers keep
    `pool_size` connections."""
    parsed = normalise_url(url)
    backend = parsed.get_backend_name()
    options.setdefault("execution_options", {"compiled_cache": StatementCache()})
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            options.setdefault("poolclass", sa.pool.StaticPool)  # one shared in-memory db
        engine = sa.create_engine(parsed, connect_args={"timeout": 30,
                                                        "check_same_thread": False}, **options)
        _sqlite_transactions(engine)
        return engine
    if backend in ("mysql", "mariadb"):
        options.setdefault("isolation_level", "READ COMMITTED")
        if parsed.get_driver_name() == "pymysql" and "pool_reset_on_return" not in options:
            options["pool_reset_on_return"] = None  # _reset_only_in_transaction instead
    # no pre-ping: it costs a round trip per request; dead connections are replaced when a
    # statement fails (SQLAlchemy invalidates them), and the pool recycles hourly
    options.setdefault("pool_recycle", 3600)
    # a server runs up to pool_size requests at once (graphql/http/asgi.py); connections
    # above the pool size are opened and closed per checkout, which costs more than most
    # requests
    options.setdefault("pool_size", pool_size)
    options.setdefault("max_overflow", 8)
    engine = sa.create_engine(parsed, **options)
    if options.get("pool_reset_on_return", "rollback") is None and \
            parsed.get_driver_name() == "pymysql":
        _reset_only_in_transaction(engine)
    return engine


def _reset_only_in_transaction(engine: sa.Engine) -> None:
    """MariaDB/MySQL: a connection returned to the pool is rolled back only when the server
    says a transaction is open on it.

    SQLAlchemy rolls back every returned connection but one closed inside its transaction,
    and modelry closes its connections after COMMIT; pymysql sends ROLLBACK whatever the
    state, a round trip per request (psycopg skips it when idle). The server reports in
    every reply whether a transaction is open (SERVER_STATUS_IN_TRANS); SQLAlchemy rolls
    back itself after a failed statement, so a transaction left open has replied so."""
    @sa.event.listens_for(engine, "reset")
    def _reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
        if state.terminate_only:
            return  # it is being closed
        if dbapi_connection.server_status & SERVER_STATUS.SERVER_STATUS_IN_TRANS:
            dbapi_connection.rollback()


def _sqlite_transactions(engine: sa.Engine) -> None:
    """Let SQLAlchemy, not pysqlite, issue BEGIN, so SAVEPOINT works and writers queue.

    BEGIN IMMEDIATE takes the write lock up front: a transaction that reads and then
    writes cannot fail half-way with SQLITE_BUSY; others wait up to the busy timeout.
    Connections with the execution option `modelry_readonly` begin a plain (shared) BEGIN.
    """
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        readonly = connection.get_execution_options().get("modelry_readonly")
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
