"""The same task contract on a real broker (Dramatiq on RabbitMQ and on Redis): the row
written in the caller's transaction is the outbox, relayed after commit; tasks run as
their caller, retry, die, stay idempotent by key, and survive a killed worker."""
from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from modelry import TaskState, directives
from modelry.boot import App
from modelry.core.context import requesting
from modelry.core.security.identity import Identity, acting
from modelry.directives import Directive
from tests.tasks.helpers import effects, tasks, wait_until
from tests.tasks.taskmodule import jobs
from tests.tasks.test_worker_killed import start_worker_process

BROKERS = [u.strip() for u in os.environ.get(
    "MODELRY_TEST_BROKERS", "amqp://guest:guest@127.0.0.1:5672/,redis://127.0.0.1:6379/0"
).split(",") if u.strip()]
ANN = Identity(user_id=42, login="ann", roles=frozenset({"clerk"}))


def reachable(url: str) -> bool:
    try:
        if url.startswith("amqp"):
            import pika
            pika.BlockingConnection(pika.URLParameters(url)).close()
        else:
            import redis
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001
        return False
    return True


@pytest.fixture(params=BROKERS, ids=lambda url: url.partition(":")[0])
def broker_url(request: pytest.FixtureRequest) -> str:
    if not reachable(request.param):
        pytest.skip(f"broker {request.param} is not running")
    return request.param


@pytest.fixture
def bapp(tapp: App, broker_url: str) -> Iterator[App]:
    """The test app with its tasks on `broker_url`, its queue empty."""
    database_queue = tapp.tasks.settings
    tapp.tasks.settings = replace(database_queue, queue=broker_url)
    tapp.tasks.transport().delete_queue()
    yield tapp
    tapp.tasks.close(wait=5)
    tapp.tasks.transport().delete_queue()
    tapp.tasks.close(wait=5)
    tapp.tasks.settings = database_queue


def all_settled(app: App) -> bool:
    found = tasks(app)
    return bool(found) and all(t.state.value in ("done", "dead", "cancelled") for t in found)


def test_a_task_runs_through_the_broker_as_its_caller(bapp: App) -> None:
    worker = bapp.tasks.worker().start()
    bits = Directive.CHECK | Directive.DEFAULT_VALUE
    with acting(ANN), requesting("req-9"), directives.scope(bits), bapp.transaction():
        jobs.observe("brokered")
    wait_until(lambda: all_settled(bapp), what="the task to run")
    worker.stop()
    (task,) = tasks(bapp)
    assert (task.state, task.attempts) == (TaskState.DONE, 1)
    seen = json.loads(effects(bapp)["brokered"])
    assert (seen["login"], seen["request_id"], seen["directives"]) == ("ann", "req-9",
                                                                      int(bits))


def test_the_outbox_relays_after_commit_and_never_a_rolled_back_call(bapp: App) -> None:
    with pytest.raises(RuntimeError), bapp.transaction():
        jobs.record("rolled back")
        raise RuntimeError("roll back")
    with bapp.transaction():
        jobs.record("committed")
    # no worker runs yet: the after-commit nudge alone hands the row to the broker
    wait_until(lambda: [t.state for t in tasks(bapp)] == [TaskState.QUEUED],
               what="the task to be relayed")
    worker = bapp.tasks.worker().start()
    wait_until(lambda: all_settled(bapp), what="the task to run")
    worker.stop()
    assert effects(bapp) == {"committed": ""} and len(tasks(bapp)) == 1


def test_an_enqueue_does_not_need_the_broker_up(tapp: App, broker_url: str) -> None:
    scheme = broker_url.partition(":")[0]
    database_queue = tapp.tasks.settings
    tapp.tasks.settings = replace(database_queue, queue=f"{scheme}://127.0.0.1:1/")
    try:
        with tapp.transaction():
            jobs.record("waits")  # the relay fails (and logs); the row waits
        assert [t.state for t in tasks(tapp)] == [TaskState.PENDING]
    finally:
        tapp.tasks.close(wait=5)
        tapp.tasks.settings = database_queue


def test_retries_then_dead_letter_through_the_broker(bapp: App) -> None:
    worker = bapp.tasks.worker().start()
    with bapp.transaction():
        jobs.flaky("twice", failures=2)
        jobs.flaky("never", failures=9)
    wait_until(lambda: all_settled(bapp), what="both tasks to settle")
    worker.stop()
    done, dead = tasks(bapp)
    assert (done.state, done.attempts, dead.state, dead.attempts) == \
        (TaskState.DONE, 3, TaskState.DEAD, 3)
    assert dead.last_error == "RuntimeError: attempt 3 fails on purpose"
    assert effects(bapp) == {"twice": "attempt 3"}


def test_a_key_makes_the_enqueue_idempotent_on_the_broker(bapp: App) -> None:
    with bapp.transaction():
        first = bapp.enqueue(jobs.record, "once", key="k")
    with bapp.transaction():
        assert bapp.enqueue(jobs.record, "twice", key="k").id == first.id
    worker = bapp.tasks.worker().start()
    wait_until(lambda: all_settled(bapp), what="the task to run")
    worker.stop()
    assert effects(bapp) == {"once": ""}


def test_a_killed_broker_worker_s_task_runs_again_and_its_effect_happens_once(
        bapp: App, tmp_path: Path) -> None:
    process = start_worker_process(bapp, tmp_path, queue=bapp.tasks.settings.queue)
    try:
        with bapp.transaction():
            jobs.deliver("parcel")
        wait_until(lambda: (tmp_path / "parcel").exists() or process.poll() is not None,
                   timeout=60, what="the worker process to start the task")
        assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
        (task,) = tasks(bapp)
        assert task.state is TaskState.RUNNING and f":{process.pid}:" in task.locked_by
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    worker = bapp.tasks.worker().start()
    wait_until(lambda: all_settled(bapp), what="the task to be re-run")
    worker.stop()
    (task,) = tasks(bapp)
    assert (task.state, task.attempts) == (TaskState.DONE, 2)
    assert task.last_error.startswith("TASK_LEASE_EXPIRED")
    assert effects(bapp) == {"parcel": "delivered"}
