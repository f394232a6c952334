"""A GraphQL client queues an async API function: refused at once without the right,
queued with the request's transaction (never when it rolls back), run as the client."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from modelry import TaskState, directives
from modelry.boot import App
from modelry.core.security.grants import grant_module
from modelry.directives import CLIENT_DEFAULT
from tests.functions.helpers import Client
from tests.tasks.helpers import effects, run_all, tasks

NOTIFY = 'mutation { jobsMutation { notify(text: "hi") } }'


@contextmanager
def notify_revoked(app: App) -> Iterator[None]:
    """Anonymous may not call tasktest.Jobs.notify inside the block."""
    FunctionAccess = app.registry.model("base.FunctionAccess").cls
    with directives.scope(), app.transaction():
        FunctionAccess.delete_batch(FunctionAccess.query_list(fun="notify"))
    try:
        yield
    finally:
        grant_module(app, "tasktest")


def test_a_client_queues_an_async_function_which_runs_as_the_client(
        tapp: App, client: Client) -> None:
    assert client.gql(NOTIFY).ok() == {"jobsMutation": {"notify": True}}
    (task,) = tasks(tapp)
    assert task.directives == int(CLIENT_DEFAULT) and task.identity["roles"] == ["anonymous"]
    assert task.request_id
    run_all(tapp.tasks.worker())
    assert effects(tapp) == {"notify-hi": "anonymous"}


def test_a_client_without_the_right_is_refused_when_it_queues(
        tapp: App, client: Client) -> None:
    with notify_revoked(tapp):
        assert client.gql(NOTIFY).error["extensions"]["code"] == "ACCESS_DENIED"
    assert tasks(tapp) == []


def test_the_right_is_checked_again_when_the_task_runs(tapp: App, client: Client) -> None:
    client.gql(NOTIFY).ok()
    with notify_revoked(tapp):
        tapp.tasks.worker().run_once()
    (task,) = tasks(tapp)
    assert task.state is TaskState.FAILED
    assert task.last_error.startswith("ACCESS_DENIED: access denied: you may not call "
                                      "tasktest.Jobs.notify")
    assert effects(tapp) == {}


def test_a_mutation_that_fails_after_queueing_queues_nothing(
        tapp: App, client: Client) -> None:
    answer = client.gql('mutation { a: jobsMutation { notify(text: "lost") } '
                        'b: effectMutation { create(data: {note: "no key"}) { id } } }')
    assert answer.errors
    assert tasks(tapp) == []
