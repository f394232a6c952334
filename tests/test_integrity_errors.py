"""Constraint violations the database reports come back with a code and a message naming
the model and field, the same on every database; the database's own text (table names)
stays in the server log."""
from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal

import pytest

from modelry import (ForeignKeyViolation, IntegrityViolation, NotNullViolation,
                     RecordReferenced, UniqueViolation, directives)
from modelry.boot import App
from modelry.modules.demo.models import PetBreed, PetItem, PetOwner, PetShop, ShopAward
from tests.graphql.conftest import Server, demo_app, sample_server, server, shared_server

__all__ = ["demo_app", "sample_server", "server", "shared_server"]  # the demo server fixtures


@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    with directives.backend_scope():
        yield


def test_a_used_unique_value_names_the_field_and_the_value(app: App) -> None:
    PetShop(name="One", code="DUP").create()
    with pytest.raises(UniqueViolation) as caught:
        PetShop(name="Two", code="DUP").create()
    assert (caught.value.code, caught.value.model, caught.value.field) == \
        ("UNIQUE_VIOLATION", "demo.PetShop", "code")
    assert caught.value.message == "demo.PetShop.code: the value 'DUP' is already used"
    assert isinstance(caught.value, IntegrityViolation)
    assert PetShop.count() == 1


def test_a_used_unique_value_in_a_batch_names_the_field(app: App) -> None:
    with pytest.raises(UniqueViolation) as caught:
        PetOwner.create_batch([PetOwner(name="A", email="a@x"), PetOwner(name="B", email="a@x")])
    assert (caught.value.model, caught.value.field) == ("demo.PetOwner", "email")
    assert caught.value.message.startswith("demo.PetOwner.email: the value ")
    assert "demo_pet_owner" not in caught.value.message
    assert PetOwner.count() == 0


def test_a_missing_related_record_names_the_many_to_one(app: App) -> None:
    shop = PetShop(name="Shop").create()
    with pytest.raises(ForeignKeyViolation) as caught:
        PetItem(item_name="bowl", shop=shop.id, breed=987654).create()
    assert (caught.value.code, caught.value.model, caught.value.field) == \
        ("FOREIGN_KEY_VIOLATION", "demo.PetItem", "breed")
    assert caught.value.message == "demo.PetItem.breed: no demo.PetBreed record has id 987654"


def test_a_referenced_record_cannot_be_deleted(app: App) -> None:
    breed = PetBreed(name="Beagle").create()
    PetItem(item_name="puppy", breed=breed.id).create()
    with pytest.raises(RecordReferenced) as caught:
        breed.delete_by_id()
    assert (caught.value.code, caught.value.model) == ("RECORD_REFERENCED", "demo.PetBreed")
    assert caught.value.message == \
        "demo.PetBreed: the record is still referenced by demo.PetItem.breed"
    assert PetBreed.count() == 1


def test_a_required_column_left_empty_names_the_field(app: App) -> None:
    shop = PetShop(name="Shop").create()
    with pytest.raises(NotNullViolation) as caught:   # no CHECK: the database refuses it
        ShopAward(shop=shop.id, year=2024).create()
    assert (caught.value.code, caught.value.model, caught.value.field) == \
        ("NOT_NULL_VIOLATION", "demo.ShopAward", "award")
    assert caught.value.message == "demo.ShopAward.award: a value is required"


def test_the_databases_own_text_goes_to_the_log(app: App,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="modelry.data")
    PetShop(name="One", code="LOGGED").create()
    with pytest.raises(UniqueViolation):
        PetShop(name="Two", code="LOGGED", income=Decimal(1)).create()
    [entry] = [r.getMessage() for r in caplog.records if r.name == "modelry.data"]
    assert entry.startswith("the database refused a write on demo.PetShop: ")
    assert len(entry) > len("the database refused a write on demo.PetShop: ")


# ── through HTTP, as a front end sees it ─────────────────────────────────────────
def test_violations_reach_the_client_in_the_models_words(sample_server: Server) -> None:
    duplicate = sample_server.gql('mutation { petShopMutation { create(data: '
                                  '{name: "Again", code: "S001"}) { id } } }')
    assert duplicate.codes == ["UNIQUE_VIOLATION"]
    assert duplicate.messages[0] | {"path": None} == {
        "level": "ERROR", "code": "UNIQUE_VIOLATION", "model": "demo.PetShop", "field": "code",
        "message": "demo.PetShop.code: the value 'S001' is already used", "path": None}
    missing = sample_server.gql('mutation { petItemMutation { create(data: '
                                '{itemName: "x", breed: {id: "987654"}}) { id } } }')
    assert missing.codes == ["FOREIGN_KEY_VIOLATION"]
    assert missing.errors[0]["message"] == \
        "demo.PetItem.breed: no demo.PetBreed record has id 987654"
    breeds = sample_server.gql("{ petBreedQuery { queryListByWrapper(queryWrapper: "
                               '{rsql: "name==Beagle"}) { id } } }').ok()
    used = breeds["petBreedQuery"]["queryListByWrapper"][0]["id"]
    referenced = sample_server.gql("mutation($id: Long) { petBreedMutation { delete(dataList: "
                                   "[{id: $id}]) { id } } }", {"id": used})
    assert referenced.codes == ["RECORD_REFERENCED"]
    assert referenced.errors[0]["message"] == \
        "demo.PetBreed: the record is still referenced by demo.PetItem.breed"
    for answer in (duplicate, missing, referenced):
        assert "demo_pet" not in str(answer.body) and "constraint" not in str(answer.body)
