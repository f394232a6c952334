"""Task state and dead letters are visible: base.Task through GraphQL (admins only by
default, with retry and cancel actions) and `modelry tasks list|retry|cancel`."""
from __future__ import annotations

from click.testing import CliRunner

from modelry import TaskState
from modelry.boot import App
from modelry.cli import main
from modelry.core.security.identity import Identity
from tests.functions.helpers import Client
from tests.tasks.conftest import TASKTEST
from tests.tasks.helpers import run_all, tasks
from tests.tasks.taskmodule import jobs

ADMIN = Identity(user_id=1, login="root", is_admin=True)
DEAD = ('{ taskQuery { queryPage(queryWrapper: {rsql: "state==dead"}) '
        '{ totalElements content { id namespace fun state attempts maxAttempts lastError '
        'optVersion } } } }')


def a_dead_task(app: App) -> int:
    with app.transaction():
        jobs.flaky("dead", failures=9)
    run_all(app.tasks.worker())
    (task,) = tasks(app)
    assert task.state is TaskState.DEAD
    return task.id


def test_admins_see_dead_letters_through_graphql(tapp: App, client: Client) -> None:
    task_id = a_dead_task(tapp)
    page = client.gql(DEAD, identity=ADMIN).ok()["taskQuery"]["queryPage"]
    assert page["totalElements"] == 1
    (found,) = page["content"]
    assert (found["id"], found["fun"], found["state"], found["attempts"],
            found["maxAttempts"]) == (str(task_id), "flaky", "DEAD", 3, 3)
    assert found["lastError"] == "RuntimeError: attempt 3 fails on purpose"


def test_tasks_are_hidden_from_other_callers(tapp: App, client: Client) -> None:
    a_dead_task(tapp)
    assert client.gql(DEAD).error["extensions"]["code"] == "ACCESS_DENIED"


def test_admins_retry_and_cancel_through_graphql(tapp: App, client: Client) -> None:
    task_id = a_dead_task(tapp)
    version = tasks(tapp)[0].opt_version
    retried = client.gql(
        'mutation($id: Long!, $v: Long) { taskMutation { retry(data: {id: $id, '
        'optVersion: $v}) { state attempts lastError } } }',
        {"id": str(task_id), "v": str(version)}, identity=ADMIN).ok()
    assert retried["taskMutation"]["retry"] == {"state": "PENDING", "attempts": 0,
                                                 "lastError": None}
    cancelled = client.gql(
        'mutation($id: Long!) { taskMutation { cancel(data: {id: $id}) { state } } }',
        {"id": str(task_id)}, identity=ADMIN).ok()
    assert cancelled["taskMutation"]["cancel"] == {"state": "CANCELLED"}
    again = client.gql(
        'mutation($id: Long!) { taskMutation { cancel(data: {id: $id}) { state } } }',
        {"id": str(task_id)}, identity=ADMIN)
    assert again.error["extensions"]["code"] == "TASK_STATE"
    assert "cannot cancel task" in again.error["message"]


def cli(app: App, *arguments: str) -> str:
    url = app.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["-q", *arguments, "--database", url,
                                       "--module", TASKTEST])
    return f"{result.exit_code}\n{result.output}"


def test_the_cli_lists_retries_and_cancels_tasks(tapp: App) -> None:
    dead = a_dead_task(tapp)
    with tapp.transaction():
        waiting = tapp.enqueue(jobs.record, "waits").id
    listed = cli(tapp, "tasks", "list", "--state", "dead")
    assert listed.startswith("0\n") and "1 task(s)" in listed
    assert "tasktest.Jobs.flaky" in listed and "3/3" in listed and "RuntimeError" in listed
    assert "tasktest.Jobs.record" not in listed
    assert "tasktest.Jobs.record" in cli(tapp, "tasks", "list", "--function",
                                         "tasktest.Jobs.record")
    assert cli(tapp, "tasks", "retry", str(dead)) == f"0\ntask {dead}: pending\n"
    assert cli(tapp, "tasks", "cancel", str(waiting)) == f"0\ntask {waiting}: cancelled\n"
    refused = cli(tapp, "tasks", "retry", str(waiting + 1000))
    assert refused.startswith("1\n") and "no task" in refused
    assert [t.state for t in tasks(tapp)] == [TaskState.PENDING, TaskState.CANCELLED]
