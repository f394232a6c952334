"""The task contract both backends keep: states, what a running task knows about itself,
and the errors that end a task at once instead of being retried."""
from __future__ import annotations

import contextlib
import datetime as dt
import enum
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from modelry.errors import ModelryError


class TaskState(enum.Enum):
    """Where a task stands. `failed` waits for its next attempt; `dead` has used them all;
    `queued` is handed to a broker and not yet claimed by one of its workers."""

    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DEAD = "dead"
    CANCELLED = "cancelled"


WAITING = (TaskState.PENDING.value, TaskState.FAILED.value)
"""States a worker (or the relay to a broker) may pick a due task from."""

SETTLED = (TaskState.DONE.value, TaskState.DEAD.value, TaskState.CANCELLED.value)
"""States nothing moves a task out of, except an explicit retry."""

REVIVABLE = (TaskState.DEAD.value, TaskState.CANCELLED.value)
"""States a new enqueue with the same key starts again; other states make it a no-op."""


@dataclass(frozen=True)
class TaskInfo:
    """What a running task's code may ask about its own run: `tasks.current()`."""

    id: int
    namespace: str
    fun: str
    attempt: int
    max_attempts: int
    key: str | None
    request_id: str | None


_running: ContextVar[TaskInfo | None] = ContextVar("modelry_task", default=None)


def current() -> TaskInfo | None:
    """The task this thread runs, or None outside a task."""
    return _running.get()


@contextlib.contextmanager
def running(info: TaskInfo) -> Iterator[TaskInfo]:
    """Mark this thread as running `info` inside the block."""
    token = _running.set(info)
    try:
        yield info
    finally:
        _running.reset(token)


def utcnow() -> dt.datetime:
    """Now, as the naive UTC the DateTime fields store."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class TaskError(ModelryError):
    """A task cannot be queued or run as asked."""

    code = "TASK_ERROR"


class PermanentTaskFailure(TaskError):
    """A queued call that can never succeed (its function or record is gone, its arguments
    cannot be read): the task goes dead at once instead of being retried."""

    code = "TASK_UNRUNNABLE"


class TaskTimeout(BaseException):
    """Raised inside a task that outlived its function's `timeout` (a BaseException, so
    `except Exception` in business code does not swallow it)."""


class LeaseLost(TaskError):
    """The task was reclaimed by another worker while this one ran it: its effects roll
    back (atomic tasks) and its outcome is dropped."""

    code = "TASK_LEASE_LOST"


def describe_error(error: BaseException) -> str:
    """`CODE: message` (or the exception's type and text), for `last_error`."""
    if isinstance(error, TaskTimeout):
        return "TASK_TIMEOUT: " + (str(error) or "the task ran past its timeout")
    if isinstance(error, ModelryError):
        return f"{error.code}: {error.message}"
    return f"{type(error).__name__}: {error}"


def identity_to_json(identity: Any) -> dict[str, Any]:
    """The caller's identity as the task row stores it."""
    return {"user_id": identity.user_id, "login": identity.login,
            "roles": sorted(identity.roles), "is_admin": bool(identity.is_admin)}
