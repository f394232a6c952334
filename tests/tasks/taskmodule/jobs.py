"""Service functions of `tasktest` (namespace `tasktest.Jobs`) that the tests queue."""
from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import time
from pathlib import Path

from modelry import current_task, directives, function, hook, schedule
from modelry.core.context import request_id
from modelry.core.security.identity import current_identity
from tests.tasks.taskmodule.models import Effect

JOBS = "tasktest.Jobs"
HOOK_SAW: list[dict] = []  # what the before-hook of `observe` saw (in this process)
BLOCK_VARIABLE = "TASKTEST_BLOCK_FIRST_ATTEMPT"  # a directory: blocking tasks signal there


@function(async_=True, namespace=JOBS)
def record(key: str, note: str = "") -> None:
    """Write one effect."""
    Effect(key=key, note=note).create()


@function(namespace=JOBS)
def add(a: int, b: int) -> int:
    """Not async: queued only through `app.enqueue`; its result is kept."""
    return a + b


@function(async_=True, namespace=JOBS)
def typed(amount: decimal.Decimal, day: dt.date, moment: dt.datetime, items: list,
          options: dict) -> None:
    """Arguments of every JSON-carried kind arrive as they were sent."""
    Effect(key="typed", note=json.dumps({
        "amount": [type(amount).__name__, str(amount)], "day": day.isoformat(),
        "moment": moment.isoformat(), "items": items, "options": options})).create()


@function(async_=True, namespace=JOBS, max_attempts=3, backoff=0.05)
def flaky(key: str, failures: int) -> None:
    """Fails its first `failures` attempts, then writes its effect."""
    task = current_task()
    if task.attempt <= failures:
        raise RuntimeError(f"attempt {task.attempt} fails on purpose")
    Effect(key=key, note=f"attempt {task.attempt}").create()


@function(async_=True, namespace=JOBS, timeout=0.3, max_attempts=1)
def overrun() -> None:
    """Runs past its timeout (a busy Python loop: the limit interrupts it)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.01)


@function(async_=True, namespace=JOBS)
def observe(label: str) -> None:
    """Write what the task sees: its caller, directives, request id and run."""
    identity, task = current_identity(), current_task()
    Effect(key=label, note=json.dumps({
        "user_id": identity.user_id, "login": identity.login, "roles": sorted(identity.roles),
        "directives": int(directives.current()), "request_id": request_id(),
        "task": {"id": task.id, "attempt": task.attempt, "key": task.key,
                 "request_id": task.request_id}})).create()


@hook.before(model=JOBS, fun="observe")
def see_observe(call) -> None:  # noqa: ANN001 - a hook receives the Call
    HOOK_SAW.append({"directives": int(call.directives), "login": current_identity().login,
                     "args": list(call.args), "kwargs": dict(call.kwargs)})


@function(open_level="API", namespace=JOBS, async_=True)
def notify(text: str) -> None:
    """An async API function: a GraphQL client queues it."""
    Effect(key=f"notify-{text}", note=current_identity().login or "anonymous").create()


@function(async_=True, namespace=JOBS, atomic=False, timeout=2.0, max_attempts=5, backoff=0)
def deliver(key: str) -> None:
    """Deliver at least once, effect once: the effect commits at once (no transaction
    around the body), keyed by `key`, so a second run adds nothing."""
    if Effect.query_one(key=key) is None:
        Effect(key=key, note="delivered").create()
    _block_first_attempt(key)


@function(async_=True, namespace=JOBS, timeout=2.0, max_attempts=5, backoff=0)
def deliver_atomic(key: str) -> None:
    """The same effect, committed with the task's completion (a kill rolls it back)."""
    Effect(key=key, note="delivered").create()
    _block_first_attempt(key)


def _block_first_attempt(key: str) -> None:
    """In a worker started with BLOCK_VARIABLE set, a first attempt signals, then waits to
    be killed (or for its time limit)."""
    folder = os.environ.get(BLOCK_VARIABLE)
    if not folder or current_task().attempt != 1:
        return
    (Path(folder) / key).touch()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.01)


@schedule("*/5 * * * *", catch_up=True)
@function(namespace=JOBS)
def every_five_minutes(due: dt.datetime) -> None:
    """A catch-up schedule: every missed due time runs."""
    Effect(key=f"five@{due:%H:%M}").create()


@schedule("0 2 * * *")
@function(namespace=JOBS)
def nightly(due: dt.datetime) -> None:
    """A schedule that skips missed due times but the latest."""
    Effect(key=f"nightly@{due:%Y-%m-%d %H:%M}").create()
