"""A field declared `renamed_from` its old name: the boot renames the column (the data
stays) instead of dropping and adding it, in every mode and on every database."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from modelry import Model, Module, fields
from modelry.boot import App
from modelry.core.registry.catalog import forget
from tests.boot.helpers import apply_script, columns

Boot = Callable[..., App]


def version_1() -> tuple[Module, type]:
    """`bt_ren` 1.0.0: parcels with a colour, a weight (indexed) and a sender."""
    forget("bt_ren")

    class Sender(Model, model="bt_ren.Sender"):
        name = fields.String(size=32)

    class Parcel(Model, model="bt_ren.Parcel"):
        label = fields.String(size=32, required=True)
        colour = fields.String(size=16, default="brown")
        grams = fields.Integer(index=True)
        sender = fields.ManyToOne("bt_ren.Sender")

    return Module("bt_ren", version="1.0.0", depends=["base"]), Parcel


def version_2() -> tuple[Module, type]:
    """`bt_ren` 1.1.0: colour → color, grams → weight, sender → shipper."""
    forget("bt_ren")

    class Sender(Model, model="bt_ren.Sender"):
        name = fields.String(size=32)

    class Parcel(Model, model="bt_ren.Parcel"):
        label = fields.String(size=32, required=True)
        color = fields.String(size=16, default="brown", renamed_from="colour")
        weight = fields.Integer(index=True, renamed_from="grams")
        shipper = fields.ManyToOne("bt_ren.Sender", renamed_from="sender")

    return Module("bt_ren", version="1.1.0", depends=["base"]), Parcel


RENAMES = ["rename column bt_ren_parcel.colour → color",
           "rename column bt_ren_parcel.grams → weight",
           "rename column bt_ren_parcel.sender_id → shipper_id"]


@pytest.fixture
def installed(booted: Boot) -> None:
    module, Parcel = version_1()
    app = booted([module], "install")
    Sender = app.registry.model("bt_ren.Sender").cls
    with app.transaction():
        ann = Sender(name="Ann").create()
        Parcel(label="books", colour="red", grams=2500, sender=ann).create()


def test_install_renames_columns_and_keeps_their_data(booted: Boot, installed: None,
                                                      empty_database: str) -> None:
    module, Parcel = version_2()
    app = booted([module], "install")  # not destructive: no --allow-destructive needed
    assert sorted(step for step in app.report.schema_steps if "rename" in step) == RENAMES
    with app.transaction():
        [parcel] = Parcel.query_list()
        assert (parcel.label, parcel.color, parcel.weight) == ("books", "red", 2500)
        assert parcel.shipper.name == "Ann"
        assert Parcel.count(rsql="weight=gt=1000") == 1
    found = columns(empty_database, "bt_ren_parcel")
    assert {"color", "weight", "shipper_id"} <= set(found)
    assert not {"colour", "grams", "sender_id"} & set(found)
    again = booted([module], "install")
    assert again.report.schema_steps == []  # indexes and keys followed the new names


def test_ddl_prints_the_rename(booted: Boot, installed: None) -> None:
    module, _ = version_2()
    app = booted([module], "ddl")
    script = app.report.ddl or ""
    assert "RENAME" in script.upper() or "CHANGE" in script.upper()
    assert "DROP COLUMN" not in script.upper().replace("-- ", "")
    assert "colour" in script and "color" in script


def test_extend_adds_the_new_column_and_leaves_the_rename_out(booted: Boot,
                                                              installed: None,
                                                              empty_database: str) -> None:
    module, _ = version_2()
    app = booted([module], "install", build_table="EXTEND")
    assert set(RENAMES) <= set(app.report.left_out)  # with the old names' keys and indexes
    assert not any(step.startswith("drop column") for step in app.report.left_out)
    found = columns(empty_database, "bt_ren_parcel")
    assert {"colour", "color", "grams", "weight", "sender_id", "shipper_id"} <= set(found)


def test_dba_applies_the_renames_with_the_real_client(booted: Boot, installed: None,
                                                      empty_database: str,
                                                      tmp_path: Path) -> None:
    module, Parcel = version_2()
    script = booted([module], "ddl").report.ddl or ""
    path = tmp_path / "renames.sql"
    path.write_text(script)
    applied = apply_script(empty_database, path)
    assert applied.returncode == 0 and "ERROR" not in applied.stderr.upper(), applied.stderr
    app = booted([module], "reload", check_field=True)
    assert app.report.warnings == []
    with app.transaction():
        [parcel] = Parcel.query_list()
        assert (parcel.color, parcel.weight, parcel.shipper.name) == ("red", 2500, "Ann")
    assert booted([module], "ddl").report.schema_steps == []
