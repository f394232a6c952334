"""Queueing: an async call writes a task row in the caller's transaction (never delivered
when it rolls back), carries the caller, and a key makes it idempotent; SYNC runs inline."""
from __future__ import annotations

import datetime as dt
import decimal
import json

import pytest

from modelry import TaskState, directives
from modelry.boot import App
from modelry.core.context import requesting
from modelry.core.security.identity import Identity, acting
from modelry.core.tasks.contract import TaskError
from modelry.directives import Directive
from modelry.errors import DeclarationError
from tests.tasks.helpers import effects, run_all, tasks
from tests.tasks.taskmodule import jobs
from tests.tasks.taskmodule.models import Effect

ANN = Identity(user_id=42, login="ann", roles=frozenset({"clerk"}))


def test_an_async_call_queues_a_task_and_returns_none(tapp: App) -> None:
    with acting(ANN), requesting("req-1"), directives.scope(Directive.CHECK), \
            tapp.transaction():
        assert jobs.record("a", note="x") is None
        assert effects(tapp) == {}  # nothing ran
    (task,) = tasks(tapp)
    assert (task.namespace, task.fun, task.state, task.attempts, task.max_attempts) == \
        ("tasktest.Jobs", "record", TaskState.PENDING, 0, 3)
    assert task.arguments == {"args": ["a"], "kwargs": {"note": "x"}}
    assert task.identity == {"user_id": 42, "login": "ann", "roles": ["clerk"],
                             "is_admin": False}
    assert (task.directives, task.request_id, task.create_uid) == (int(Directive.CHECK),
                                                                   "req-1", 42)


def test_a_call_queued_in_a_rolled_back_transaction_never_runs(tapp: App) -> None:
    with pytest.raises(RuntimeError), tapp.transaction():
        jobs.record("never")
        tapp.enqueue(jobs.record, "never either")
        raise RuntimeError("roll back")
    worker = tapp.tasks.worker()
    assert worker.run_once(10) == 0
    assert tasks(tapp) == [] and effects(tapp) == {}


def test_a_call_queued_in_a_committed_transaction_runs_once(tapp: App) -> None:
    with tapp.transaction():
        jobs.record("kept")
    run_all(tapp.tasks.worker())
    assert effects(tapp) == {"kept": ""}
    (task,) = tasks(tapp)
    assert (task.state, task.attempts, task.locked_by) == (TaskState.DONE, 1, None)


def test_sync_runs_the_call_inline(tapp: App) -> None:
    with directives.scope(Directive.SYNC), tapp.transaction():
        assert jobs.record("inline") is None
        assert tapp.enqueue(jobs.record, "inline too") is None
    assert set(effects(tapp)) == {"inline", "inline too"}
    assert tasks(tapp) == []


def test_a_key_makes_the_enqueue_idempotent_while_pending_or_done(tapp: App) -> None:
    with tapp.transaction():
        first = tapp.enqueue(jobs.record, "k1", key="order-1")
        again = tapp.enqueue(jobs.record, "other", key="order-1")
    assert again.id == first.id and len(tasks(tapp)) == 1
    run_all(tapp.tasks.worker())
    with tapp.transaction():
        after_done = tapp.enqueue(jobs.record, "k1 again", key="order-1")
    assert after_done.id == first.id and after_done.state is TaskState.DONE
    run_all(tapp.tasks.worker())
    assert effects(tapp) == {"k1": ""}


def test_a_key_of_a_dead_or_cancelled_task_starts_it_again(tapp: App) -> None:
    with tapp.transaction():
        task = tapp.enqueue(jobs.record, "revived", key="again")
        task.cancel()
    with tapp.transaction():
        revived = tapp.enqueue(jobs.record, "revived", key="again")
    assert (revived.id, revived.state, revived.attempts) == (task.id, TaskState.PENDING, 0)
    run_all(tapp.tasks.worker())
    assert effects(tapp) == {"revived": ""}


def test_records_classes_and_typed_values_travel(tapp: App) -> None:
    with tapp.transaction():
        effect = Effect(key="rec", note="before").create()
        effect.annotate("after")
        Effect.tally("rec")
        jobs.typed(decimal.Decimal("1.50"), dt.date(2024, 2, 29),
                   dt.datetime(2024, 2, 29, 12, 30), [1, "two"], {"three": 3})
    stored = tasks(tapp)[0].arguments
    assert stored["args"] == [{"$record": "tasktest.Effect", "id": effect.id}, "after"]
    run_all(tapp.tasks.worker())
    found = effects(tapp)
    assert found["rec"] == "after" and found["rec-tally"] in ("1", "2")
    assert json.loads(found["typed"]) == {
        "amount": ["Decimal", "1.50"], "day": "2024-02-29", "moment": "2024-02-29T12:30:00",
        "items": [1, "two"], "options": {"three": 3}}


def test_enqueue_takes_any_declared_function_and_keeps_its_result(tapp: App) -> None:
    with tapp.transaction():
        task = tapp.enqueue(jobs.add, 2, b=3)
    run_all(tapp.tasks.worker())
    assert tasks(tapp, id=task.id)[0].result == 5


def test_what_cannot_be_queued_is_refused(tapp: App) -> None:
    with pytest.raises(TaskError, match="not a declared function"):
        tapp.enqueue(print, "x")
    with pytest.raises(TaskError, match="cannot queue a value of type object"):
        tapp.enqueue(jobs.record, object())
    with pytest.raises(TaskError, match="must be saved"), tapp.transaction():
        Effect(key="unsaved").annotate("x")
    assert tasks(tapp) == []


def test_an_async_function_must_return_none() -> None:
    from modelry import function
    with pytest.raises(DeclarationError, match="returns nothing to its caller"):
        @function(async_=True, namespace="tasktest.Jobs")
        def answer() -> int:
            return 42
    with pytest.raises(DeclarationError, match="max_attempts must be"):
        @function(async_=True, namespace="tasktest.Jobs", max_attempts=0)
        def never() -> None:
            pass
