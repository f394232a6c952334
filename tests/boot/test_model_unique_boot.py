"""A model's `unique=[(...)]` through the boot: created with its table, added to and dropped
from an existing table by INSTALL and by the DDL script (SQLite: the table's rebuild), named
by RELOAD when the database lacks it, persisted in base.ModelDefinition, and refused, naming
the values, while existing rows break it."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from modelry import Model, Module, fields
from modelry.boot import App, BootRefused
from modelry.core.registry.catalog import forget
from tests.boot.helpers import apply_script, backend_of, catalog, execute, query, statements

Boot = Callable[..., App]
CONSTRAINT = "uq_bt_uq_item_shelf_id_code"
NO_CHANGES = "-- no changes: the database already matches the code"


def declare(version: str, unique: bool) -> tuple[Module, type, type]:
    """`bt_uq` at `version`: items on shelves, `code` unique per shelf when `unique`."""
    forget("bt_uq")
    options = {"unique": [("shelf", "code")]} if unique else {}

    class Shelf(Model, model="bt_uq.Shelf"):
        """A shelf."""

        name = fields.String(size=32)

    class Item(Model, model="bt_uq.Item", **options):
        """An item."""

        shelf = fields.ManyToOne("bt_uq.Shelf", on_delete="RESTRICT")
        code = fields.String(size=16)

    return Module("bt_uq", version=version, depends=["base"]), Shelf, Item


def live_unique(url: str) -> list[tuple[str, tuple[str, ...]]]:
    """The unique constraints of the items' table, as the database reports them."""
    return catalog(url)["tables"]["bt_uq_item"]["unique"]


def stored_sets(url: str) -> list[object]:
    """What base.ModelDefinition holds for the items (JSON text decoded)."""
    return [json.loads(row[0]) if isinstance(row[0], str) else row[0]
            for row in query(url, "SELECT unique_constraints FROM base_model_definition "
                                  "WHERE model = 'bt_uq.Item'")]


def install_without(booted: Boot, duplicates: bool) -> Module:
    """1.0.0 (no set) installed with items, two of them sharing a code on one shelf when
    `duplicates`; returns 1.1.0 (the set declared), not booted."""
    module, Shelf, Item = declare("1.0.0", unique=False)
    app = booted([module], "install")
    with app.transaction():
        shelf = Shelf(name="top").create()
        other = Shelf(name="low").create()
        Item(shelf=shelf.id, code="A").create()
        Item(shelf=other.id, code="A").create()
        Item(shelf=None, code="A").create()
        Item(shelf=None, code="A").create()            # NULLs never collide
        if duplicates:
            Item(shelf=shelf.id, code="A").create()
            Item(shelf=shelf.id, code="B").create()
            Item(shelf=shelf.id, code="B").create()
    return declare("1.1.0", unique=True)[0]


def test_a_new_table_is_created_with_the_constraint(booted: Boot, empty_database: str) -> None:
    module, _, _ = declare("1.0.0", unique=True)
    script = booted([module], "ddl").report.ddl
    assert f"CONSTRAINT {CONSTRAINT} UNIQUE (shelf_id, code)" in script.replace("`", "") \
        .replace('"', "")
    booted([module], "install")
    assert live_unique(empty_database) == [(CONSTRAINT, ("shelf_id", "code"))]
    assert stored_sets(empty_database) == [[["shelf", "code"]]]
    assert NO_CHANGES in booted([module], "ddl").report.ddl


def test_reload_names_the_set_the_database_lacks(booted: Boot) -> None:
    upgraded = install_without(booted, duplicates=False)
    with pytest.raises(BootRefused) as refused:
        booted([upgraded], "reload")
    assert "model bt_uq.Item differs: unique added: (shelf, code)" in refused.value.reasons


def test_install_adds_the_constraint_to_the_existing_table(booted: Boot,
                                                           empty_database: str) -> None:
    upgraded = install_without(booted, duplicates=False)
    app = booted([upgraded], "install")
    assert app.report.schema_steps == [f"add unique bt_uq_item ({CONSTRAINT})"]
    assert live_unique(empty_database) == [(CONSTRAINT, ("shelf_id", "code"))]
    assert booted([upgraded], "reload").report.reloaded == ["base", "bt_uq"]
    assert NO_CHANGES in booted([upgraded], "ddl").report.ddl


def test_the_ddl_script_adds_it_and_a_dba_applies_it(booted: Boot, empty_database: str,
                                                     tmp_path: Path) -> None:
    upgraded = install_without(booted, duplicates=False)
    script = booted([upgraded], "ddl").report.ddl
    live = [line.replace("`", "").replace('"', "") for line in statements(script)]
    if backend_of(empty_database) == "sqlite":   # no ALTER TABLE ADD CONSTRAINT: a rebuild
        rebuilt = "\n".join(live)
        assert "CREATE TABLE _alembic_tmp_bt_uq_item (" in rebuilt
        assert f"CONSTRAINT {CONSTRAINT} UNIQUE (shelf_id, code)" in rebuilt
        assert "ALTER TABLE _alembic_tmp_bt_uq_item RENAME TO bt_uq_item;" in rebuilt
    else:
        assert f"ALTER TABLE bt_uq_item ADD CONSTRAINT {CONSTRAINT} UNIQUE (shelf_id, code);" \
            in live
    (tmp_path / "upgrade.sql").write_text(script)
    applied = apply_script(empty_database, tmp_path / "upgrade.sql")
    assert applied.returncode == 0, applied.stderr
    assert live_unique(empty_database) == [(CONSTRAINT, ("shelf_id", "code"))]
    assert query(empty_database, "SELECT COUNT(*) FROM bt_uq_item")[0][0] == 4  # rows kept
    assert booted([upgraded], "reload").report.reloaded == ["base", "bt_uq"]
    assert NO_CHANGES in booted([upgraded], "ddl").report.ddl


def test_rows_that_break_it_are_named_and_nothing_changes(booted: Boot,
                                                          empty_database: str) -> None:
    upgraded = install_without(booted, duplicates=True)
    before = catalog(empty_database)
    with pytest.raises(BootRefused) as refused:
        booted([upgraded], "install")
    (reason,) = refused.value.reasons
    shelf = query(empty_database, "SELECT id FROM bt_uq_shelf WHERE name = 'top'")[0][0]
    assert reason == (f"bt_uq.Item (shelf, code): existing rows break the unique constraint "
                      f"the code adds: 2 rows share shelf={shelf}, code='A'; 2 rows share "
                      f"shelf={shelf}, code='B'; change or remove them, then boot again")
    assert refused.value.message.startswith("INSTALL refused: existing rows break a unique")
    assert catalog(empty_database) == before
    with pytest.raises(BootRefused):
        booted([upgraded], "install", build_table="EXTEND")   # an addition: EXTEND checks too
    ddl = booted([upgraded], "ddl")
    assert f"-- warning: this script fails until the rows are fixed: {reason}" in ddl.report.ddl
    assert ddl.report.warnings == [reason]
    execute(empty_database, f"DELETE FROM bt_uq_item WHERE shelf_id = {shelf} AND code IN "
                            f"('A', 'B') AND id NOT IN (SELECT * FROM (SELECT MIN(id) FROM "
                            f"bt_uq_item WHERE shelf_id = {shelf} GROUP BY code) AS kept)")
    assert booted([upgraded], "install").report.schema_steps == \
        [f"add unique bt_uq_item ({CONSTRAINT})"]


def test_dropping_the_set_drops_the_constraint(booted: Boot, empty_database: str) -> None:
    module, _, _ = declare("1.0.0", unique=True)
    booted([module], "install")
    removed, _, _ = declare("1.1.0", unique=False)
    with pytest.raises(BootRefused) as refused:
        booted([removed], "reload")
    assert "model bt_uq.Item differs: unique removed: (shelf, code)" in refused.value.reasons
    assert booted([removed], "install", build_table="EXTEND").report.left_out != []
    app = booted([removed], "install")
    (step,) = app.report.schema_steps
    assert step.startswith("drop ") and CONSTRAINT in step  # MariaDB: the unique index
    assert live_unique(empty_database) == []
    assert stored_sets(empty_database) == [None]


def test_a_database_an_older_modelry_made_gets_the_metadata_column(booted: Boot,
                                                                   empty_database: str) -> None:
    """Before unique sets, base.ModelDefinition had no `unique_constraints` column: the boot
    reads the state without it and a writing boot adds it."""
    upgraded = install_without(booted, duplicates=False)
    execute(empty_database, "ALTER TABLE base_model_definition DROP COLUMN unique_constraints")
    with pytest.raises(BootRefused) as refused:   # the state is read; the set is named
        booted([upgraded], "reload")
    assert "model bt_uq.Item differs: unique added: (shelf, code)" in refused.value.reasons
    app = booted([upgraded], "install")
    assert sorted(app.report.schema_steps) == [
        "add column base_model_definition.unique_constraints",
        f"add unique bt_uq_item ({CONSTRAINT})"]
    assert stored_sets(empty_database) == [[["shelf", "code"]]]
