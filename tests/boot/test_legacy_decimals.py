"""A SQLite database from before exact decimals holds them as numbers (REAL, INTEGER): a
writing boot, or the DDL script, rewrites them as sortable text once, the schema itself
unchanged; PostgreSQL and MariaDB have nothing to rewrite."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from modelry.boot import App
from tests.boot.helpers import apply_script, statements
from tests.decexact import module as decexact
from tests.decexact.models import Amounts

Boot = Callable[..., App]
NO_CHANGES = "-- no changes: the database already matches the code"
OLD_ROWS = ("INSERT INTO decexact_amounts (id, money, fee) VALUES "
            "(1, 12.5, 0), (2, -3, 0), (3, 9876543210987654.3219, 0), (4, NULL, NULL)")


def stored_kinds(app: App) -> set[str]:
    """How SQLite holds the money column's values (every value text, once rewritten)."""
    with app.engine.connect() as connection:
        return set(connection.scalars(sa.text(
            "SELECT DISTINCT typeof(money) FROM decexact_amounts WHERE money IS NOT NULL")))


def old_database(booted: Boot) -> App:
    """`decexact` installed, then rows written as an older modelry wrote them on SQLite
    (plain numbers), next to one written now."""
    app = booted([decexact], "install")
    with app.engine.begin() as connection:
        connection.exec_driver_sql(OLD_ROWS)
    with app.activate(), app.transaction():
        Amounts(id=5, money=Decimal("-12.5"), fee=Decimal("1")).create()
    return app


def test_install_rewrites_numbers_once_and_then_sorts_them_right(booted: Boot) -> None:
    old = old_database(booted)
    sqlite = old.dialect == "sqlite"
    if sqlite:
        assert stored_kinds(old) == {"integer", "real", "text"}
    upgraded = booted([decexact], "install")
    assert upgraded.report.schema_steps == ([
        "rewrite decimals decexact_amounts.money: 3 stored as numbers",
        "rewrite decimals decexact_amounts.fee: 3 stored as numbers"] if sqlite else [])
    if sqlite:
        assert stored_kinds(upgraded) == {"text"}
    with upgraded.activate(), upgraded.transaction():
        ordered = [(r.id, r.money) for r in Amounts.query_list(sort="money")]
        assert [r.id for r in Amounts.query_list(rsql="fee=lt=1")] == [1, 2, 3]
    lost = Decimal("9876543210987654.0000") if sqlite else Decimal("9876543210987654.3219")
    assert ordered == [(4, None), (5, Decimal("-12.5000")), (2, Decimal("-3.0000")),
                       (1, Decimal("12.5000")), (3, lost)]
    assert booted([decexact], "install").report.schema_steps == []
    assert NO_CHANGES in booted([decexact], "ddl").report.ddl


def test_extend_rewrites_too(booted: Boot) -> None:
    old = old_database(booted)
    extended = booted([decexact], "install", build_table="extend")
    assert extended.report.left_out == []
    if old.dialect == "sqlite":
        assert stored_kinds(extended) == {"text"}


def test_the_ddl_script_rewrites_them_for_a_dba(booted: Boot, empty_database: str,
                                                tmp_path: Path) -> None:
    old = old_database(booted)
    script = booted([decexact], "ddl").report.ddl
    if old.dialect != "sqlite":
        assert NO_CHANGES in script
        return
    rewrites = [line for line in statements(script) if line.startswith("UPDATE")]
    assert len(rewrites) == 6 and "'P0212.5'" in rewrites[0], script
    (tmp_path / "upgrade.sql").write_text(script)
    applied = apply_script(empty_database, tmp_path / "upgrade.sql")
    assert applied.returncode == 0, applied.stderr
    assert stored_kinds(old) == {"text"}
    assert NO_CHANGES in booted([decexact], "ddl").report.ddl
