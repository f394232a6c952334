"""Build-table modes: EXTEND only adds; DIFF also alters and drops, and a destructive change
(dropping a column, narrowing a string) is refused unless explicitly allowed."""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from modelry import Model, Module, fields
from modelry.boot import App, BootRefused
from modelry.core.registry.catalog import forget
from tests.boot.helpers import backend_of, catalog, columns, statements

Boot = Callable[..., App]
DROP = "drop column bt_ext_item.legacy: its data is lost"
NARROW = "alter column bt_ext_item.note: length 100 → 20"


def version_1() -> tuple[Module, type]:
    """`bt_ext` 1.0.0: items with a note of 100 characters and a legacy code."""
    forget("bt_ext")

    class Item(Model, model="bt_ext.Item"):
        """An item."""

        name = fields.String(size=64, required=True)
        note = fields.String(size=100)
        legacy = fields.String(size=32)

    return Module("bt_ext", version="1.0.0", depends=["base"]), Item


def version_2() -> tuple[Module, type]:
    """`bt_ext` 1.1.0: the legacy code removed, the note narrowed to 20, a weight added."""
    forget("bt_ext")

    class Item(Model, model="bt_ext.Item"):
        """An item."""

        name = fields.String(size=64, required=True)
        note = fields.String(size=20)
        weight = fields.Integer()

    return Module("bt_ext", version="1.1.0", depends=["base"]), Item


@pytest.fixture
def upgraded_code(booted: Boot) -> Module:
    """1.0.0 installed with two items; 1.1.0 declared (not booted)."""
    module, Item = version_1()
    app = booted([module], "install")
    with app.transaction():
        Item(name="bolt", note="short", legacy="B-1").create()
        Item(name="nut", note="tiny", legacy="N-2").create()
    module_2, _ = version_2()
    return module_2


def names(app: App) -> list[tuple[str, str]]:
    """The items as the application reads them."""
    Item = app.registry.model("bt_ext.Item").cls
    with app.transaction():
        return [(item.name, item.note) for item in Item.query_list(sort="name")]


@contextlib.contextmanager
def sql_log() -> Iterator[list[str]]:
    """Every SQL statement any engine sends inside the block."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", record)


def test_extend_adds_and_leaves_the_rest_out(booted: Boot, upgraded_code: Module,
                                             empty_database: str) -> None:
    app = booted([upgraded_code], "install", build_table="EXTEND")
    assert app.report.schema_steps == ["add column bt_ext_item.weight"]
    assert sorted(app.report.left_out) == sorted([DROP, NARROW])
    assert "left out by the build mode" in app.report.summary()
    assert DROP in app.report.summary()
    found = columns(empty_database, "bt_ext_item")
    assert {"legacy", "weight"} <= set(found)
    assert found["note"]["type"].length == 100
    assert names(app) == [("bolt", "short"), ("nut", "tiny")]


def test_extend_on_a_database_that_matches_leaves_nothing_out(booted: Boot) -> None:
    module, _ = version_1()
    booted([module], "install")
    assert booted([module], "install", build_table="EXTEND").report.left_out == []


def test_never_changes_no_table(booted: Boot, upgraded_code: Module,
                                empty_database: str) -> None:
    before = catalog(empty_database)["tables"]["bt_ext_item"]["columns"]
    app = booted([upgraded_code], "install", build_table="NEVER")
    assert (app.report.schema_steps, app.report.left_out) == ([], [])
    assert catalog(empty_database)["tables"]["bt_ext_item"]["columns"] == before
    assert app.report.upgraded == ["base", "bt_ext"]


def test_diff_refuses_destructive_changes_and_changes_nothing(booted: Boot,
                                                              upgraded_code: Module,
                                                              empty_database: str) -> None:
    before = catalog(empty_database)
    with pytest.raises(BootRefused) as refused:
        booted([upgraded_code], "install")
    assert refused.value.code == "BOOT_REFUSED"
    assert sorted(refused.value.reasons) == sorted([DROP, NARROW])
    assert "--allow-destructive" in refused.value.message
    assert DROP in refused.value.message and NARROW in refused.value.message
    assert catalog(empty_database) == before


@pytest.mark.parametrize("lifecycle", ["package", "custom_install"])
def test_every_writing_lifecycle_refuses_destructive_changes(booted: Boot, upgraded_code: Module,
                                                             lifecycle: str) -> None:
    with pytest.raises(BootRefused, match="drop column bt_ext_item.legacy"):
        booted([upgraded_code], lifecycle)


def test_diff_with_allow_destructive_drops_and_narrows(booted: Boot, upgraded_code: Module,
                                                       empty_database: str) -> None:
    with sql_log() as sent:
        app = booted([upgraded_code], "install", allow_destructive=True)
    assert sorted(app.report.schema_steps) == sorted(
        ["add column bt_ext_item.weight", DROP, NARROW])
    assert app.report.left_out == []
    found = columns(empty_database, "bt_ext_item")
    assert "legacy" not in found and "weight" in found
    assert found["note"]["type"].length == 20
    assert names(app) == [("bolt", "short"), ("nut", "tiny")]
    if backend_of(empty_database) == "sqlite":  # SQLite cannot alter: the table is rebuilt
        assert any(s.strip().startswith("CREATE TABLE _alembic_tmp_bt_ext_item") for s in sent)
        assert any("RENAME TO bt_ext_item" in s for s in sent)
    # The next boot finds nothing more to do.
    again = booted([upgraded_code], "install", allow_destructive=True)
    assert again.report.schema_steps == []


def test_ddl_prints_destructive_changes_commented_out(booted: Boot, upgraded_code: Module,
                                                      empty_database: str) -> None:
    script = booted([upgraded_code], "ddl").report.ddl
    assert "-- destructive changes, left out (boot with --allow-destructive to include):" \
        in script
    assert f"-- {DROP}" in script and f"-- {NARROW}" in script
    live = "\n".join(statements(script))
    assert "legacy" not in live.split("-- metadata")[0]
    assert "DROP COLUMN" not in live and "_alembic_tmp_bt_ext_item" not in live
    assert "VARCHAR(20)" not in live
    assert "weight" in live                                  # the addition is not held back
    if backend_of(empty_database) == "sqlite":
        commented = [line for line in script.splitlines()
                     if line.startswith("-- CREATE TABLE _alembic_tmp_bt_ext_item")]
        assert commented, "SQLite's rebuild is printed (commented out)"
    else:
        assert any(line.startswith("-- ALTER TABLE bt_ext_item DROP COLUMN legacy")
                   for line in script.splitlines())


def test_ddl_with_allow_destructive_prints_them_live(booted: Boot, upgraded_code: Module,
                                                     empty_database: str) -> None:
    script = booted([upgraded_code], "ddl", allow_destructive=True).report.ddl
    assert "-- destructive changes" not in script
    live = statements(script)
    if backend_of(empty_database) == "sqlite":
        assert "CREATE TABLE _alembic_tmp_bt_ext_item (" in live
        rebuilt = script[script.index("CREATE TABLE _alembic_tmp_bt_ext_item"):]
        rebuilt = rebuilt[:rebuilt.index(");")]
        assert "legacy" not in rebuilt and "note VARCHAR(20)" in rebuilt
        assert "weight INTEGER" in rebuilt     # the added column survives the rebuild
    else:
        assert "ALTER TABLE bt_ext_item DROP COLUMN legacy;" in live
        assert any("note" in line and "VARCHAR(20)" in line for line in live)
