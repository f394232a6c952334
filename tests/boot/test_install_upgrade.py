"""INSTALL from an empty database, then upgrades that add a model, a field, an index and
relations, with the rows of the first version kept."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from modelry import Model, Module, fields
from modelry.boot import App
from modelry.boot.engine import create_engine
from modelry.core.registry.catalog import forget
from modelry.modules.base.metadata import (
    ModelDefinition,
    ModelField,
    ModuleDefinition,
    ModuleState,
    SchemaState,
)
from tests.boot.helpers import columns, query

Boot = Callable[..., App]

# ── INSTALL from empty ─────────────────────────────────────────────────────

INSTALL = Module("bt_inst", version="1.0.0", depends=["base"], display_name="Install test")


class Store(Model, model="bt_inst.Store", optimistic_lock=True):
    """A store with an owner and tags."""

    name = fields.String(size=64, required=True, unique=True)
    income = fields.Money()
    owner = fields.ManyToOne("bt_inst.Keeper")
    labels = fields.ManyToMany("bt_inst.Label")


class Keeper(Model, model="bt_inst.Keeper"):
    """Who keeps a store."""

    name = fields.String(size=64, index=True)


class Label(Model, model="bt_inst.Label"):
    """A label."""

    title = fields.String(size=32)


def metadata_rows(app: App) -> dict[str, Any]:
    """The persisted metadata, read through the data manager like any other model."""
    with app.transaction():
        field_rows = ModelField.query_list()
        return {
            "modules": {m.module: m for m in ModuleDefinition.query_list()},
            "models": {m.model: m for m in ModelDefinition.query_list()},
            "fields": [(f.model, f.field) for f in field_rows],
            "field_rows": {(f.model, f.field): f for f in field_rows},
            "schema": SchemaState.query_list(),
        }


def test_install_from_an_empty_database(booted: Boot, empty_database: str) -> None:
    app = booted([INSTALL], "install")

    engine = create_engine(empty_database)
    tables = sa.inspect(engine).get_table_names()
    engine.dispose()
    assert sorted(tables) == sorted(app.metadata.tables)
    assert {"bt_inst_store", "bt_inst_keeper", "bt_inst_label", "bt_inst_store_labels_rel",
            "base_module_definition", "base_model_definition", "base_model_field",
            "base_schema_state", "base_model_data"} <= set(tables)

    report = app.report
    assert report.installed == ["base", "bt_inst"]
    assert (report.upgraded, report.reloaded) == ([], [])
    assert report.tables_created == len(app.metadata.tables)
    assert report.tables_altered == 0
    assert "create table bt_inst_store" in report.schema_steps
    assert report.left_out == [] and report.warnings == []
    assert report.metadata_statements > 0
    assert "INSTALL: modules installed 2, upgraded 0, reloaded 0; " \
           f"tables created {len(app.metadata.tables)}, altered 0" in report.summary()

    stored = metadata_rows(app)
    assert set(stored["modules"]) == {"base", "bt_inst"}
    module = stored["modules"]["bt_inst"]
    assert (module.version, module.state, module.dependencies, module.display_name) == (
        "1.0.0", ModuleState.INSTALLED, ["base"], "Install test")
    assert isinstance(module.installed_at, dt.datetime) and module.upgraded_at is None
    assert stored["modules"]["base"].dependencies == []

    assert set(stored["models"]) == set(app.registry.models)
    store = stored["models"]["bt_inst.Store"]
    assert (store.module, store.table_name, store.kind, store.optimistic_lock) == (
        "bt_inst", "bt_inst_store", "store", True)

    expected_fields = [(code, name) for code, meta in app.registry.models.items()
                       for name in meta.fields]
    assert sorted(stored["fields"]) == sorted(expected_fields)
    owner = stored["field_rows"][("bt_inst.Store", "owner")]
    assert (owner.kind, owner.column_name, owner.target) == (
        "many2one", "owner_id", "bt_inst.Keeper")
    labels = stored["field_rows"][("bt_inst.Store", "labels")]
    assert labels.description["join_table"] == "bt_inst_store_labels_rel"
    assert stored["field_rows"][("bt_inst.Store", "name")].required is True

    [schema] = stored["schema"]
    assert schema.key == "schema"
    assert schema.fingerprint == app.registry.fingerprint()
    assert schema.modules == {"base": app.registry.modules["base"].version,
                              "bt_inst": "1.0.0"}


@pytest.mark.parametrize("lifecycle", ["package", "custom_install"])
def test_package_and_custom_install_install_like_install(booted: Boot, lifecycle: str) -> None:
    app = booted([INSTALL], lifecycle)
    assert app.report.installed == ["base", "bt_inst"]
    assert app.report.tables_created == len(app.metadata.tables)
    assert app.options.rebuild_http_api is (lifecycle != "package")
    [schema] = metadata_rows(app)["schema"]
    assert schema.fingerprint == app.registry.fingerprint()
    assert booted([INSTALL], "reload").report.reloaded == ["base", "bt_inst"]


def test_the_installed_application_serves_data(booted: Boot) -> None:
    app = booted([INSTALL], "install")
    with app.transaction():
        keeper = Keeper(name="Kim").create()
        red = Label(title="red").create()
        Store(name="Corner", income="12.50", owner=keeper, labels=[red]).create()
    with app.transaction():
        store = Store.query_one(rsql="name == 'Corner'")
        assert (store.owner.name, [label.title for label in store.labels]) == ("Kim", ["red"])


def test_installing_twice_creates_nothing_and_duplicates_nothing(booted: Boot) -> None:
    first = booted([INSTALL], "install")
    before = metadata_rows(first)
    again = booted([INSTALL], "install")
    report = again.report
    assert report.installed == []
    assert report.upgraded == ["base", "bt_inst"]          # INSTALL upgrades with FORCE
    assert (report.tables_created, report.tables_altered, report.schema_steps) == (0, 0, [])
    after = metadata_rows(again)
    assert sorted(after["fields"]) == sorted(before["fields"])
    assert set(after["models"]) == set(before["models"])
    assert len(after["schema"]) == 1
    assert after["modules"]["bt_inst"].installed_at == before["modules"]["bt_inst"].installed_at


def test_auto_upgrade_leaves_an_installed_module_of_the_same_version(booted: Boot) -> None:
    booted([INSTALL], "install")
    again = booted([INSTALL], "install", upgrade="AUTO")
    assert (again.report.installed, again.report.upgraded) == ([], [])
    assert again.report.reloaded == ["base", "bt_inst"]


# ── upgrades: a model, a field, an index and relations added ───────────────

def version_1() -> tuple[Module, dict[str, type]]:
    """`bt_up` 1.0.0: shops with a name."""
    forget("bt_up")

    class Shop(Model, model="bt_up.Shop"):
        """A shop."""

        name = fields.String(size=64, required=True)
        city = fields.String(size=64)

    return Module("bt_up", version="1.0.0", depends=["base"]), {"Shop": Shop}


def version_2() -> tuple[Module, dict[str, type]]:
    """`bt_up` 1.1.0: a rating, an index on the city, an owner and tags (two new models)."""
    forget("bt_up")

    class Shop(Model, model="bt_up.Shop"):
        """A shop, rated, owned and tagged."""

        name = fields.String(size=64, required=True)
        city = fields.String(size=64, index=True)
        rating = fields.Integer()
        owner = fields.ManyToOne("bt_up.Owner")
        tags = fields.ManyToMany("bt_up.Tag")

    class Owner(Model, model="bt_up.Owner"):
        """Who owns shops."""

        name = fields.String(size=64)

    class Tag(Model, model="bt_up.Tag"):
        """A label on shops."""

        name = fields.String(size=32)

    return (Module("bt_up", version="1.1.0", depends=["base"]),
            {"Shop": Shop, "Owner": Owner, "Tag": Tag})


def install_version_1(booted: Boot) -> App:
    """Install 1.0.0 and store two shops."""
    module, models = version_1()
    app = booted([module], "install")
    with app.transaction():
        models["Shop"](name="Alpha", city="Lyon").create()
        models["Shop"](name="Beta", city="Oslo").create()
    return app


@pytest.mark.parametrize("upgrade", ["FORCE", "AUTO"])
def test_upgrade_adds_a_model_a_field_an_index_and_relations(booted: Boot, empty_database: str,
                                                             upgrade: str) -> None:
    first = install_version_1(booted)
    first_fingerprint = first.registry.fingerprint()
    module, models = version_2()
    app = booted([module], "install", upgrade=upgrade)

    report = app.report
    assert "bt_up" in report.upgraded and report.installed == []
    assert report.tables_created == 3            # bt_up_owner, bt_up_tag, the join table
    assert report.tables_altered == 1            # bt_up_shop
    assert {"create table bt_up_owner", "create table bt_up_tag",
            "create table bt_up_shop_tags_rel", "add column bt_up_shop.rating",
            "add column bt_up_shop.owner_id"} <= set(report.schema_steps)

    shop_columns = columns(empty_database, "bt_up_shop")
    assert {"rating", "owner_id"} <= set(shop_columns)
    engine = create_engine(empty_database)
    inspector = sa.inspect(engine)
    indexes = {tuple(i["column_names"]) for i in inspector.get_indexes("bt_up_shop")}
    assert ("city",) in indexes
    foreign_keys = {(tuple(f["constrained_columns"]), f["referred_table"])
                    for f in inspector.get_foreign_keys("bt_up_shop")}
    assert (("owner_id",), "bt_up_owner") in foreign_keys
    join_keys = {(tuple(f["constrained_columns"]), f["referred_table"])
                 for f in inspector.get_foreign_keys("bt_up_shop_tags_rel")}
    assert join_keys == {(("shop_id",), "bt_up_shop"), (("tag_id",), "bt_up_tag")}
    engine.dispose()

    Shop, Owner, Tag = models["Shop"], models["Owner"], models["Tag"]
    with app.transaction():
        kept = Shop.query_list(sort="name")
        assert [(s.name, s.city, s.rating, s.owner) for s in kept] == [
            ("Alpha", "Lyon", None, None), ("Beta", "Oslo", None, None)]
        owner, tag = Owner(name="Olga").create(), Tag(name="cosy").create()
        alpha = kept[0]
        alpha.rating, alpha.owner, alpha.tags = 5, owner, [tag]
        assert alpha.update_by_id() == 1
    with app.transaction():
        alpha = Shop.query_one(rsql="name == 'Alpha'")
        assert (alpha.rating, alpha.owner.name, [t.name for t in alpha.tags]) == (
            5, "Olga", ["cosy"])
        assert Shop.count(rsql="tags.name == 'cosy'") == 1

    stored = metadata_rows(app)
    module_row = stored["modules"]["bt_up"]
    assert module_row.version == "1.1.0"
    assert isinstance(module_row.upgraded_at, dt.datetime)
    assert {"bt_up.Owner", "bt_up.Tag"} <= set(stored["models"])
    assert ("bt_up.Shop", "rating") in stored["fields"]
    assert len([f for f in stored["fields"] if f == ("bt_up.Shop", "name")]) == 1
    [schema] = stored["schema"]
    assert schema.fingerprint == app.registry.fingerprint() != first_fingerprint
    assert schema.modules["bt_up"] == "1.1.0"

    # The new version is now what the database holds: RELOAD accepts it.
    assert booted([module], "reload").report.reloaded == ["base", "bt_up"]


def test_an_upgrade_keeps_the_rows_ids(booted: Boot, empty_database: str) -> None:
    install_version_1(booted)
    before = query(empty_database, "SELECT id, name FROM bt_up_shop ORDER BY id")
    module, _ = version_2()
    booted([module], "install")
    after = query(empty_database, "SELECT id, name FROM bt_up_shop ORDER BY id")
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    assert len(after) == 2
