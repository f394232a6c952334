"""Optimistic locking: versions, stale single and batch updates, UNLOCK, and real concurrency.

`demo.PetShop` is locked (`opt_version`); `demo.PetItem` is not.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import random
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from modelry import DataError, OptimisticLockError, directives
from modelry.boot import App
from modelry.core.data import write
from modelry.directives import Directive, session
from modelry.modules.demo.models import PetItem, PetShop
from tests.threads import run_threads


@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    """Every test starts with the back-end directive set; session switches end with it."""
    with directives.backend_scope():
        yield


def _stored(shop_id: int) -> PetShop:
    found = PetShop.query_by_id(shop_id)
    assert found is not None
    return found


# ── versions ─────────────────────────────────────────────────────────────────
def test_create_starts_at_version_zero(app: App) -> None:
    shop = PetShop(name="Fresh").create()
    assert shop.opt_version == 0
    assert _stored(shop.id).opt_version == 0


def test_update_bumps_the_version_by_exactly_one(app: App) -> None:
    shop = PetShop(name="Kitty corner").create()
    shop.name = "Kitty corner 2"
    assert shop.update_by_id() == 1
    assert shop.opt_version == 1
    assert _stored(shop.id).opt_version == 1
    shop.income = 10
    assert shop.update_by_id() == 1
    assert shop.opt_version == 2
    stored = _stored(shop.id)
    assert (stored.opt_version, stored.name, stored.income) == (2, "Kitty corner 2", 10)


def test_stale_single_update_returns_zero_and_writes_nothing(app: App) -> None:
    shop = PetShop(name="Original", employees=3).create()
    mine, theirs = _stored(shop.id), _stored(shop.id)
    theirs.employees = 4
    assert theirs.update_by_id() == 1
    before = _stored(shop.id)

    mine.name = "Mine"
    assert mine.update_by_id() == 0
    assert mine.opt_version == 0  # the record still holds the version it read
    after = _stored(shop.id)
    assert (after.name, after.employees, after.opt_version) == ("Original", 4, 1)
    assert after.write_date == before.write_date


def test_where_uses_the_version_the_caller_holds(app: App) -> None:
    shop = PetShop(name="Held").create()
    assert PetShop(id=shop.id, opt_version=0, name="first").update_by_id() == 1
    # The row is now at version 1: a caller still holding 0 is refused, even though a
    # fresh read would give 1 — the data manager must not re-read the version.
    assert PetShop(id=shop.id, opt_version=0, name="stale").update_by_id() == 0
    assert PetShop(id=shop.id, opt_version=7, name="future").update_by_id() == 0
    assert _stored(shop.id).name == "first"
    record = PetShop(id=shop.id, opt_version=1, name="second")
    assert record.update_by_id() == 1
    assert record.opt_version == 2
    stored = _stored(shop.id)
    assert (stored.name, stored.opt_version) == ("second", 2)


def test_update_without_version_on_a_locked_model_is_an_error(app: App) -> None:
    shop = PetShop(name="Unversioned").create()
    with pytest.raises(DataError) as caught:
        PetShop(id=shop.id, name="overwrite").update_by_id()
    assert caught.value.code == "OPT_VERSION_REQUIRED"
    assert caught.value.model == "demo.PetShop"
    assert caught.value.field == "opt_version"
    assert str(shop.id) in caught.value.message
    with pytest.raises(DataError) as in_batch:
        PetShop.update_batch([PetShop(id=shop.id, name="overwrite")])
    assert in_batch.value.code == "OPT_VERSION_REQUIRED"
    stored = _stored(shop.id)
    assert (stored.name, stored.opt_version) == ("Unversioned", 0)


def test_unlocked_model_needs_no_version(app: App) -> None:
    item = PetItem(item_name="Bone", stock=1).create()
    assert "opt_version" not in item.to_dict()
    assert PetItem(id=item.id, stock=2).update_by_id() == 1
    assert PetItem.query_by_id(item.id).stock == 2


# ── update_batch ─────────────────────────────────────────────────────────────
def test_update_batch_bumps_every_version(app: App) -> None:
    shops = PetShop.create_batch([PetShop(name=f"B{n}") for n in range(3)])
    for shop in shops:
        shop.employees = 9
    assert PetShop.update_batch(shops) == 3
    assert [s.opt_version for s in shops] == [1, 1, 1]
    assert [(s.employees, s.opt_version) for s in PetShop.query_list()] == [(9, 1)] * 3


def test_stale_batch_raises_naming_the_stale_id_and_writes_none(app: App) -> None:
    first, second, third = PetShop.create_batch(
        [PetShop(name=n, employees=1) for n in ("first", "second", "third")])
    meanwhile = _stored(second.id)
    meanwhile.employees = 50
    assert meanwhile.update_by_id() == 1

    for shop in (first, second, third):
        shop.employees = 2
    with pytest.raises(OptimisticLockError) as caught:
        PetShop.update_batch([first, second, third])
    error = caught.value
    assert error.stale_ids == [second.id]
    assert error.code == "OPTIMISTIC_LOCK"
    assert error.model == "demo.PetShop"
    assert str(second.id) in error.message
    stored = {s.name: (s.employees, s.opt_version) for s in PetShop.query_list()}
    assert stored == {"first": (1, 0), "second": (50, 1), "third": (1, 0)}
    assert [s.opt_version for s in (first, second, third)] == [0, 0, 0]

    # The caller refreshes the stale record and retries: now the whole batch goes in.
    second.opt_version = _stored(second.id).opt_version
    assert PetShop.update_batch([first, second, third]) == 3
    stored = {s.name: (s.employees, s.opt_version) for s in PetShop.query_list()}
    assert stored == {"first": (2, 1), "second": (2, 2), "third": (2, 1)}


def test_stale_batch_names_every_stale_id(app: App) -> None:
    shops = PetShop.create_batch([PetShop(name=f"S{n}") for n in range(4)])
    for shop in (shops[1], shops[3]):
        assert PetShop(id=shop.id, opt_version=0, visits=1).update_by_id() == 1
    for shop in shops:
        shop.visits = 99
    with pytest.raises(OptimisticLockError) as caught:
        PetShop.update_batch(shops)
    assert caught.value.stale_ids == [shops[1].id, shops[3].id]
    assert sorted(s.visits for s in PetShop.query_list()) == [0, 0, 1, 1]


def test_stale_batch_inside_a_transaction_leaves_it_usable(app: App) -> None:
    fresh, stale = PetShop.create_batch([PetShop(name="fresh"), PetShop(name="stale")])
    PetShop(id=stale.id, opt_version=0, employees=5).update_by_id()
    with app.transaction():
        PetShop(name="before").create()
        fresh.employees = stale.employees = 7
        with pytest.raises(OptimisticLockError):
            PetShop.update_batch([fresh, stale])
        PetShop(name="after").create()  # the transaction was not poisoned
    names = {s.name: s.employees for s in PetShop.query_list()}
    assert names == {"fresh": 1, "stale": 5, "before": 1, "after": 1}


def test_save_of_a_stale_record_raises(app: App) -> None:
    shop = PetShop(name="Saved").create()
    PetShop(id=shop.id, opt_version=0, employees=2).update_by_id()
    shop.name = "Saved again"
    with pytest.raises(OptimisticLockError) as caught:
        shop.save()
    assert caught.value.stale_ids == [shop.id]
    assert _stored(shop.id).name == "Saved"


# ── UNLOCK ───────────────────────────────────────────────────────────────────
def test_unlock_scope_lets_an_update_without_version_through(app: App) -> None:
    shop = PetShop(name="Locked").create()
    with directives.scope(Directive.UNLOCK):
        assert PetShop(id=shop.id, name="Forced").update_by_id() == 1
        # a stale version is not checked either
        assert PetShop(id=shop.id, opt_version=0, employees=8).update_by_id() == 1
    stored = _stored(shop.id)
    assert (stored.name, stored.employees) == ("Forced", 8)
    assert stored.opt_version == 2  # the version still moves, so lockers see the change
    with pytest.raises(DataError, match="opt_version"):
        PetShop(id=shop.id, name="again").update_by_id()


def test_session_disable_optimistic_locker(app: App) -> None:
    shop = PetShop(name="Session").create()
    session.directive().disable_optimistic_locker()
    assert not session.directive().is_optimistic_locker()
    assert PetShop(id=shop.id, name="Unlocked").update_by_id() == 1
    stale = PetShop(id=shop.id, opt_version=0, name="Also")
    assert stale.update_by_id() == 1
    session.directive().enable_optimistic_locker()
    with pytest.raises(DataError) as caught:
        PetShop(id=shop.id, name="Locked again").update_by_id()
    assert caught.value.code == "OPT_VERSION_REQUIRED"
    assert _stored(shop.id).name == "Also"


def test_unlock_lets_a_stale_batch_through(app: App) -> None:
    shops = PetShop.create_batch([PetShop(name="u1"), PetShop(name="u2")])
    PetShop(id=shops[0].id, opt_version=0, visits=3).update_by_id()
    for shop in shops:
        shop.employees = 4
    with directives.scope(Directive.UNLOCK):
        assert PetShop.update_batch(shops) == 2
    assert [(s.employees, s.opt_version) for s in PetShop.query_list()] == [(4, 2), (4, 1)]


# ── MySQL reports rows changed unless FOUND_ROWS is set ──────────────────────
def test_update_with_identical_values_counts_the_matched_row(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = dt.datetime(2025, 1, 2, 3, 4, 5)
    monkeypatch.setattr(write, "utc_now", lambda: frozen)  # write_date does not change either
    item = PetItem(item_name="Same", stock=5).create()
    item.stock = 5
    assert item.update_by_id() == 1
    item.stock = 5
    assert item.update_by_id() == 1
    again = PetItem.query_by_id(item.id)
    again.stock = 5
    assert PetItem.update_batch([again]) == 1
    shop = PetShop(name="Same").create()
    shop.name = "Same"
    assert shop.update_by_id() == 1
    assert shop.opt_version == 1


# ── concurrency ──────────────────────────────────────────────────────────────
THREADS = 8


@pytest.fixture
def busy_app(make_app: Callable[..., App], backend: str) -> Iterator[App]:
    """The demo app tuned for many short transactions from eight threads.

    A pool slot per thread, no ping on checkout or rollback on return (every transaction
    ends explicitly), and no WAL flush wait on PostgreSQL: fewer round trips per
    transaction, the same locking and visibility.
    """
    options: dict[str, Any] = {"pool_size": THREADS + 2, "pool_pre_ping": False,
                               "pool_reset_on_return": None}
    if backend == "postgresql":
        options["connect_args"] = {"options": "-c synchronous_commit=off"}
    tuned = make_app(["demo"], **options)
    with tuned.activate():
        yield tuned


def _read_visits(app: App, shop_id: int) -> PetShop:
    with app.transaction():
        return _stored(shop_id)


def _write_visits(app: App, shop_id: int, held: PetShop) -> int:
    with app.transaction():
        return PetShop(id=shop_id, opt_version=held.opt_version,
                       visits=held.visits + 1).update_by_id()


def test_concurrent_increments_with_retry_reach_the_exact_total(busy_app: App) -> None:
    app = busy_app
    increments = 200
    shop = PetShop(name="Busy").create()

    def work(k: int) -> None:
        for _ in range(increments):
            attempt = 0
            while True:
                held = _read_visits(app, shop.id)
                if _write_visits(app, shop.id, held) == 1:
                    break
                attempt += 1
                assert attempt < 1000, "an increment never got through"
                # jittered back-off: fewer threads race for the one row, so fewer retries
                time.sleep(random.uniform(0, min(0.1, 0.004 * 2 ** attempt)))

    run_threads(THREADS, work)
    stored = _stored(shop.id)
    assert stored.visits == THREADS * increments
    assert stored.opt_version == THREADS * increments  # one bump per successful update


def _lockstep_rounds(app: App, shop_id: int, rounds: int, unlock: bool) -> list[list[int]]:
    """Every round, all threads read, then all write `held + 1`; returns each write's count."""
    barrier = threading.Barrier(THREADS, timeout=120)

    def work(k: int) -> list[int]:
        counts = []
        try:
            for _ in range(rounds):
                held = _read_visits(app, shop_id)
                barrier.wait()  # everyone has read before anyone writes
                with directives.scope(Directive.UNLOCK) if unlock else contextlib.nullcontext():
                    counts.append(_write_visits(app, shop_id, held))
                barrier.wait()  # every write of this round is committed before the next read
        except BaseException:
            barrier.abort()  # the other threads fail at once instead of waiting out the timeout
            raise
        return counts

    per_thread = run_threads(THREADS, work)
    return [[counts[r] for counts in per_thread] for r in range(rounds)]


def test_lock_refuses_all_but_one_write_per_lockstep_round(busy_app: App) -> None:
    app = busy_app
    rounds = 5
    shop = PetShop(name="Lockstep").create()
    results = _lockstep_rounds(app, shop.id, rounds, unlock=False)
    assert [sorted(counts) for counts in results] == [[0] * (THREADS - 1) + [1]] * rounds
    stored = _stored(shop.id)
    assert (stored.visits, stored.opt_version) == (rounds, rounds)


def test_negative_control_without_the_lock_loses_updates(busy_app: App) -> None:
    app = busy_app
    rounds = 5
    shop = PetShop(name="Lossy").create()
    results = _lockstep_rounds(app, shop.id, rounds, unlock=True)
    assert results == [[1] * THREADS] * rounds  # every write "succeeded"...
    stored = _stored(shop.id)
    assert stored.visits < THREADS * rounds  # ...yet most increments were lost
    assert stored.visits == rounds
    assert stored.opt_version == THREADS * rounds
