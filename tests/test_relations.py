"""Relations read (batched) and written (m2o, o2m, m2m, through), and ON DELETE behaviour."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from modelry import DataError, IntegrityViolation, Model, Module, directives, fields, relations
from modelry.boot import App
from tests.sql_capture import statements
from modelry.modules.demo.models import (
    Award, PetBreed, PetItem, PetOwner, PetShop, PetTag, ShopAward)


# ── a small module for the inverse kinds the demo lacks ──────────────────────
reltest = Module("reltest", depends=["demo"], display_name="Relation write rules")


class Basket(Model, model="reltest.Basket"):
    """Its lines cannot live without it: the inverse is required (so ON DELETE RESTRICT)."""

    label = fields.String(size=20)
    lines = fields.OneToMany("reltest.Line", inverse="basket")


class Line(Model, model="reltest.Line"):
    """A line of a basket."""

    text = fields.String(size=20)
    basket = fields.ManyToOne("reltest.Basket", required=True)


class Shelf(Model, model="reltest.Shelf"):
    """Its slots may be left without a shelf: optional inverse, ON DELETE RESTRICT."""

    label = fields.String(size=20)
    slots = fields.OneToMany("reltest.Slot", inverse="shelf")


class Slot(Model, model="reltest.Slot"):
    """A slot, optionally on a shelf."""

    text = fields.String(size=20)
    shelf = fields.ManyToOne("reltest.Shelf", on_delete="RESTRICT")


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    """The demo module plus reltest, tables empty, active in this test."""
    booted = make_app([reltest])
    with booted.activate(), directives.backend_scope():
        yield booted




def _names(records: list[Any], attribute: str = "name") -> list[str]:
    return [getattr(r, attribute) for r in records]


def _item_names(shop: PetShop) -> list[str]:
    return _names(PetShop.query_by_id(shop.id).items, "item_name")


def _tag_names(shop: PetShop) -> list[str]:
    return sorted(_names(PetShop.query_by_id(shop.id).tags))


# ── reading ──────────────────────────────────────────────────────────────────
def test_many2one_reads_the_record(app: App) -> None:
    ann = PetOwner(name="Ann").create()
    shop = PetShop(name="Ann's", owner=ann).create()
    alone = PetShop(name="Nobody's").create()
    found = PetShop.query_by_id(shop.id)
    assert found.owner_id == ann.id
    assert isinstance(found.owner, PetOwner)
    assert (found.owner.id, found.owner.name) == (ann.id, "Ann")
    assert PetShop.query_by_id(alone.id).owner is None


def test_one2many_reads_a_list_in_id_order(app: App) -> None:
    ann = PetOwner(name="Ann").create()
    shop = PetShop(name="Full", owner=ann).create()
    PetItem.create_batch([PetItem(item_name=n, shop=shop) for n in ("bowl", "leash", "ball")])
    empty = PetShop(name="Empty", owner=ann).create()
    found = PetShop.query_by_id(shop.id)
    assert [type(i) for i in found.items] == [PetItem] * 3
    assert _names(found.items, "item_name") == ["bowl", "leash", "ball"]
    assert PetShop.query_by_id(empty.id).items == []
    assert _names(PetOwner.query_by_id(ann.id).shops) == ["Full", "Empty"]
    assert PetShop(name="unsaved").items == []


def test_many2many_reads_join_table_inverse_and_through(app: App) -> None:
    cats, dogs, fish = PetTag.create_batch([PetTag(name=n) for n in ("cats", "dogs", "fish")])
    one = PetShop(name="One", tags=[cats, dogs]).create()
    two = PetShop(name="Two", tags=[dogs]).create()
    award = Award(title="Best shop", winners=[two, one]).create()
    assert _tag_names(one) == ["cats", "dogs"]
    assert _tag_names(two) == ["dogs"]
    assert _names(PetTag.query_by_id(dogs.id).shops) == ["One", "Two"]
    assert _names(PetTag.query_by_id(cats.id).shops) == ["One"]
    assert PetTag.query_by_id(fish.id).shops == []
    assert sorted(_names(Award.query_by_id(award.id).winners)) == ["One", "Two"]
    assert Award(title="Unsaved").winners == []


def test_relations_of_a_query_list_load_with_one_statement_each(app: App) -> None:
    owners = PetOwner.create_batch([PetOwner(name=f"Owner {n}") for n in range(5)])
    tags = PetTag.create_batch([PetTag(name=f"tag {n}") for n in range(3)])
    breeds = PetBreed.create_batch([PetBreed(name=f"breed {n}") for n in range(2)])
    shops = PetShop.create_batch([
        PetShop(name=f"Shop {n:02}", owner=owners[n % 5] if n % 7 else None,
                tags=[tags[n % 3], tags[(n + 1) % 3]]) for n in range(50)])
    PetItem.create_batch([PetItem(item_name=f"item {s.name} {k}", shop=s, breed=breeds[k])
                          for s in shops for k in range(2)])

    with app.transaction():
        listed = PetShop.query_list(sort="name")
        assert len(listed) == 50
        with statements(app.engine) as seen:
            owner_names = [s.owner.name if s.owner else None for s in listed]
        assert len(seen) == 1, seen
        with statements(app.engine) as seen:
            items = [s.items for s in listed]
        assert len(seen) == 1, seen
        with statements(app.engine) as seen:
            tag_names = [sorted(t.name for t in s.tags) for s in listed]
        assert len(seen) == 1, seen
        with statements(app.engine) as seen:
            item_breeds = {i.breed.name for shop_items in items for i in shop_items}
        assert len(seen) == 1, seen
        with statements(app.engine) as seen:  # everything is loaded now
            assert [s.owner for s in listed] and [s.tags for s in listed]
        assert seen == []

    assert owner_names == [None if n % 7 == 0 else f"Owner {n % 5}" for n in range(50)]
    assert [len(i) for i in items] == [2] * 50
    assert _names(items[3], "item_name") == ["item Shop 03 0", "item Shop 03 1"]
    assert tag_names[4] == sorted([f"tag {4 % 3}", f"tag {5 % 3}"])
    assert item_breeds == {"breed 0", "breed 1"}


# ── writing ManyToOne ────────────────────────────────────────────────────────
def test_many2one_set_by_id_record_or_column(app: App) -> None:
    ann, bob = PetOwner.create_batch([PetOwner(name="Ann"), PetOwner(name="Bob")])
    by_id = PetShop(name="by id", owner=ann.id).create()
    by_record = PetShop(name="by record", owner=bob).create()
    by_column = PetShop(name="by column", owner_id=str(ann.id)).create()
    assert [PetShop.query_by_id(s.id).owner.name for s in (by_id, by_record, by_column)] == [
        "Ann", "Bob", "Ann"]


def test_many2one_unsaved_record_is_created_first(app: App) -> None:
    newcomer = PetOwner(name="New")
    shop = PetShop(name="Opening", owner=newcomer).create()
    assert newcomer.id is not None
    assert shop.owner_id == newcomer.id
    assert PetShop.query_by_id(shop.id).owner.name == "New"
    # one unsaved parent shared by a batch is created once
    shared = PetOwner(name="Shared")
    PetShop.create_batch([PetShop(name="s1", owner=shared), PetShop(name="s2", owner=shared)])
    assert PetOwner.count(name="Shared") == 1
    assert {s.owner_id for s in PetShop.query_list(name__in=["s1", "s2"])} == {shared.id}


def test_many2one_changed_or_cleared_on_update(app: App) -> None:
    ann, bob = PetOwner.create_batch([PetOwner(name="Ann"), PetOwner(name="Bob")])
    shop = PetShop(name="Moving", owner=ann).create()
    shop.owner = bob
    shop.update_by_id()
    assert PetShop.query_by_id(shop.id).owner.name == "Bob"
    shop.owner = None
    shop.update_by_id()
    stored = PetShop.query_by_id(shop.id)
    assert (stored.owner_id, stored.owner) == (None, None)
    shop.owner = PetOwner(name="Carla")
    shop.update_by_id()
    assert PetShop.query_by_id(shop.id).owner.name == "Carla"
    assert PetOwner.count() == 3


# ── writing OneToMany ────────────────────────────────────────────────────────
def test_one2many_on_create_with_records_and_dicts(app: App) -> None:
    shop = PetShop(name="Stocked", items=[
        PetItem(item_name="bowl", stock=2), {"item_name": "leash", "stock": 5}]).create()
    assert _item_names(shop) == ["bowl", "leash"]
    assert {i.shop_id for i in PetItem.query_list()} == {shop.id}


def _stocked(name: str, *items: str) -> tuple[PetShop, list[PetItem]]:
    shop = PetShop(name=name).create()
    created = PetItem.create_batch([PetItem(item_name=i, shop=shop) for i in items])
    return shop, created


def test_one2many_assigning_a_list_replaces_and_deletes_cascade_children(app: App) -> None:
    shop, (bowl, leash, ball) = _stocked("Shop", "bowl", "leash", "ball")
    shop.items = [bowl, ball.id, {"item_name": "brush"}]
    assert shop.update_by_id() == 1
    assert _item_names(shop) == ["bowl", "ball", "brush"]
    # the inverse (PetItem.shop) is ON DELETE CASCADE: a dropped child is deleted
    assert PetItem.query_by_id(leash.id) is None
    shop.items = []
    shop.update_by_id()
    assert _item_names(shop) == []
    assert PetItem.count() == 0


def test_one2many_add_keeps_the_others_and_moves_a_child(app: App) -> None:
    shop, _ = _stocked("Shop", "bowl")
    other, (loose,) = _stocked("Other", "loose")
    spare = PetItem(item_name="spare").create()
    shop.items = relations.add(PetItem(item_name="new"), spare.id, {"item_name": "dict"}, loose)
    shop.update_by_id()
    assert sorted(_item_names(shop)) == ["bowl", "dict", "loose", "new", "spare"]
    assert _item_names(other) == []


def test_one2many_remove_deletes_cascade_children_only_of_this_parent(app: App) -> None:
    shop, (bowl, leash, ball) = _stocked("Shop", "bowl", "leash", "ball")
    other, (theirs,) = _stocked("Other", "theirs")
    shop.items = relations.remove(bowl, ball.id, theirs.id)
    shop.update_by_id()
    assert _item_names(shop) == ["leash"]
    assert PetItem.query_by_id(bowl.id) is None and PetItem.query_by_id(ball.id) is None
    assert _item_names(other) == ["theirs"]


def test_one2many_replace_command(app: App) -> None:
    shop, (bowl, leash) = _stocked("Shop", "bowl", "leash")
    shop.items = relations.replace(leash, {"item_name": "ball"})
    shop.update_by_id()
    assert _item_names(shop) == ["leash", "ball"]
    assert PetItem.query_by_id(bowl.id) is None


def test_one2many_remove_and_replace_null_an_optional_set_null_inverse(app: App) -> None:
    ann = PetOwner(name="Ann").create()
    one, two, three = PetShop.create_batch(
        [PetShop(name=n, owner=ann) for n in ("one", "two", "three")])
    ann.shops = relations.remove(one)
    ann.update_by_id()
    assert _names(PetOwner.query_by_id(ann.id).shops) == ["two", "three"]
    assert PetShop.query_by_id(one.id).owner_id is None  # still there, unlinked
    ann.shops = [three]
    ann.update_by_id()
    assert _names(PetOwner.query_by_id(ann.id).shops) == ["three"]
    assert PetShop.count() == 3
    assert PetShop.query_by_id(two.id).owner is None


def test_one2many_remove_deletes_children_whose_inverse_is_required(app: App) -> None:
    basket = Basket(label="b", lines=[{"text": "a"}, {"text": "b"}, {"text": "c"}]).create()
    a, b, c = Line.query_list(sort="text")
    basket.lines = relations.remove(a)
    basket.update_by_id()
    assert Line.query_by_id(a.id) is None
    basket.lines = [c]
    basket.update_by_id()
    assert _names(Basket.query_by_id(basket.id).lines, "text") == ["c"]
    assert Line.query_by_id(b.id) is None
    assert Line.count() == 1


def test_one2many_remove_nulls_an_optional_restrict_inverse(app: App) -> None:
    shelf = Shelf(label="s", slots=[{"text": "a"}, {"text": "b"}, {"text": "c"}]).create()
    a, b, c = Slot.query_list(sort="text")
    shelf.slots = relations.remove(a.id)
    shelf.update_by_id()
    shelf.slots = [c]
    shelf.update_by_id()
    assert _names(Shelf.query_by_id(shelf.id).slots, "text") == ["c"]
    assert Slot.count() == 3
    assert [Slot.query_by_id(s.id).shelf_id for s in (a, b, c)] == [None, None, shelf.id]


# ── writing ManyToMany ───────────────────────────────────────────────────────
def test_many2many_on_create_with_records_ids_and_dicts(app: App) -> None:
    cats, dogs = PetTag.create_batch([PetTag(name="cats"), PetTag(name="dogs")])
    shop = PetShop(name="Mixed", tags=[cats, dogs.id, {"name": "fish", "color": "blue"}]).create()
    assert _tag_names(shop) == ["cats", "dogs", "fish"]
    assert PetTag.query_one(name="fish").color == "blue"


def _join_rows(app: App) -> int:
    with app.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(
            app.metadata.tables["demo_pet_shop_tags_rel"]))


def test_many2many_assigning_a_list_replaces_the_links(app: App) -> None:
    cats, dogs, fish = PetTag.create_batch([PetTag(name=n) for n in ("cats", "dogs", "fish")])
    shop = PetShop(name="Shop", tags=[cats, dogs]).create()
    shop.tags = [dogs, fish]
    shop.update_by_id()
    assert _tag_names(shop) == ["dogs", "fish"]
    assert PetTag.count() == 3  # unlinking never deletes the tag
    shop.tags = []
    shop.update_by_id()
    assert _tag_names(shop) == []
    assert _join_rows(app) == 0


def test_many2many_add_remove_replace_commands(app: App) -> None:
    cats, dogs, fish, birds = PetTag.create_batch(
        [PetTag(name=n) for n in ("cats", "dogs", "fish", "birds")])
    shop = PetShop(name="Shop", tags=[cats]).create()
    shop.tags = relations.add(dogs, cats.id, {"name": "new"})  # cats is already linked
    shop.update_by_id()
    assert _tag_names(shop) == ["cats", "dogs", "new"]
    assert _join_rows(app) == 3
    shop.tags = relations.remove(cats.id, fish)  # fish was never linked
    shop.update_by_id()
    assert _tag_names(shop) == ["dogs", "new"]
    shop.tags = relations.replace(birds, fish.id)
    shop.update_by_id()
    assert _tag_names(shop) == ["birds", "fish"]
    shop.tags = relations.replace()
    shop.update_by_id()
    assert _tag_names(shop) == []
    assert PetTag.count() == 5


def test_many2many_inverse_side_writes_the_same_join_table(app: App) -> None:
    one, two, three = PetShop.create_batch([PetShop(name=n) for n in ("one", "two", "three")])
    tag = PetTag(name="grooming", shops=[one, two.id]).create()
    assert _tag_names(one) == ["grooming"] and _tag_names(two) == ["grooming"]
    tag.shops = relations.add(three)
    tag.update_by_id()
    tag.shops = relations.remove(one)
    tag.update_by_id()
    assert _names(PetTag.query_by_id(tag.id).shops) == ["two", "three"]
    assert _tag_names(one) == []


def test_many2many_through_model(app: App) -> None:
    one, two, three = PetShop.create_batch([PetShop(name=n) for n in ("one", "two", "three")])
    award = Award(title="Best", winners=[one, two.id]).create()
    assert sorted(s.shop_id for s in ShopAward.query_list(award=award)) == [one.id, two.id]
    award.winners = relations.add(three)
    award.update_by_id()
    award.winners = relations.remove(one)
    award.update_by_id()
    assert sorted(_names(Award.query_by_id(award.id).winners)) == ["three", "two"]
    assert ShopAward.count() == 2
    award.winners = [one]
    award.update_by_id()
    assert _names(Award.query_by_id(award.id).winners) == ["one"]
    assert PetShop.count() == 3


def test_linking_something_that_is_not_a_record_is_an_error(app: App) -> None:
    with pytest.raises(DataError) as caught:
        PetShop(name="Odd", tags=[1.5]).create()
    assert (caught.value.code, caught.value.model, caught.value.field) == (
        "BAD_RELATION", "demo.PetShop", "tags")
    assert PetShop.count() == 0


# ── ON DELETE ────────────────────────────────────────────────────────────────
def test_deleting_an_owner_unlinks_its_shops(app: App) -> None:
    ann = PetOwner(name="Ann").create()
    shops = PetShop.create_batch([PetShop(name=n, owner=ann) for n in ("one", "two")])
    assert ann.delete_by_id() == 1
    assert [PetShop.query_by_id(s.id).owner_id for s in shops] == [None, None]


def test_deleting_a_shop_deletes_its_items_links_and_awards(app: App) -> None:
    tag = PetTag(name="cats").create()
    shop = PetShop(name="Closing", tags=[tag], items=[{"item_name": "bowl"}]).create()
    keep = PetShop(name="Staying", tags=[tag], items=[{"item_name": "ball"}]).create()
    award = Award(title="Best", winners=[shop, keep]).create()
    assert shop.delete_by_id() == 1
    assert _names(PetItem.query_list(), "item_name") == ["ball"]
    assert _names(PetTag.query_by_id(tag.id).shops) == ["Staying"]
    assert _names(Award.query_by_id(award.id).winners) == ["Staying"]
    assert ShopAward.count() == 1


def test_deleting_a_breed_in_use_is_refused(app: App) -> None:
    used, unused = PetBreed.create_batch([PetBreed(name="Used"), PetBreed(name="Unused")])
    item = PetItem(item_name="kitten", breed=used).create()
    with pytest.raises(IntegrityViolation) as caught:
        used.delete_by_id()
    assert caught.value.model == "demo.PetBreed"
    assert PetBreed.query_by_id(used.id) is not None
    assert PetItem.query_by_id(item.id).breed.name == "Used"
    assert unused.delete_by_id() == 1


def test_deleting_a_tag_or_an_award_drops_only_links(app: App) -> None:
    cats, dogs = PetTag.create_batch([PetTag(name="cats"), PetTag(name="dogs")])
    shop = PetShop(name="Shop", tags=[cats, dogs]).create()
    award = Award(title="Best", winners=[shop]).create()
    cats.delete_by_id()
    award.delete_by_id()
    assert _tag_names(shop) == ["dogs"]
    assert ShopAward.count() == 0
    assert PetShop.count() == 1


def test_deleting_a_parent_of_a_required_inverse_is_refused(app: App) -> None:
    basket = Basket(label="full", lines=[{"text": "a"}]).create()
    with pytest.raises(IntegrityViolation):
        basket.delete_by_id()
    assert Basket.count() == 1 and Line.count() == 1
    shelf = Shelf(label="s", slots=[{"text": "a"}]).create()
    with pytest.raises(IntegrityViolation):
        shelf.delete_by_id()
    assert Shelf.count() == 1
