"""Reading a record's fields, on every database: a value the record holds (a plain field, a
ManyToOne's `<name>_id`) is read without finding the field in the active registry, and
reads exactly what it read before; relations still load, a field the record does not hold
reads None, and an unknown name is still an error naming the model."""
from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from modelry import directives
from modelry.boot import App
from modelry.core import context
from modelry.modules.demo.models import PetOwner, PetShop


@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    with directives.backend_scope():
        yield


def test_held_values_are_read_without_the_registry(app: App, monkeypatch: Any) -> None:
    with app.transaction():
        owner = PetOwner(name="Ann").create()
        PetShop(name="a", income=Decimal("12.5"), owner=owner.id, settings={"k": [1]}).create()
    shop = PetShop.query_one(name="a")

    def no_registry() -> None:
        raise AssertionError("the registry was looked up")
    monkeypatch.setattr(context, "active_registry", no_registry)
    assert (shop.name, shop.income, shop.settings, shop.owner_id) == (
        "a", Decimal("12.5"), {"k": [1]}, owner.id)


def test_relations_absent_fields_and_unknown_names_read_as_before(app: App) -> None:
    with app.transaction():
        owner = PetOwner(name="Ann").create()
        shop = PetShop(name="a", owner=owner.id).create()
    found = PetShop.query_one(name="a")
    assert found.owner.name == "Ann" and found.owner_id == owner.id
    assert [s.id for s in PetOwner.query_one(name="Ann").shops] == [shop.id]
    assert PetShop(name="b").rating is None and PetShop(name="b").owner_id is None
    with pytest.raises(AttributeError, match="demo.PetShop has no field 'nothing_here'"):
        _ = found.nothing_here
    found.name = "renamed"
    assert found.name == "renamed"
