"""DDL mode prints one script and changes nothing; a DBA applies the script with the
database's own client, RELOAD then serves, and a second DDL run has nothing to print."""
from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from modelry import Model, Module, fields
from modelry.boot import App, boot
from modelry.core.registry.catalog import forget
from tests.boot.helpers import apply_script, backend_of, catalog, statements

Boot = Callable[..., App]
NO_CHANGES = "-- no changes: the database already matches the code"


def version_1() -> tuple[Module, dict[str, type]]:
    """`bt_dba` 1.0.0: pets with a kind and a JSON profile."""
    forget("bt_dba")

    class Pet(Model, model="bt_dba.Pet", optimistic_lock=True):
        """A pet."""

        name = fields.String(size=64, required=True, unique=True)
        kind = fields.String(size=32, index=True)
        nickname = fields.String(size=40)
        profile = fields.Json()
        price = fields.Money()
        active = fields.Boolean(default=True)

    return Module("bt_dba", version="1.0.0", depends=["base"]), {"Pet": Pet}


def version_2() -> tuple[Module, dict[str, type]]:
    """`bt_dba` 1.1.0: owners and toys added, a weight and an index, the nickname dropped."""
    forget("bt_dba")

    class Pet(Model, model="bt_dba.Pet", optimistic_lock=True):
        """A pet with an owner and toys."""

        name = fields.String(size=64, required=True, unique=True)
        kind = fields.String(size=32, index=True)
        profile = fields.Json()
        price = fields.Money()
        active = fields.Boolean(default=True)
        weight = fields.Decimal(precision=8, scale=2, index=True)
        owner = fields.ManyToOne("bt_dba.Owner")
        toys = fields.ManyToMany("bt_dba.Toy")

    class Owner(Model, model="bt_dba.Owner"):
        """A pet owner."""

        name = fields.String(size=64, required=True)

    class Toy(Model, model="bt_dba.Toy"):
        """A toy."""

        name = fields.String(size=32)

    return (Module("bt_dba", version="1.1.0", depends=["base"]),
            {"Pet": Pet, "Owner": Owner, "Toy": Toy})


def header(script: str) -> list[str]:
    """The comment lines at the top of a script."""
    lines = []
    for line in script.splitlines():
        if not line.startswith("-- "):
            break
        lines.append(line)
    return lines


def check_transaction_lines(script: str, backend: str) -> None:
    """BEGIN/COMMIT exactly where the dialect has transactional DDL (PostgreSQL)."""
    live = statements(script)
    if backend == "postgresql":
        assert live[0] == "BEGIN;" and live[-1] == "COMMIT;"
    else:
        assert "BEGIN;" not in live and "COMMIT;" not in live


# ── DDL changes nothing ────────────────────────────────────────────────────

def test_ddl_on_an_empty_database_prints_everything_and_changes_nothing(
        booted: Boot, empty_database: str) -> None:
    module, _ = version_1()
    before = catalog(empty_database)
    app = booted([module], "ddl")
    assert catalog(empty_database) == before == {"tables": {}, "base_rows": {}}

    script = app.report.ddl
    backend = backend_of(empty_database)
    lines = header(script)
    name = {"mysql": "mariadb"}.get(backend, backend)
    assert re.fullmatch(rf"-- modelry DDL script for {name} [\d.]+", lines[0])
    assert re.fullmatch(r"-- generated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lines[1])
    assert f"-- modules: base {app.registry.modules['base'].version}, bt_dba 1.0.0" in lines
    assert f"-- schema fingerprint: (none) -> {app.registry.fingerprint()}" in lines
    check_transaction_lines(script, backend)
    assert "CREATE TABLE bt_dba_pet (" in script
    assert "CREATE TABLE base_module_definition (" in script
    assert "INSERT INTO base_module_definition" in script
    assert "INSERT INTO base_schema_state" in script
    assert app.registry.fingerprint() in script.split("-- metadata")[1]
    assert app.report.installed == ["base", "bt_dba"]   # what the script installs
    assert app.report.tables_created == len(app.metadata.tables)


def test_ddl_for_an_upgrade_changes_nothing(booted: Boot, empty_database: str) -> None:
    module_1, models = version_1()
    app_1 = booted([module_1], "install")
    with app_1.transaction():
        models["Pet"](name="Rex", kind="dog", nickname="Rexy").create()
    module_2, _ = version_2()
    before = catalog(empty_database)
    app = booted([module_2], "ddl")
    allowed = booted([module_2], "ddl", allow_destructive=True)
    assert catalog(empty_database) == before

    script = app.report.ddl
    assert f"-- schema fingerprint: {app_1.registry.fingerprint()} -> " \
           f"{app.registry.fingerprint()}" in header(script)
    assert "-- modules: base" in script and "bt_dba 1.1.0" in script
    check_transaction_lines(script, backend_of(empty_database))
    assert "-- drop column bt_dba_pet.nickname: its data is lost" in script
    live = "\n".join(statements(script))
    assert "DROP COLUMN nickname" not in live
    if backend_of(empty_database) == "sqlite":  # the owner's foreign key rebuilds the table,
        assert "nickname VARCHAR(40)" in live    # and the held-back column is kept in it
    assert "UPDATE base_module_definition" in script and "'1.1.0'" in script
    assert "CREATE TABLE bt_dba_owner (" in script
    assert app.report.upgraded == ["base", "bt_dba"]

    assert "-- destructive changes" not in allowed.report.ddl
    live = "\n".join(statements(allowed.report.ddl))
    if backend_of(empty_database) == "sqlite":
        assert "CREATE TABLE _alembic_tmp_bt_dba_pet" in live and "nickname" not in live
    else:
        assert "ALTER TABLE bt_dba_pet DROP COLUMN nickname;" in live


def test_ddl_writes_the_output_file(booted: Boot, tmp_path: Path) -> None:
    module, _ = version_1()
    output = tmp_path / "upgrade.sql"
    app = booted([module], "ddl", output=str(output))
    assert output.read_text() == app.report.ddl
    assert output.read_text().startswith("-- modelry DDL script for")


# ── the DBA flow, with the real clients ────────────────────────────────────

def dba_applies(url: str, script: str, tmp_path: Path) -> None:
    """Save the script and apply it with psql / mysql / sqlite3, stopping on any error."""
    path = tmp_path / "modelry-ddl.sql"
    path.write_text(script)
    applied = apply_script(url, path)
    assert applied.returncode == 0, applied.stderr
    assert "ERROR" not in applied.stderr.upper(), applied.stderr


def test_dba_flow_from_an_empty_database(empty_database: str, tmp_path: Path) -> None:
    module, models = version_1()
    with boot(database=empty_database, modules=[module], lifecycle="ddl") as ddl:
        script = ddl.report.ddl
    dba_applies(empty_database, script, tmp_path)

    with boot(database=empty_database, modules=[module], lifecycle="reload",
              options={"check_field": True}) as app:
        assert app.report.reloaded == ["base", "bt_dba"]
        assert app.report.warnings == []
        Pet = models["Pet"]
        with app.transaction():
            Pet(name="Tom", kind="cat", profile={"colour": "grey"}, price="9.99").create()
        with app.transaction():
            tom = Pet.query_one(rsql="kind == 'cat'")
            assert (tom.name, tom.profile, tom.price, tom.active, tom.opt_version) == (
                "Tom", {"colour": "grey"}, Decimal("9.99"), True, 0)

    with boot(database=empty_database, modules=[module], lifecycle="ddl") as again:
        assert NO_CHANGES in again.report.ddl
        assert statements(again.report.ddl) == []
        assert again.report.schema_steps == [] and again.report.metadata_statements == 0


@pytest.mark.parametrize("allow_destructive", [False, True])
def test_dba_flow_for_an_upgrade(empty_database: str, tmp_path: Path,
                                 allow_destructive: bool) -> None:
    module_1, models_1 = version_1()
    with boot(database=empty_database, modules=[module_1], lifecycle="install") as app_1:
        with app_1.transaction():
            models_1["Pet"](name="Rex", kind="dog", nickname="Rexy", price="3.50").create()
    module_2, models = version_2()
    options = {"allow_destructive": allow_destructive}
    with boot(database=empty_database, modules=[module_2], lifecycle="ddl",
              options=options) as ddl:
        script = ddl.report.ddl
    dba_applies(empty_database, script, tmp_path)

    with boot(database=empty_database, modules=[module_2], lifecycle="reload",
              options={"check_field": True}) as app:
        assert app.report.reloaded == ["base", "bt_dba"]
        Pet, Owner, Toy = models["Pet"], models["Owner"], models["Toy"]
        with app.transaction():
            rex = Pet.query_one(rsql="name == 'Rex'")
            assert (rex.kind, rex.price, rex.weight, rex.owner) == (
                "dog", Decimal("3.50"), None, None)
            ann = Owner(name="Ann").create()
            Pet(name="Fido", kind="dog", weight="12.25", owner=ann,
                toys=[Toy(name="ball").create()]).create()
        with app.transaction():
            fido = Pet.query_one(rsql="owner.name == 'Ann'")
            assert (fido.name, fido.weight, [t.name for t in fido.toys]) == (
                "Fido", Decimal("12.25"), ["ball"])
            assert Pet.count() == 2

    with boot(database=empty_database, modules=[module_2], lifecycle="ddl",
              options=options) as again:
        script_again = again.report.ddl
    if allow_destructive:
        assert NO_CHANGES in script_again and statements(script_again) == []
    else:  # the held-back drop is all that is left, and it is still commented out
        assert statements(script_again) == []
        assert "-- drop column bt_dba_pet.nickname: its data is lost" in script_again
        assert "-- metadata" not in script_again
