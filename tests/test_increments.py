"""Increments and conditional updates: one UPDATE that adds deltas (or sets values) under a
condition, returning the count, on every database; concurrent increments lose nothing
where a read-modify-write loses updates.

`demo.PetShop` is optimistically locked (visits BigInteger, employees Integer, income
Money, rating Float); `demo.PetItem` is not (stock Integer, price Money).
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from modelry import ConditionFailed, DataError, ValidationFailed, directives
from modelry.boot import App
from modelry.directives import Directive
from modelry.modules.demo.models import PetItem, PetOwner, PetShop, ShopStatus
from tests.sql_capture import statements
from tests.threads import THREADS, busy_app, in_transaction, run_threads


@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    """Every test starts with the back-end directive set (no bits)."""
    with directives.backend_scope():
        yield


def _updates(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("UPDATE")]


def _refused(call: Callable[[], Any], error: type[Exception] = DataError) -> Any:
    with pytest.raises(error) as caught:
        call()
    return caught.value


# ── increment ────────────────────────────────────────────────────────────────
def test_increment_adds_in_one_update_and_returns_one(app: App) -> None:
    item = PetItem(item_name="Bone", stock=5, price=Decimal("1.50")).create()
    with statements(app.engine) as seen:
        assert PetItem.increment(item.id, stock=3, price=Decimal("0.25")) == 1
    assert len(_updates(seen)) == 1, seen
    stored = PetItem.query_by_id(item.id)
    assert (stored.stock, stored.price) == (8, Decimal("1.75"))


def test_increment_takes_a_record_or_an_id_and_negative_deltas(app: App) -> None:
    item = PetItem(item_name="Bone", stock=5).create()
    assert PetItem.increment(item, stock=-7) == 1
    assert PetItem.increment(str(item.id), stock=1) == 1
    assert PetItem.query_by_id(item.id).stock == -1


def test_increment_of_a_missing_record_returns_zero(app: App) -> None:
    assert PetItem.increment(987654, stock=1) == 0
    assert PetItem.count() == 0


def test_the_guard_tests_the_row_before_the_change(app: App) -> None:
    item = PetItem(item_name="Bone", stock=5).create()
    assert PetItem.increment(item.id, guard="stock=ge=5", stock=-5) == 1
    assert PetItem.increment(item.id, guard="stock=ge=5", stock=-5) == 0  # stock is 0 now
    assert PetItem.increment(item.id, guard={"stock__ge": 0, "item_name": "Bone"}, stock=2) == 1
    assert PetItem.increment(item.id, guard={"item_name": "Ball"}, stock=2) == 0
    assert PetItem.query_by_id(item.id).stock == 2


def test_a_null_value_counts_as_zero(app: App) -> None:
    item = PetItem(item_name="Bone", stock=None).create()
    assert (item.stock, item.price) == (None, None)
    assert PetItem.increment(item.id, stock=4, price=Decimal("2.5")) == 1
    stored = PetItem.query_by_id(item.id)
    assert (stored.stock, stored.price) == (4, Decimal("2.5"))


def test_increment_sets_audit_fields_and_bumps_the_version(app: App) -> None:
    shop = PetShop(name="Shop").create()
    held = PetShop.query_by_id(shop.id)
    with app.acting_as(42):
        assert PetShop.increment(shop.id, visits=1) == 1
    stored = PetShop.query_by_id(shop.id)
    assert (stored.visits, stored.opt_version, stored.write_uid) == (1, 1, 42)
    assert stored.write_date >= shop.write_date and stored.create_uid is None
    held.name = "renamed"  # read before the increment: its version is stale now
    assert held.update_by_id() == 0
    assert PetShop.query_by_id(shop.id).name == "Shop"


def test_decimals_and_floats_add_exactly(app: App) -> None:
    shop = PetShop(name="Rich", income=Decimal("9999999999999999.9999"), rating=1.5).create()
    assert PetShop.increment(shop.id, income=Decimal("-0.0001"), rating=0.25) == 1
    assert PetShop.increment(shop.id, income=Decimal("-9999999999999999.9997")) == 1
    stored = PetShop.query_by_id(shop.id)
    assert (stored.income, stored.rating) == (Decimal("0.0001"), 1.75)
    for _ in range(9):
        PetShop.increment(shop.id, income=Decimal("0.0001"))
    assert PetShop.query_by_id(shop.id).income == Decimal("0.0010")


def test_a_sum_out_of_the_integer_range_is_refused(app: App) -> None:
    item = PetItem(item_name="Full", stock=2**31 - 1).create()
    refused = _refused(lambda: PetItem.increment(item.id, stock=1))
    assert (refused.code, refused.model, refused.field) == ("INVALID_VALUE", "demo.PetItem",
                                                            "stock")
    shop = PetShop(name="Busy", visits=2**63 - 1).create()
    refused = _refused(lambda: PetShop.increment(shop.id, visits=1))
    assert (refused.code, refused.field) == ("INVALID_VALUE", "visits")
    assert PetItem.query_by_id(item.id).stock == 2**31 - 1
    assert PetShop.query_by_id(shop.id).visits == 2**63 - 1


@pytest.mark.parametrize(("name", "code"), [
    ("item_name", "NOT_NUMERIC"), ("shop", "NOT_NUMERIC"), ("shop_id", "NOT_NUMERIC"),
    ("id", "NOT_NUMERIC"), ("colour", "UNKNOWN_FIELD")])
def test_only_numeric_fields_can_be_incremented(app: App, name: str, code: str) -> None:
    item = PetItem(item_name="Bone").create()
    refused = _refused(lambda: PetItem.increment(item.id, **{name: 1}))
    assert (refused.code, refused.model, refused.field) == (code, "demo.PetItem", name)
    assert name in refused.message and "demo.PetItem" in refused.message


def test_other_fields_that_cannot_be_incremented(app: App) -> None:
    shop = PetShop(name="Shop").create()
    for name, code in [("opt_version", "NOT_NUMERIC"), ("status", "NOT_NUMERIC"),
                       ("write_uid", "NOT_NUMERIC"), ("tags", "NOT_A_COLUMN")]:
        refused = _refused(lambda name=name: PetShop.increment(shop.id, **{name: 1}))
        assert (refused.code, refused.field) == (code, name)
    assert _refused(lambda: PetShop.increment(shop.id)).code == "NOTHING_TO_INCREMENT"
    assert _refused(lambda: PetShop.increment(shop.id, guard=5, visits=1)).code == "BAD_FILTER"
    assert PetShop.query_by_id(shop.id).opt_version == 0


@pytest.mark.parametrize("delta", [1.5, True, "2", None, Decimal("2")])
def test_an_integer_delta_must_be_an_int(app: App, delta: Any) -> None:
    item = PetItem(item_name="Bone", stock=1).create()
    refused = _refused(lambda: PetItem.increment(item.id, stock=delta))
    assert (refused.code, refused.field) == ("NOT_A_NUMBER", "stock")
    assert f"record {item.id}" in refused.message


@pytest.mark.parametrize("delta", ["2", None, False])
def test_a_decimal_delta_must_be_a_number(app: App, delta: Any) -> None:
    item = PetItem(item_name="Bone").create()
    refused = _refused(lambda: PetItem.increment(item.id, price=delta))
    assert (refused.code, refused.field) == ("NOT_A_NUMBER", "price")


def test_not_finite_deltas_are_refused(app: App) -> None:
    shop = PetShop(name="Shop", rating=1.0).create()
    for name, value in [("rating", float("inf")), ("income", Decimal("NaN"))]:
        refused = _refused(lambda n=name, v=value: PetShop.increment(shop.id, **{n: v}),
                           ValidationFailed)
        assert refused.errors[0]["code"] == "NOT_FINITE" and refused.field == name


def test_check_validates_every_delta_against_its_field(app: App) -> None:
    item = PetItem(item_name="Bone", stock=1).create()
    with directives.scope(Directive.CHECK):
        refused = _refused(lambda: PetItem.increment(
            item.id, stock=2**31, price=Decimal("0.00001")), ValidationFailed)
        assert {(e["field"], e["code"]) for e in refused.errors} == {
            ("stock", "LESS_THAN_EQUAL"), ("price", "VALUE_ERROR")}
        assert all(e["message"].startswith(f"record {item.id}: ") for e in refused.errors)
        assert PetItem.increment(item.id, stock=2, price=Decimal("0.0001")) == 1
    stored = PetItem.query_by_id(item.id)
    assert (stored.stock, stored.price) == (3, Decimal("0.0001"))


def test_writes_in_a_readonly_transaction_are_refused(app: App) -> None:
    item = PetItem(item_name="Bone", stock=1).create()
    with app.transaction(readonly=True):
        for call in (lambda: PetItem.increment(item.id, stock=1),
                     lambda: PetItem.increment_batch({item.id: {"stock": 1}}),
                     lambda: PetItem.update_where({"id": item.id}, stock=7)):
            refused = _refused(call)
            assert (refused.code, refused.model) == ("READONLY_TRANSACTION", "demo.PetItem")
    assert PetItem.query_by_id(item.id).stock == 1


def test_write_listeners_hear_increments_and_conditional_updates(app: App) -> None:
    heard: list[str] = []
    app.data.on_write.append(heard.append)
    try:
        item = PetItem(item_name="Bone").create()
        heard.clear()
        PetItem.increment(item.id, stock=1)
        PetItem.increment_batch({item.id: {"stock": 1}})
        PetItem.update_where({"id": item.id}, item_name="Ball")
    finally:
        app.data.on_write.remove(heard.append)
    assert heard == ["demo.PetItem"] * 3


def test_a_transformed_field_cannot_be_incremented(app: App) -> None:
    item = PetItem(item_name="Bone", stock=1).create()
    app.data.write_transforms[("demo.PetItem", "stock")] = lambda value: value * 100
    try:
        refused = _refused(lambda: PetItem.increment(item.id, stock=1))
    finally:
        del app.data.write_transforms[("demo.PetItem", "stock")]
    assert (refused.code, refused.field) == ("NOT_NUMERIC", "stock")


# ── increment_batch ──────────────────────────────────────────────────────────
def test_increment_batch_sends_one_update_for_every_record(app: App) -> None:
    items = PetItem.create_batch([PetItem(item_name=f"I{n}", stock=n) for n in range(5)])
    changes = {item.id: {"stock": 10 * (n + 1)} for n, item in enumerate(reversed(items))}
    changes[items[0].id] = {"stock": 1, "price": Decimal("0.5")}  # other fields: 0 for the rest
    with statements(app.engine) as seen:
        assert PetItem.increment_batch(changes) == 5
    assert len(_updates(seen)) == 1, seen  # one executemany: one round trip where the driver can
    stored = {item.id: (item.stock, item.price) for item in PetItem.query_list()}
    assert stored == {items[0].id: (1, Decimal("0.5")), items[1].id: (41, None),
                      items[2].id: (32, None), items[3].id: (23, None), items[4].id: (14, None)}


def test_increment_batch_is_all_or_none(app: App) -> None:
    rich, poor = PetItem(item_name="Rich", stock=5).create(), PetItem(item_name="Poor",
                                                                      stock=1).create()
    with app.transaction():
        failure = _refused(lambda: PetItem.increment_batch(
            {rich.id: {"stock": -2}, poor.id: {"stock": -2}, 987654: {"stock": -2}},
            guard="stock=ge=2"), ConditionFailed)
        assert (failure.code, failure.model) == ("CONDITION_FAILED", "demo.PetItem")
        assert (failure.missing, failure.refused) == ([987654], [poor.id])
        assert "987654" in failure.message and "stock=ge=2" in failure.message
        # nothing was written, and the transaction goes on
        assert [i.stock for i in PetItem.query_list(sort="id")] == [5, 1]
        assert PetItem.increment_batch({rich.id: {"stock": -2}}, guard="stock=ge=2") == 1
    assert [i.stock for i in PetItem.query_list(sort="id")] == [3, 1]


def test_increment_batch_names_each_record_once(app: App) -> None:
    item = PetItem(item_name="Bone", stock=1).create()
    refused = _refused(lambda: PetItem.increment_batch({item.id: {"stock": 1},
                                                        str(item.id): {"stock": 1}}))
    assert (refused.code, refused.model) == ("DUPLICATE_ID", "demo.PetItem")
    assert PetItem.increment_batch({}) == 0
    assert _refused(lambda: PetItem.increment_batch({"x": {"stock": 1}})).code == "BAD_ID"
    assert PetItem.query_by_id(item.id).stock == 1


def test_increment_batch_checks_name_the_record(app: App) -> None:
    items = PetItem.create_batch([PetItem(item_name=f"I{n}", stock=0) for n in range(3)])
    with directives.scope(Directive.CHECK):
        refused = _refused(lambda: PetItem.increment_batch(
            {item.id: {"stock": 2**40 if n == 1 else 1} for n, item in enumerate(items)}),
            ValidationFailed)
    assert [e["message"].split(":")[0] for e in refused.errors] == [f"record {items[1].id}"]
    assert [i.stock for i in PetItem.query_list(sort="id")] == [0, 0, 0]


# ── update_where ─────────────────────────────────────────────────────────────
def test_update_where_sets_values_and_returns_the_count(app: App) -> None:
    ann = PetOwner(name="Ann").create()
    shops = PetShop.create_batch([PetShop(name=f"S{n}", employees=n) for n in range(4)])
    with statements(app.engine) as seen:
        assert PetShop.update_where("employees=ge=2", status=ShopStatus.CLOSED, owner=ann) == 2
    assert len(_updates(seen)) == 1 and len(seen) == 1, seen
    stored = {s.name: (s.status, s.owner_id, s.opt_version) for s in PetShop.query_list()}
    assert stored == {"S0": (ShopStatus.OPEN, None, 0), "S1": (ShopStatus.OPEN, None, 0),
                      "S2": (ShopStatus.CLOSED, ann.id, 1), "S3": (ShopStatus.CLOSED, ann.id, 1)}
    assert PetShop.update_where({"id__in": [s.id for s in shops[:2]]}, status="SUSPENDED") == 2
    assert PetShop.count(status=ShopStatus.SUSPENDED) == 2


def test_update_where_is_a_compare_and_set(app: App) -> None:
    shop = PetShop(name="Shop").create()
    pending = {"id": shop.id, "status": ShopStatus.OPEN}
    with app.acting_as(7):
        assert PetShop.update_where(pending, status=ShopStatus.CLOSED,
                                    closed_on=dt.date(2026, 1, 2)) == 1
    assert PetShop.update_where(pending, status=ShopStatus.CLOSED) == 0
    stored = PetShop.query_by_id(shop.id)
    assert (stored.status, stored.closed_on, stored.write_uid, stored.opt_version) == (
        ShopStatus.CLOSED, dt.date(2026, 1, 2), 7, 1)


def test_update_where_refusals(app: App) -> None:
    shop = PetShop(name="Shop").create()
    assert _refused(lambda: PetShop.update_where(None, name="x")).code == "CONDITION_REQUIRED"
    assert _refused(lambda: PetShop.update_where("", name="x")).code == "CONDITION_REQUIRED"
    assert _refused(lambda: PetShop.update_where({"id": shop.id})).code == "NOTHING_TO_UPDATE"
    for name in ("id", "opt_version", "write_date"):
        refused = _refused(lambda name=name: PetShop.update_where({"id": shop.id}, **{name: 1}))
        assert (refused.code, refused.field) == ("FIELD_NOT_WRITABLE", name)
    refused = _refused(lambda: PetShop.update_where({"id": shop.id}, colour="red"))
    assert (refused.code, refused.field) == ("UNKNOWN_FIELD", "colour")
    assert PetShop.update_where({"id__isnull": False}, name="everyone") == 1  # say "all" aloud
    assert PetShop.query_by_id(shop.id).name == "everyone"


def test_update_where_checks_values_under_check(app: App) -> None:
    shop = PetShop(name="Shop").create()
    with directives.scope(Directive.CHECK):
        refused = _refused(lambda: PetShop.update_where({"id": shop.id}, name="n" * 70,
                                                         employees=2**31), ValidationFailed)
    assert {e["field"] for e in refused.errors} == {"name", "employees"}
    assert PetShop.query_by_id(shop.id).name == "Shop"


def test_update_where_applies_write_transforms(app: App) -> None:
    item = PetItem(item_name="bone").create()
    app.data.write_transforms[("demo.PetItem", "item_name")] = str.upper
    try:
        assert PetItem.update_where({"id": item.id}, item_name="ball") == 1
    finally:
        del app.data.write_transforms[("demo.PetItem", "item_name")]
    assert PetItem.query_by_id(item.id).item_name == "BALL"


# ── concurrency ──────────────────────────────────────────────────────────────
@pytest.fixture
def busy(make_app: Callable[..., App], backend: str) -> Iterator[App]:
    """The demo app with a pool slot for each of eight threads."""
    tuned = busy_app(make_app, backend)
    with tuned.activate():
        yield tuned


def test_concurrent_increments_lose_nothing(busy: App) -> None:
    """8 threads each add 1, 200 times, each time in a transaction of its own."""
    rounds = 200
    item = PetItem(item_name="Hot", stock=0).create()

    def work(k: int) -> None:
        for _ in range(rounds):
            assert in_transaction(busy, lambda: PetItem.increment(item.id, stock=1)) == 1

    run_threads(THREADS, work)
    assert PetItem.query_by_id(item.id).stock == THREADS * rounds


def _lockstep(app: App, item_id: int, rounds: int,
              write: Callable[[int], int]) -> None:
    """Every round, all threads read the stock (each in its own transaction), then all
    write with `write(stock read)`, each in its own transaction."""
    barrier = threading.Barrier(THREADS, timeout=120)

    def work(k: int) -> None:
        try:
            for _ in range(rounds):
                held = in_transaction(app, lambda: PetItem.query_by_id(item_id).stock)
                barrier.wait()  # everyone has read before anyone writes
                assert in_transaction(app, lambda held=held: write(held)) == 1
                barrier.wait()  # every write of the round is committed before the next read
        except BaseException:
            barrier.abort()
            raise

    run_threads(THREADS, work)


def test_read_modify_write_loses_updates_that_increments_keep(busy: App) -> None:
    """The negative control: every thread writes `stock read + 1` (a read-modify-write with
    no lock), and each round keeps one write of eight; increments keep them all."""
    rounds = 5
    item = PetItem(item_name="Hot", stock=0).create()
    _lockstep(busy, item.id, rounds,
              lambda held: PetItem.update_where({"id": item.id}, stock=held + 1))
    assert PetItem.query_by_id(item.id).stock == rounds  # 7 of 8 writes lost every round
    _lockstep(busy, item.id, rounds, lambda held: PetItem.increment(item.id, stock=1))
    assert PetItem.query_by_id(item.id).stock == rounds + THREADS * rounds


def test_a_guarded_decrement_never_goes_below_zero_under_concurrency(busy: App) -> None:
    """8 threads take 3 at a time from a stock of 100 with a guard and no lock: 33 takes
    succeed, the rest find too little, and the stock ends at 1."""
    item = PetItem(item_name="Hot", stock=100).create()

    def work(k: int) -> int:
        return sum(in_transaction(busy, lambda: PetItem.increment(
            item.id, guard="stock=ge=3", stock=-3)) for _ in range(10))

    taken = run_threads(THREADS, work)
    assert sum(taken) == 33
    assert PetItem.query_by_id(item.id).stock == 1


def test_increment_batch_of_rows_this_transaction_locked_needs_no_savepoint(app: App) -> None:
    """Rows locked (or bulk-inserted) by the transaction cannot be missed: on PostgreSQL
    the batch goes without a savepoint; with a guard, or rows it does not hold, within one."""
    items = PetItem.create_batch([PetItem(item_name=f"I{n}", stock=n) for n in range(3)])
    other = PetItem(item_name="Other", stock=0).create()
    savepoints: list[str] = []
    sa.event.listen(app.engine, "savepoint", lambda conn, name: savepoints.append(name))
    with app.transaction():
        PetItem.lock([item.id for item in items])
        assert PetItem.increment_batch({item.id: {"stock": 10} for item in items}) == 3
        held = len(savepoints)
        assert PetItem.increment_batch({items[0].id: {"stock": 1}},
                                       guard={"stock__ge": 0}) == 1
        guarded = len(savepoints) - held
        assert PetItem.increment_batch({other.id: {"stock": 1}}) == 1
        unheld = len(savepoints) - held - guarded
    if app.engine.dialect.name == "postgresql":
        assert (held, guarded, unheld) == (0, 1, 1)
    elif app.engine.dialect.name == "mysql":
        assert (held, guarded, unheld) == (1, 1, 1)
    assert sorted(item.stock for item in PetItem.query_list()) == [1, 11, 11, 12]
