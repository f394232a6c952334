"""A connection returned to the pool leaves no transaction open, and on MariaDB it costs no
ROLLBACK round trip when its transaction already ended (boot/engine.py)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from modelry.boot.engine import create_engine

TABLE = "pool_reset_probe"


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    made = create_engine(database_url, pool_size=1, max_overflow=0)
    with made.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")
        connection.exec_driver_sql(f"CREATE TABLE {TABLE} (n INTEGER)")
    yield made
    with made.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE {TABLE}")
    made.dispose()


@pytest.fixture
def rollbacks(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> list[Any] | None:
    """Each rollback the driver's connection is asked for (None on SQLite, whose
    connection class cannot be spied on)."""
    asked: list[Any] = []
    with engine.connect() as connection:
        dbapi_class = type(connection.connection.dbapi_connection)
    if engine.dialect.name == "sqlite":
        return None
    original = dbapi_class.rollback

    def spy(self: Any) -> Any:
        asked.append(self)
        return original(self)
    monkeypatch.setattr(dbapi_class, "rollback", spy)
    return asked


def _count(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"SELECT COUNT(*) FROM {TABLE}").scalar_one()


def test_a_committed_connection_comes_back_without_a_rollback_on_mariadb(
        engine: sa.Engine, rollbacks: list[Any] | None) -> None:
    connection = engine.connect()
    with connection.begin():
        connection.exec_driver_sql(f"INSERT INTO {TABLE} VALUES (1)")
    connection.close()  # after COMMIT, as modelry's transactions close
    if engine.dialect.name == "mysql":
        assert rollbacks == []  # the server said no transaction is open
    assert _count(engine) == 1


def test_a_transaction_left_open_is_rolled_back_when_its_connection_returns(
        engine: sa.Engine, rollbacks: list[Any] | None) -> None:
    raw = engine.raw_connection()  # driver-level work, outside SQLAlchemy's transactions
    cursor = raw.cursor()
    if engine.dialect.name == "sqlite":  # modelry's SQLite driver autocommits: SQLAlchemy
        cursor.execute("BEGIN")          # begins its transactions
    cursor.execute(f"INSERT INTO {TABLE} VALUES (2)")
    cursor.close()
    raw.close()  # back to the pool with the INSERT uncommitted
    assert rollbacks is None or len(rollbacks) == 1
    assert _count(engine) == 0  # the one pooled connection sees nothing: rolled back
    with engine.begin() as connection:  # and holds no lock on the table
        connection.exec_driver_sql(f"INSERT INTO {TABLE} VALUES (3)")
    assert _count(engine) == 1
