"""The data manager's calls, transactions and audit fields, on every database."""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from modelry import DataError, IntegrityViolation, Page, directives
from modelry.boot import App
from tests.sql_capture import statements
from modelry.modules.demo.models import PetItem, PetOwner, PetShop, ShopStatus



@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    """Every test starts with the back-end directive set (no bits)."""
    with directives.backend_scope():
        yield




def _rows_outside(app: App, table: str) -> int:
    """Rows of `table` as another connection sees them (committed data only)."""
    with app.engine.connect() as connection:
        return connection.scalar(sa.select(sa.func.count()).select_from(
            app.metadata.tables[table]))


def _shops(*specs: tuple[str, int]) -> list[PetShop]:
    return PetShop.create_batch([PetShop(name=n, income=Decimal(i)) for n, i in specs])


# ── create ───────────────────────────────────────────────────────────────────
def test_create_fills_id_defaults_and_audit_fields(app: App) -> None:
    shop = PetShop(name="Kitty corner", code="K1")
    assert shop.create() is shop
    assert isinstance(shop.id, int)
    assert shop.income == Decimal("0")
    assert shop.status is ShopStatus.OPEN
    assert (shop.employees, shop.visits, shop.is_open) == (1, 0, True)
    assert shop.create_date is not None and shop.create_date == shop.write_date
    stored = PetShop.query_by_id(shop.id)
    assert stored is not shop
    assert stored.to_dict() == shop.to_dict()


def test_create_two_records_get_distinct_ids(app: App) -> None:
    first = PetOwner(name="Ann").create()
    second = PetOwner(name="Bob").create()
    assert first.id != second.id
    assert [o.name for o in PetOwner.query_list(sort="name")] == ["Ann", "Bob"]


def test_create_refused_by_the_database_names_the_model(app: App) -> None:
    PetShop(name="One", code="DUP").create()
    with pytest.raises(IntegrityViolation) as caught:
        PetShop(name="Two", code="DUP").create()
    assert caught.value.model == "demo.PetShop"
    assert caught.value.code == "UNIQUE_VIOLATION"
    assert PetShop.count() == 1


def test_create_batch_fills_ids_with_one_insert(app: App) -> None:
    records = [PetShop(name=f"Shop {n:02}", employees=n) for n in range(25)]
    with app.transaction(), statements(app.engine) as seen:
        created = PetShop.create_batch(records)
    inserts = [s for s in seen if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 1, seen
    assert created == records and created[0] is records[0]
    ids = [r.id for r in created]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == 25
    # every record got the id of its own row
    by_id = {s.id: (s.name, s.employees) for s in PetShop.query_list()}
    assert all(by_id[r.id] == (r.name, r.employees) for r in created)
    assert all(r.opt_version == 0 and r.create_date is not None for r in created)


def test_create_batch_with_different_columns_maps_every_id(app: App) -> None:
    records = [PetShop(name="plain"), PetShop(name="coded", code="C1"),
               PetShop(name="plain 2"), PetShop(name="rated", rating=4.5, code="C2")]
    PetShop.create_batch(records)
    for record in records:
        stored = PetShop.query_by_id(record.id)
        assert (stored.name, stored.code, stored.rating) == (
            record.name, record.code, record.rating)


def test_create_batch_accepts_dicts_and_an_empty_list(app: App) -> None:
    created = PetOwner.create_batch([{"name": "Ann"}, {"name": "Bob", "email": "b@x.org"}])
    assert [type(o) for o in created] == [PetOwner, PetOwner]
    assert PetOwner.query_by_id(created[1].id).email == "b@x.org"
    assert PetOwner.create_batch([]) == []
    assert PetOwner.count() == 2


# ── update ───────────────────────────────────────────────────────────────────
def test_update_by_id_writes_only_the_changed_fields(app: App) -> None:
    item = PetItem(item_name="Bone", price=Decimal("2.50"), stock=1).create()
    first, second = PetItem.query_by_id(item.id), PetItem.query_by_id(item.id)
    first.price = Decimal("3.75")
    assert first.update_by_id() == 1
    second.stock = 9  # second never saw the new price, and does not overwrite it
    assert second.update_by_id() == 1
    stored = PetItem.query_by_id(item.id)
    assert (stored.item_name, stored.price, stored.stock) == ("Bone", Decimal("3.75"), 9)


def test_update_by_id_of_a_missing_row_returns_zero(app: App) -> None:
    assert PetItem(id=987654, stock=1).update_by_id() == 0
    assert PetItem.count() == 0


def test_update_without_an_id_is_an_error(app: App) -> None:
    with pytest.raises(DataError) as caught:
        PetItem(item_name="nobody").update_by_id()
    assert (caught.value.code, caught.value.model, caught.value.field) == (
        "ID_REQUIRED", "demo.PetItem", "id")


def test_update_batch_writes_every_record(app: App) -> None:
    items = PetItem.create_batch([PetItem(item_name=f"I{n}", stock=n) for n in range(3)])
    for item in items:
        item.stock += 10
    assert PetItem.update_batch(items) == 3
    assert [i.stock for i in PetItem.query_list()] == [10, 11, 12]
    assert PetItem.update_batch([]) == 0


# ── delete ───────────────────────────────────────────────────────────────────
def test_delete_by_id(app: App) -> None:
    keep, gone = PetOwner(name="Keep").create(), PetOwner(name="Gone").create()
    assert gone.delete_by_id() == 1
    assert PetOwner.query_by_id(gone.id) is None
    assert gone.delete_by_id() == 0
    assert [o.id for o in PetOwner.query_list()] == [keep.id]


def test_delete_batch_takes_records_and_ids(app: App) -> None:
    owners = PetOwner.create_batch([PetOwner(name=f"O{n}") for n in range(5)])
    assert PetOwner.delete_batch([owners[0], owners[1].id, str(owners[2].id)]) == 3
    assert [o.name for o in PetOwner.query_list()] == ["O3", "O4"]
    assert PetOwner.delete_batch([owners[0].id]) == 0
    assert PetOwner.delete_batch([]) == 0


# ── reads ────────────────────────────────────────────────────────────────────
def test_query_by_id(app: App) -> None:
    owner = PetOwner(name="Ann", email="ann@x.org").create()
    found = PetOwner.query_by_id(owner.id)
    assert isinstance(found, PetOwner)
    assert (found.id, found.name, found.email) == (owner.id, "Ann", "ann@x.org")
    assert PetOwner.query_by_id(str(owner.id)).name == "Ann"
    assert PetOwner.query_by_id(owner.id + 1000) is None
    assert PetOwner.query_by_id(None) is None


def test_query_one_none_one_several(app: App) -> None:
    _shops(("a", 1), ("b", 2), ("b", 3))
    assert PetShop.query_one(name="zzz") is None
    assert PetShop.query_one(name="a").income == Decimal(1)
    with pytest.raises(DataError) as caught:
        PetShop.query_one(name="b")
    assert (caught.value.code, caught.value.model) == ("MULTIPLE_RESULTS", "demo.PetShop")


def test_query_list_keyword_filters(app: App) -> None:
    ann = PetOwner(name="Ann").create()
    shops = _shops(("x", 100), ("y", 200), ("z", 300), ("x", 400))
    shops[1].owner, shops[2].owner = ann, ann
    PetShop.update_batch(shops[1:3])

    def names(**filters: Any) -> list[tuple[str, int]]:
        return [(s.name, int(s.income)) for s in PetShop.query_list(**filters)]

    assert names(name="x") == [("x", 100), ("x", 400)]
    assert names(income__gt=Decimal("200")) == [("z", 300), ("x", 400)]
    assert names(income__ge=200, income__lt=400) == [("y", 200), ("z", 300)]
    assert names(id__in=[shops[0].id, shops[2].id]) == [("x", 100), ("z", 300)]
    assert names(owner=None) == [("x", 100), ("x", 400)]
    assert names(owner=ann) == [("y", 200), ("z", 300)]
    assert names(owner_id=ann.id, name="z") == [("z", 300)]
    assert names(name__ne="x") == [("y", 200), ("z", 300)]
    assert names(status=ShopStatus.OPEN, name="y") == [("y", 200)]
    assert names(status=ShopStatus.CLOSED) == []
    assert len(PetShop.query_list(limit=2)) == 2


def test_query_list_refuses_unknown_filters(app: App) -> None:
    with pytest.raises(DataError) as unknown_field:
        PetShop.query_list(colour="red")
    assert (unknown_field.value.code, unknown_field.value.field) == ("BAD_FILTER", "colour")
    with pytest.raises(DataError) as unknown_operator:
        PetShop.query_list(income__between=1)
    assert unknown_operator.value.code == "BAD_FILTER"
    assert unknown_operator.value.message == (
        "demo.PetShop: unknown filter operator 'between' in 'income__between'; use one of "
        "eq, ne, lt, le, gt, ge, in, isnull")


def test_sort_strings(app: App) -> None:
    _shops(("b", 1), ("a", 5), ("b", 9), ("a", 2))

    def order(sort: str | None) -> list[tuple[str, int]]:
        return [(s.name, int(s.income)) for s in PetShop.query_list(sort=sort)]

    assert order("name,-income") == [("a", 5), ("a", 2), ("b", 9), ("b", 1)]
    assert order("-name,income") == [("b", 1), ("b", 9), ("a", 2), ("a", 5)]
    assert order("-income") == [("b", 9), ("a", 5), ("a", 2), ("b", 1)]
    assert order(None) == [("b", 1), ("a", 5), ("b", 9), ("a", 2)]  # by id
    with pytest.raises(DataError) as caught:
        PetShop.query_list(sort="name,-colour")
    assert caught.value.field == "colour"
    assert "colour" in caught.value.message


def test_query_page(app: App) -> None:
    _shops(*[(f"S{n}", n) for n in range(7)])
    first = PetShop.query_page(page=1, size=3, sort="-income")
    assert isinstance(first, Page)
    assert (first.total_elements, first.total_pages, first.current_page, first.size) == (
        7, 3, 1, 3)
    assert [s.name for s in first.content] == ["S6", "S5", "S4"]
    last = PetShop.query_page(page=3, size=3, sort="-income")
    assert [s.name for s in last.content] == ["S0"]
    assert (last.total_elements, last.total_pages) == (7, 3)
    beyond = PetShop.query_page(page=4, size=3)
    assert (beyond.content, beyond.total_elements, beyond.total_pages) == ([], 7, 3)
    exact = PetShop.query_page(page=1, size=7)
    assert (len(exact.content), exact.total_pages) == (7, 1)
    filtered = PetShop.query_page(income__ge=5, size=10)
    assert ([s.name for s in filtered.content], filtered.total_elements) == (["S5", "S6"], 2)
    pages = [PetShop.query_page(page=p, size=2, sort="name").content for p in (1, 2, 3, 4)]
    assert [s.name for page in pages for s in page] == [f"S{n}" for n in range(7)]


def test_query_page_when_nothing_matches(app: App) -> None:
    empty = PetShop.query_page()
    assert (empty.content, empty.total_elements, empty.total_pages) == ([], 0, 0)
    assert (empty.current_page, empty.size) == (1, 20)


@pytest.mark.parametrize(("page", "size"), [(0, 10), (-1, 10), (1, 0), (2, -5)])
def test_query_page_validates_page_and_size(app: App, page: int, size: int) -> None:
    with pytest.raises(DataError) as caught:
        PetShop.query_page(page=page, size=size)
    assert caught.value.code == "BAD_PAGE"
    assert caught.value.model == "demo.PetShop"


def test_count(app: App) -> None:
    assert PetShop.count() == 0
    _shops(("a", 1), ("b", 2), ("a", 3))
    assert PetShop.count() == 3
    assert PetShop.count(name="a") == 2
    assert PetShop.count(income__gt=5) == 0


# ── construct and save ───────────────────────────────────────────────────────
def test_construct_fills_defaults_applies_values_and_writes_nothing(app: App) -> None:
    shop = PetShop.construct(name="Draft", employees=4)
    assert isinstance(shop, PetShop)
    assert shop.id is None
    assert (shop.name, shop.employees) == ("Draft", 4)
    assert (shop.income, shop.visits, shop.is_open, shop.status) == (
        0, 0, True, ShopStatus.OPEN)
    assert shop.code is None
    assert PetShop.count() == 0
    shop.create()
    stored = PetShop.query_by_id(shop.id)
    assert (stored.name, stored.employees, stored.status) == ("Draft", 4, ShopStatus.OPEN)


def test_save_inserts_a_new_record_then_updates_it(app: App) -> None:
    shop = PetShop(name="Saved")
    assert shop.save() is shop
    assert shop.id is not None
    assert PetShop.count() == 1
    shop.name = "Saved twice"
    shop.save()
    stored = PetShop.query_by_id(shop.id)
    assert (stored.name, stored.opt_version, PetShop.count()) == ("Saved twice", 1, 1)


# ── transactions ─────────────────────────────────────────────────────────────
def test_transaction_commits_on_exit(app: App) -> None:
    with app.transaction():
        PetOwner(name="Ann").create()
        PetOwner(name="Bob").create()
        assert PetOwner.count() == 2  # visible inside, on the transaction's connection
    assert _rows_outside(app, "demo_pet_owner") == 2


def test_transaction_rolls_back_on_exception(app: App) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        with app.transaction():
            PetOwner(name="Ann").create()
            PetShop.create_batch([PetShop(name="a"), PetShop(name="b")])
            raise RuntimeError("boom")
    assert PetOwner.count() == 0
    assert PetShop.count() == 0
    assert _rows_outside(app, "demo_pet_shop") == 0


def test_failed_write_rolls_back_the_whole_transaction(app: App) -> None:
    PetShop(name="Existing", code="E").create()
    with pytest.raises(IntegrityViolation):
        with app.transaction():
            PetOwner(name="Ann").create()
            PetShop(name="Clash", code="E").create()
    assert PetOwner.count() == 0
    assert [s.name for s in PetShop.query_list()] == ["Existing"]


def test_nested_transaction_is_a_savepoint(app: App) -> None:
    with app.transaction():
        PetOwner(name="outer").create()
        with pytest.raises(RuntimeError):
            with app.transaction():
                PetOwner(name="inner, rolled back").create()
                raise RuntimeError("inner")
        with app.transaction():
            PetOwner(name="inner, kept").create()
        assert PetOwner.count() == 2
    assert [o.name for o in PetOwner.query_list()] == ["outer", "inner, kept"]


def test_outer_rollback_undoes_a_released_savepoint(app: App) -> None:
    with pytest.raises(RuntimeError):
        with app.transaction():
            with app.transaction():
                PetOwner(name="inner").create()
            raise RuntimeError("outer")
    assert PetOwner.count() == 0


def test_calls_outside_a_transaction_commit_at_once(app: App) -> None:
    PetOwner(name="Ann").create()
    assert _rows_outside(app, "demo_pet_owner") == 1
    owner = PetOwner.query_one(name="Ann")
    owner.name = "Anne"
    owner.update_by_id()
    with app.engine.connect() as connection:
        table = app.metadata.tables["demo_pet_owner"]
        assert connection.scalar(sa.select(table.c.name)) == "Anne"


def test_a_call_outside_a_transaction_is_atomic(app: App) -> None:
    # the shop is inserted, then its second item fails (item_name is NOT NULL): the one
    # call is one transaction, so the shop and the first item are gone too
    with pytest.raises(IntegrityViolation):
        PetShop(name="Half", items=[PetItem(item_name="ok"), PetItem(price=1)]).create()
    assert PetShop.count() == 0
    assert PetItem.count() == 0


# ── audit fields ─────────────────────────────────────────────────────────────
def test_audit_dates_are_set_and_write_date_advances(app: App) -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    owner = PetOwner(name="Ann").create()
    created = PetOwner.query_by_id(owner.id)
    assert created.create_date == created.write_date
    assert before <= created.create_date <= before + dt.timedelta(minutes=5)
    time.sleep(0.01)
    owner.name = "Anne"
    owner.update_by_id()
    updated = PetOwner.query_by_id(owner.id)
    assert updated.create_date == created.create_date
    assert updated.write_date > created.write_date


def test_acting_as_fills_the_user_columns(app: App) -> None:
    assert PetOwner(name="nobody").create().create_uid is None
    with app.acting_as(7):
        owner = PetOwner(name="Ann").create()
        batch = PetOwner.create_batch([PetOwner(name="Bob")])
    assert (owner.create_uid, owner.write_uid) == (7, 7)
    assert (batch[0].create_uid, batch[0].write_uid) == (7, 7)
    with app.acting_as(8):
        owner.name = "Anne"
        owner.update_by_id()
    stored = PetOwner.query_by_id(owner.id)
    assert (stored.create_uid, stored.write_uid) == (7, 8)
