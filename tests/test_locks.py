"""Row locks in id order: `Model.lock(ids)` inside a transaction, on every database.

PostgreSQL and MariaDB lock with `SELECT ... ORDER BY id FOR UPDATE`; SQLite's write
transaction (BEGIN IMMEDIATE) holds the whole database's write lock already.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from modelry import DataError, directives
from modelry.boot import App
from modelry.modules.demo.models import PetItem, PetShop
from tests.sql_capture import statements
from tests.threads import THREADS, busy_app, in_transaction, run_threads


@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    """Every test starts with the back-end directive set (no bits)."""
    with directives.backend_scope():
        yield


@pytest.fixture
def busy(make_app: Callable[..., App], backend: str) -> Iterator[App]:
    """The demo app with a pool slot for each of eight threads."""
    tuned = busy_app(make_app, backend)
    with tuned.activate():
        yield tuned


def _items(*stocks: int) -> list[PetItem]:
    return PetItem.create_batch([PetItem(item_name=f"I{n}", stock=s)
                                 for n, s in enumerate(stocks)])


# ── the call ─────────────────────────────────────────────────────────────────
def test_lock_returns_the_records_in_id_order(app: App) -> None:
    items = _items(1, 2, 3, 4)
    with app.transaction():
        locked = PetItem.lock([items[3].id, items[0], str(items[2].id), 987654, items[3].id])
        assert [(type(r), r.id, r.stock) for r in locked] == [
            (PetItem, items[0].id, 1), (PetItem, items[2].id, 3), (PetItem, items[3].id, 4)]
        assert PetItem.lock([]) == []


def test_lock_is_select_for_update_in_id_order(app: App, backend: str) -> None:
    first, second = _items(1, 2)
    with app.transaction(), statements(app.engine) as seen:
        PetItem.lock([second.id, first.id])
    assert len(seen) == 1
    select = " ".join(seen[0].split())
    assert select.startswith("SELECT") and "ORDER BY demo_pet_item.id" in select
    if backend == "sqlite":  # the write transaction holds the database's write lock
        assert "FOR UPDATE" not in select
    else:
        assert select.endswith("FOR UPDATE")
    if backend == "mysql":
        assert "FORCE INDEX (PRIMARY)" in select


def test_lock_outside_a_transaction_is_an_error(app: App) -> None:
    item, = _items(1)
    with pytest.raises(DataError) as caught:
        PetItem.lock([item.id])
    assert (caught.value.code, caught.value.model) == ("TRANSACTION_REQUIRED", "demo.PetItem")
    assert "app.transaction()" in caught.value.message


def test_lock_in_a_readonly_transaction_is_an_error(app: App) -> None:
    item, = _items(1)
    with app.transaction(readonly=True), pytest.raises(DataError) as caught:
        PetItem.lock([item.id])
    assert (caught.value.code, caught.value.model) == ("READONLY_TRANSACTION", "demo.PetItem")


def test_lock_refuses_what_is_not_an_id(app: App) -> None:
    with app.transaction(), pytest.raises(DataError) as caught:
        PetItem.lock([None])
    assert (caught.value.code, caught.value.field) == ("BAD_ID", "id")


def test_lock_of_a_model_without_a_table_is_an_error(app: App) -> None:
    from modelry.modules.demo.models import ShopReport
    with app.transaction(), pytest.raises(DataError) as caught:
        ShopReport.lock([1])
    assert caught.value.code == "NOT_STORED"


# ── what the lock does ───────────────────────────────────────────────────────
def test_a_second_locker_waits_for_the_first_to_commit(busy: App) -> None:
    item, = _items(0)
    locked, release = threading.Event(), threading.Event()
    events: list[str] = []

    def holder() -> None:
        def work() -> None:
            PetItem.lock([item.id])
            locked.set()
            release.wait(30)
            PetItem.increment(item.id, stock=1)
            events.append("holder commits")
        in_transaction(busy, work)

    def waiter() -> int:
        locked.wait(30)
        stock = in_transaction(busy, lambda: PetItem.lock([item.id])[0].stock)
        events.append("waiter locked")
        return stock

    results: list[Any] = []
    threads = [threading.Thread(target=holder),
               threading.Thread(target=lambda: results.append(waiter()))]
    for thread in threads:
        thread.start()
    assert locked.wait(30)
    time.sleep(0.5)
    assert events == []  # the waiter is still waiting for the row
    release.set()
    for thread in threads:
        thread.join(60)
    assert events == ["holder commits", "waiter locked"]
    assert results == [1]  # the waiter read the committed stock, after the lock was granted


def test_lockers_naming_rows_in_opposite_orders_never_deadlock(busy: App) -> None:
    """Half the threads name (a, b), the other half (b, a): `lock` takes both in id order."""
    first, second = _items(0, 0)
    rounds = 25

    def work(k: int) -> None:
        ids = [first.id, second.id] if k % 2 else [second.id, first.id]
        for _ in range(rounds):
            def move() -> None:
                assert [r.id for r in PetItem.lock(ids)] == sorted(ids)
                PetItem.increment_batch({ids[0]: {"stock": 1}, ids[1]: {"stock": 1}})
            in_transaction(busy, move)

    run_threads(THREADS, work)
    assert [i.stock for i in PetItem.query_list(sort="id")] == [THREADS * rounds] * 2


def test_locks_taken_one_call_at_a_time_in_opposite_orders_can_deadlock(
        busy: App, backend: str) -> None:
    """The negative control: two transactions lock a then b, and b then a, in two calls
    each; the database finds the deadlock and fails one of them."""
    if backend == "sqlite":
        return  # one write transaction at a time: the second cannot even begin
    first, second = _items(0, 0)
    barrier = threading.Barrier(2, timeout=30)

    def work(k: int) -> str:
        order = [first.id, second.id] if k else [second.id, first.id]

        def lock_one_by_one() -> None:
            PetItem.lock([order[0]])
            barrier.wait()  # each holds its first row before asking for the second
            PetItem.lock([order[1]])
        try:
            in_transaction(busy, lock_one_by_one)
        except sa.exc.DBAPIError as error:
            return type(error.orig).__name__
        return "ok"

    outcomes = run_threads(2, work)
    assert sorted(outcomes)[-1] == "ok" and sorted(outcomes)[0] != "ok", outcomes


def test_lock_then_increment_keeps_the_stock_at_or_above_zero(busy: App) -> None:
    """8 threads: lock, take 7 if at least 7 are left, commit; 14 takes from 100."""
    item, = _items(100)
    seen: list[int] = []

    def work(k: int) -> int:
        taken = 0
        for _ in range(5):
            def take() -> int:
                stock = PetItem.lock([item.id])[0].stock
                seen.append(stock)
                return PetItem.increment(item.id, stock=-7) if stock >= 7 else 0
            taken += in_transaction(busy, take)
        return taken

    taken = sum(run_threads(THREADS, work))
    assert taken == 14 and min(seen) >= 2
    assert PetItem.query_by_id(item.id).stock == 100 - 7 * 14


def test_check_then_act_without_a_lock_goes_below_zero(busy: App) -> None:
    """The negative control: every thread reads 7 left, then takes 7: -49."""
    item, = _items(7)
    barrier = threading.Barrier(THREADS, timeout=60)

    def work(k: int) -> None:
        try:
            stock = in_transaction(busy, lambda: PetItem.query_by_id(item.id).stock)
            barrier.wait()  # everyone has checked before anyone takes
            if stock >= 7:
                in_transaction(busy, lambda: PetItem.increment(item.id, stock=-7))
        except BaseException:
            barrier.abort()
            raise

    run_threads(THREADS, work)
    assert PetItem.query_by_id(item.id).stock == 7 - 7 * THREADS


def test_locked_records_of_a_locked_model_carry_their_version(app: App) -> None:
    shop = PetShop(name="Shop").create()
    with app.transaction():
        locked, = PetShop.lock([shop.id])
        locked.name = "renamed under lock"
        assert locked.update_by_id() == 1
    stored = PetShop.query_by_id(shop.id)
    assert (stored.name, stored.opt_version) == ("renamed under lock", 1)


def test_an_id_past_64_bits_is_a_bad_id_on_every_database(app: App) -> None:
    with app.transaction():
        with pytest.raises(DataError) as refused:
            PetShop.lock([2**63])
    assert refused.value.code == "BAD_ID"
