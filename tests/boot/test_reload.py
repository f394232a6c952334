"""RELOAD changes nothing: it serves when the database matches the code and refuses, naming
what differs, when it does not."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from modelry import Model, Module, fields
from modelry.boot import App, BootRefused
from modelry.core.registry.catalog import forget
from tests.boot.helpers import backend_of, catalog, execute

Boot = Callable[..., App]


def version_1() -> tuple[Module, type]:
    """`bt_rel` 1.0.0."""
    forget("bt_rel")

    class Book(Model, model="bt_rel.Book"):
        """A book."""

        title = fields.String(size=128, required=True)
        pages = fields.Integer()
        isbn = fields.String(size=20)

    return Module("bt_rel", version="1.0.0", depends=["base"]), Book


def version_2() -> tuple[Module, type]:
    """`bt_rel` 1.1.0: `pages` removed, `title` longer, `year` added, a new model."""
    forget("bt_rel")

    class Book(Model, model="bt_rel.Book"):
        """A book."""

        title = fields.String(size=200, required=True)
        isbn = fields.String(size=20)
        year = fields.Integer()

    class Author(Model, model="bt_rel.Author"):
        """An author."""

        name = fields.String(size=64)

    return Module("bt_rel", version="1.1.0", depends=["base"]), Book


def test_reload_serves_when_the_database_matches(booted: Boot, empty_database: str) -> None:
    module, Book = version_1()
    booted([module], "install")
    before = catalog(empty_database)
    app = booted([module], "reload")
    assert app.report.reloaded == ["base", "bt_rel"]
    assert (app.report.installed, app.report.upgraded, app.report.warnings) == ([], [], [])
    assert (app.report.tables_created, app.report.schema_steps) == (0, [])
    with app.transaction():
        Book(title="Dune", pages=412).create()
    with app.transaction():
        assert [b.title for b in Book.query_list()] == ["Dune"]
    assert catalog(empty_database)["base_rows"] == before["base_rows"]  # no metadata written


def test_reload_refuses_a_mismatched_fingerprint_naming_what_differs(booted: Boot,
                                                                     empty_database: str) -> None:
    module_1, _ = version_1()
    booted([module_1], "install")
    module_2, _ = version_2()
    before = catalog(empty_database)
    with pytest.raises(BootRefused) as refused:
        booted([module_2], "reload")
    reasons = refused.value.reasons
    assert refused.value.code == "BOOT_REFUSED"
    assert "module bt_rel: code 1.1.0, database 1.0.0" in reasons
    assert "model bt_rel.Book differs: fields added: year; fields removed: pages; " \
           "fields changed: title" in reasons
    assert "model bt_rel.Author is not in the database" in reasons
    message = refused.value.message
    assert message.startswith("RELOAD refused")
    assert "bt_rel.Book" in message and "pages" in message and "1.0.0" in message
    assert catalog(empty_database) == before


def test_reload_refuses_a_model_the_code_no_longer_has(booted: Boot) -> None:
    module_1, _ = version_1()
    booted([module_1], "install")
    forget("bt_rel")

    class Shelf(Model, model="bt_rel.Shelf"):
        """Replaces the book."""

        label = fields.String(size=20)

    with pytest.raises(BootRefused) as refused:
        booted([Module("bt_rel", version="1.0.0", depends=["base"])], "reload")
    assert "model bt_rel.Book is in the database but not in the code" in refused.value.reasons
    assert "model bt_rel.Shelf is not in the database" in refused.value.reasons


def test_reload_can_be_told_to_only_warn(booted: Boot) -> None:
    module_1, _ = version_1()
    booted([module_1], "install")
    module_2, _ = version_2()
    app = booted([module_2], "reload", fingerprint_mismatch="WARN")
    assert "module bt_rel: code 1.1.0, database 1.0.0" in app.report.warnings
    assert any(w.startswith("model bt_rel.Book differs") for w in app.report.warnings)
    assert "warning: module bt_rel: code 1.1.0, database 1.0.0" in app.report.summary()
    assert app.report.reloaded == ["base", "bt_rel"]


def test_reload_on_an_empty_database_refuses(booted: Boot, empty_database: str) -> None:
    module, _ = version_1()
    with pytest.raises(BootRefused) as refused:
        booted([module], "reload")
    assert refused.value.reasons == [
        "the database has no modelry schema (no base.SchemaState row)"]
    assert "boot INSTALL, or apply a DDL script, first" in refused.value.message
    assert catalog(empty_database) == {"tables": {}, "base_rows": {}}


def test_module_online_read_reloads_without_the_check(booted: Boot) -> None:
    module_1, _ = version_1()
    booted([module_1], "install")
    module_2, _ = version_2()
    app = booted([module_2], "reload", module_online="READ")
    assert (app.report.reloaded, app.report.warnings) == (["base", "bt_rel"], [])
    with pytest.raises(BootRefused):
        booted([module_2], "reload", module_online="CHECK")


def test_check_field_reports_a_column_dropped_by_hand(booted: Boot, empty_database: str) -> None:
    module, _ = version_1()
    booted([module], "install")
    if backend_of(empty_database) == "mysql":
        execute(empty_database, "ALTER TABLE bt_rel_book DROP COLUMN isbn")
    else:
        execute(empty_database, 'ALTER TABLE bt_rel_book DROP COLUMN "isbn"')
    # The fingerprint still matches, so only --check-field sees it.
    assert booted([module], "reload").report.warnings == []
    with pytest.raises(BootRefused) as refused:
        booted([module], "reload", check_field=True)
    assert refused.value.reasons == ["column bt_rel_book.isbn is missing"]
    app = booted([module], "reload", check_field=True, fingerprint_mismatch="WARN")
    assert app.report.warnings == ["column bt_rel_book.isbn is missing"]


def test_check_field_reports_a_table_dropped_by_hand(booted: Boot, empty_database: str) -> None:
    module, _ = version_1()
    booted([module], "install")
    execute(empty_database, "DROP TABLE bt_rel_book")
    with pytest.raises(BootRefused) as refused:
        booted([module], "reload", check_field=True)
    assert refused.value.reasons == ["table bt_rel_book is missing"]
