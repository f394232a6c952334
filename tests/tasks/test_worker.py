"""Running tasks: retries with exponential backoff then dead-letter, time limits, the
caller's identity, directives and request id, leases of lost workers reclaimed, and an
outcome written only while the worker still holds the task."""
from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa

from modelry import TaskState, directives
from modelry.boot import App
from modelry.core.context import requesting
from modelry.core.security.identity import Identity, acting
from modelry.core.tasks.claim import claim, reclaim_expired, task_table
from modelry.core.tasks.execute import execute
from modelry.directives import Directive
from tests.tasks.helpers import effects, run_all, tasks, wait_until
from tests.tasks.taskmodule import jobs
from tests.tasks.taskmodule.models import Effect

ANN = Identity(user_id=42, login="ann", roles=frozenset({"clerk"}))


def test_a_started_worker_runs_tasks_as_they_commit(tapp: App) -> None:
    worker = tapp.tasks.worker(threads=2).start()
    with tapp.transaction():
        for number in range(6):
            jobs.record(f"bg-{number}")
    wait_until(lambda: len(effects(tapp)) == 6, what="six effects")
    wait_until(lambda: all(t.state is TaskState.DONE for t in tasks(tapp)), what="all done")
    worker.stop()
    assert not worker.running


def test_failed_attempts_are_retried_with_exponential_backoff(tapp: App) -> None:
    with tapp.transaction():
        jobs.flaky("flaky", failures=2)
    worker = tapp.tasks.worker()
    worker.run_once()
    (task,) = tasks(tapp)
    assert (task.state, task.attempts) == (TaskState.FAILED, 1)
    assert task.last_error == "RuntimeError: attempt 1 fails on purpose"
    first_wait = task.run_after - task.write_date
    assert dt.timedelta(seconds=0.04) < first_wait < dt.timedelta(seconds=0.2)
    wait_until(lambda: worker.run_once(), what="the second attempt")
    (task,) = tasks(tapp)
    assert (task.state, task.attempts) == (TaskState.FAILED, 2)
    second_wait = task.run_after - task.write_date
    assert dt.timedelta(seconds=0.09) < second_wait < dt.timedelta(seconds=0.3)  # doubled
    run_all(worker)
    (task,) = tasks(tapp)
    assert (task.state, task.attempts, effects(tapp)) == \
        (TaskState.DONE, 3, {"flaky": "attempt 3"})


def test_a_task_that_uses_up_its_attempts_is_dead(tapp: App) -> None:
    with tapp.transaction():
        jobs.flaky("dies", failures=5)
    run_all(tapp.tasks.worker())
    (task,) = tasks(tapp)
    assert (task.state, task.attempts) == (TaskState.DEAD, 3)
    assert task.last_error == "RuntimeError: attempt 3 fails on purpose"
    assert task.finished_at is not None and effects(tapp) == {}


def test_an_overrunning_task_is_stopped_at_its_timeout(tapp: App) -> None:
    with tapp.transaction():
        jobs.overrun()
    started = dt.datetime.now()
    tapp.tasks.worker().run_once()
    assert dt.datetime.now() - started < dt.timedelta(seconds=10)
    (task,) = tasks(tapp)
    assert (task.state, task.last_error) == (TaskState.DEAD, "TASK_TIMEOUT: the task ran "
                                                             "past its timeout")


def test_a_task_runs_as_its_caller_with_its_directives_and_request_id(tapp: App) -> None:
    bits = Directive.HOOK | Directive.CHECK
    with acting(ANN), requesting("req-7"), directives.scope(bits), tapp.transaction():
        jobs.observe("seen")
    run_all(tapp.tasks.worker())
    seen = json.loads(effects(tapp)["seen"])
    (task,) = tasks(tapp)
    assert (seen["user_id"], seen["login"], seen["roles"]) == (42, "ann", ["clerk"])
    assert seen["request_id"] == "req-7" == seen["task"]["request_id"]
    assert seen["task"] == {"id": task.id, "attempt": 1, "key": None, "request_id": "req-7"}
    assert seen["directives"] == 0  # a body runs as back-end code, as in a request
    assert jobs.HOOK_SAW == [{"directives": int(bits), "login": "ann", "args": ["seen"],
                              "kwargs": {}}]


def test_without_hook_the_body_keeps_the_callers_directives(tapp: App) -> None:
    with directives.scope(Directive.CHECK | Directive.DEFAULT_VALUE), tapp.transaction():
        jobs.observe("plain")
    run_all(tapp.tasks.worker())
    seen = json.loads(effects(tapp)["plain"])
    assert seen["directives"] == int(Directive.CHECK | Directive.DEFAULT_VALUE)
    assert seen["login"] is None and jobs.HOOK_SAW == []


def test_a_task_whose_record_is_gone_is_dead_at_once(tapp: App) -> None:
    with tapp.transaction():
        effect = Effect(key="gone").create()
        effect.annotate("never")
        effect.delete_by_id()
    run_all(tapp.tasks.worker())
    (task,) = tasks(tapp)
    assert (task.state, task.attempts) == (TaskState.DEAD, 1)
    assert task.last_error.startswith("TASK_UNRUNNABLE: the task's argument tasktest.Effect")


def test_a_lost_workers_task_is_reclaimed_after_its_lease(tapp: App) -> None:
    with tapp.transaction():
        jobs.record("lost")
    (lost,) = claim(tapp, "a-worker-that-dies", 1, margin=0.0)
    assert tapp.tasks.worker().run_once() == 0  # leased: nobody else takes it
    _expire_lease(tapp, lost.id)
    assert reclaim_expired(tapp) == 1
    (task,) = tasks(tapp)
    assert (task.state, task.attempts, task.locked_by) == (TaskState.FAILED, 1, None)
    assert task.last_error.startswith("TASK_LEASE_EXPIRED")
    run_all(tapp.tasks.worker())
    (task,) = tasks(tapp)
    assert (task.state, task.attempts, effects(tapp)) == (TaskState.DONE, 2, {"lost": ""})


def test_a_reclaimed_tasks_late_outcome_is_dropped_and_its_effects_rolled_back(
        tapp: App) -> None:
    with tapp.transaction():
        jobs.record("late")
    (slow,) = claim(tapp, "slow-worker", 1, margin=0.0)
    _expire_lease(tapp, slow.id)
    reclaim_expired(tapp)
    (again,) = claim(tapp, "other-worker", 1, margin=30.0)
    assert execute(tapp, slow) == ""  # the slow worker finishes last: nothing changes
    assert effects(tapp) == {}
    assert execute(tapp, again) == "done"
    assert effects(tapp) == {"late": ""}


def test_a_task_that_used_its_attempts_when_its_worker_died_is_dead(tapp: App) -> None:
    with tapp.transaction():
        jobs.overrun()  # one attempt only
    (lost,) = claim(tapp, "dies", 1, margin=0.0)
    _expire_lease(tapp, lost.id)
    reclaim_expired(tapp)
    assert tasks(tapp)[0].state is TaskState.DEAD


def _expire_lease(app: App, task_id: int) -> None:
    table = task_table(app)
    with app.engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.id == task_id).values(
            locked_until=dt.datetime(2000, 1, 1)))


def test_a_server_process_runs_a_worker_unless_told_not_to(tapp: App, tmp_path) -> None:
    from modelry.serving import boot_for_serving
    from tests.tasks.conftest import TASKTEST
    url = tapp.engine.url.render_as_string(hide_password=False)
    no_schedules = tmp_path / "no-schedules.yaml"
    no_schedules.write_text("tasks: {scheduler: false}\n")  # no run due at a random moment
    served = boot_for_serving(database=url, modules=[TASKTEST], lifecycle="reload",
                              config=str(no_schedules))
    try:
        (worker,) = served.tasks.workers
        assert worker.running
        with served.transaction():
            jobs.record("served")
        wait_until(lambda: effects(tapp) == {"served": ""}, what="the server's worker")
    finally:
        served.close()
    assert not worker.running
    config = tmp_path / "modelry.yaml"
    config.write_text("tasks: {in_server: false}\n")
    quiet = boot_for_serving(database=url, modules=[TASKTEST], lifecycle="reload",
                             config=str(config))
    try:
        assert quiet.tasks.workers == []
    finally:
        quiet.close()
