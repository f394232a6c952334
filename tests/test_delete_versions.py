"""Deletes through the data manager: a held version is checked (all or nothing for a batch),
a bare id is not, each id is deleted once; back-end code may write what clients may not
(ids, read-only fields).

`demo.PetShop` is locked (`opt_version`) and has a read-only `closed_on`; `demo.PetTag` is
not locked.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from modelry import DataError, OptimisticLockError, directives
from modelry.boot import App
from modelry.directives import Directive
from modelry.modules.demo.models import PetShop, PetTag


@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    with directives.backend_scope():
        yield


def _changed_elsewhere(shop: PetShop) -> None:
    """Another writer moves the stored version on; `shop` keeps the one it read."""
    other = PetShop.query_by_id(shop.id)
    assert other is not None
    other.name = f"{shop.name} (edited)"
    assert other.update_by_id() == 1


def test_delete_by_id_with_a_stale_version_deletes_nothing(app: App) -> None:
    shop = PetShop(name="Stale").create()
    _changed_elsewhere(shop)
    assert shop.delete_by_id() == 0
    assert PetShop.count() == 1
    shop.opt_version = 1
    assert shop.delete_by_id() == 1
    assert PetShop.count() == 0


def test_delete_batch_with_a_stale_record_deletes_none_and_names_it(app: App) -> None:
    fresh, stale = PetShop(name="Fresh").create(), PetShop(name="Stale").create()
    plain = PetShop(name="Plain").create()
    _changed_elsewhere(stale)
    with pytest.raises(OptimisticLockError) as refused:
        PetShop.delete_batch([fresh, stale, plain.id])
    assert refused.value.stale_ids == [stale.id] and refused.value.model == "demo.PetShop"
    assert refused.value.code == "OPTIMISTIC_LOCK"
    assert PetShop.count() == 3


def test_bare_ids_and_records_without_a_version_are_deleted_at_any_version(app: App) -> None:
    first, second = PetShop(name="First").create(), PetShop(name="Second").create()
    _changed_elsewhere(first)
    _changed_elsewhere(second)
    assert PetShop.delete_batch([first.id, PetShop(id=second.id)]) == 2
    assert PetShop.count() == 0


def test_unlock_deletes_whatever_version_is_held(app: App) -> None:
    shop = PetShop(name="Unlocked").create()
    _changed_elsewhere(shop)
    with directives.scope(Directive.UNLOCK):
        assert PetShop.delete_batch([shop]) == 1
    assert PetShop.count() == 0


def test_a_record_listed_twice_is_deleted_once(app: App) -> None:
    shop, tag = PetShop(name="Twice").create(), PetTag(name="twice").create()
    assert PetShop.delete_batch([shop.id, shop, shop]) == 1
    assert PetTag.delete_batch([tag, tag.id, str(tag.id)]) == 1
    assert PetShop.count() == PetTag.count() == 0


def test_a_version_held_by_one_of_the_duplicates_is_checked(app: App) -> None:
    shop = PetShop(name="Twice").create()
    _changed_elsewhere(shop)
    with pytest.raises(OptimisticLockError):
        PetShop.delete_batch([shop.id, shop])
    assert PetShop.count() == 1


def test_a_record_listed_twice_with_two_versions_is_refused(app: App) -> None:
    shop = PetShop(name="Twice").create()
    with pytest.raises(DataError) as refused:
        PetShop.delete_batch([shop, PetShop(id=shop.id, opt_version=7)])
    assert (refused.value.code, refused.value.model, refused.value.field) == (
        "DUPLICATE_ID", "demo.PetShop", "id")
    assert PetShop.count() == 1


def test_back_end_code_writes_ids_and_read_only_fields(app: App) -> None:
    shop = PetShop(id=500, name="Chosen", closed_on=dt.date(2024, 1, 2)).create()
    assert (shop.id, shop.closed_on) == (500, dt.date(2024, 1, 2))
    shop.closed_on = dt.date(2024, 2, 3)
    assert shop.update_by_id() == 1
    assert PetShop.query_by_id(500).closed_on == dt.date(2024, 2, 3)
