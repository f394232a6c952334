"""GroupCommit: concurrent calls outside a transaction run as one transaction, each caller
answered for its own items; a failing call fails alone; calls inside a transaction, or of
other users, are not merged."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from modelry import DataError, GroupCommit, directives
from modelry.boot import App
from modelry.core import context
from modelry.modules.demo.models import PetTag
from tests.threads import run_threads

THREADS = 8


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    """The demo app with a pool slot per thread."""
    booted = make_app(["demo"], pool_size=THREADS + 2)
    with booted.activate(), directives.backend_scope():
        yield booted


class Recorder:
    """A `run` that writes each item as a tag, notes the groups it got, and refuses the
    item "bad" (and so its whole group)."""

    def __init__(self, pause: float = 0.05) -> None:
        self.groups: list[list[list[str]]] = []
        self.pause = pause
        self.lock = threading.Lock()

    def __call__(self, groups: list[list[str]]) -> list[list[str]]:
        with self.lock:
            self.groups.append(groups)
        PetTag.insert_bulk([{"name": item} for group in groups for item in group])
        if any("bad" in group for group in groups):
            raise DataError("a bad item", code="BAD_ITEM")
        time.sleep(self.pause)  # callers arriving meanwhile queue for the next group
        return [[item.upper() for item in group] for group in groups]


def test_concurrent_calls_merge_and_each_gets_its_own_results(app: App) -> None:
    recorder = Recorder()
    merged: GroupCommit[str, str] = GroupCommit(recorder, max_items=100)
    barrier = threading.Barrier(THREADS)

    def call(k: int) -> list[str]:
        with app.activate(), directives.backend_scope():
            barrier.wait()
            return merged([f"t{k}a", f"t{k}b"])

    answers = run_threads(THREADS, call)
    assert answers == [[f"T{k}A", f"T{k}B"] for k in range(THREADS)]
    assert len(recorder.groups) < THREADS  # some calls shared a transaction
    assert sorted(len(g) for g in recorder.groups)[-1] > 1
    assert PetTag.count() == 2 * THREADS  # every group committed


def test_a_failing_call_fails_alone(app: App) -> None:
    recorder = Recorder()
    merged: GroupCommit[str, str] = GroupCommit(recorder, max_items=100)
    barrier = threading.Barrier(THREADS)

    def call(k: int) -> str:
        with app.activate(), directives.backend_scope():
            barrier.wait()
            try:
                return ",".join(merged(["bad"] if k == 3 else [f"t{k}"]))
            except DataError as error:
                return error.code

    answers = run_threads(THREADS, call)
    assert answers == [f"T{k}" if k != 3 else "BAD_ITEM" for k in range(THREADS)]
    assert sorted(t.name for t in PetTag.query_list()) == sorted(
        f"t{k}" for k in range(THREADS) if k != 3)  # the failed group's writes undone


def test_max_items_bounds_a_group(app: App) -> None:
    recorder = Recorder()
    merged: GroupCommit[str, str] = GroupCommit(recorder, max_items=3)
    barrier = threading.Barrier(THREADS)

    def call(k: int) -> list[str]:
        with app.activate(), directives.backend_scope():
            barrier.wait()
            return merged([f"t{k}a", f"t{k}b"])

    run_threads(THREADS, call)
    assert all(sum(len(g) for g in groups) <= 3 for groups in recorder.groups)


def test_inside_a_transaction_a_call_runs_there_alone(app: App) -> None:
    recorder = Recorder(pause=0)
    merged: GroupCommit[str, str] = GroupCommit(recorder, max_items=100)
    with pytest.raises(RuntimeError), app.transaction():
        assert merged(["x"]) == ["X"]
        raise RuntimeError("roll back")
    assert PetTag.count() == 0 and recorder.groups == [[["x"]]]


def test_calls_of_different_users_do_not_merge(app: App) -> None:
    recorder = Recorder()
    merged: GroupCommit[str, str] = GroupCommit(recorder, max_items=100)
    barrier = threading.Barrier(4)

    def call(k: int) -> list[str]:
        with app.activate(), directives.backend_scope():
            token = context.set_user_id(k % 2 + 1)
            try:
                barrier.wait()
                return merged([f"u{k % 2}"])
            finally:
                context.reset_user_id(token)

    run_threads(4, call)
    for groups in recorder.groups:
        assert len({item for group in groups for item in group}) == 1, recorder.groups
