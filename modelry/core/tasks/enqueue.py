"""Queue a call: one `base.Task` row written in the caller's transaction, so a call queued
by a transaction that rolls back is never delivered, and one that commits is never lost.

A key makes the enqueue idempotent: while a task with that key waits, runs or is done, a
second enqueue returns it unchanged; a dead or cancelled one is started again.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from modelry import directives
from modelry.core import context
from modelry.core.data.transaction import after_commit
from modelry.core.registry.functions import FunctionMeta
from modelry.core.security.identity import current_identity
from modelry.core.tasks.arguments import encode
from modelry.core.tasks.contract import REVIVABLE, TaskState, identity_to_json, utcnow
from modelry.errors import UniqueViolation


def task_values(meta: FunctionMeta, args: tuple[Any, ...], kwargs: dict[str, Any],
                run_after: dt.datetime | None) -> dict[str, Any]:
    """The row of a new task: the call, its policy, and the caller it runs as."""
    where = f"{meta.namespace}.{meta.fun}"
    return {"namespace": meta.namespace, "fun": meta.fun,
            "arguments": {"args": encode(list(args), where), "kwargs": encode(kwargs, where)},
            "state": TaskState.PENDING, "attempts": 0,
            "max_attempts": meta.task.max_attempts, "timeout": meta.task.timeout,
            "run_after": run_after or utcnow(), "identity": identity_to_json(current_identity()),
            "directives": int(directives.current()),
            "request_id": context.request_id() or uuid.uuid4().hex}


def insert_task(app: Any, values: dict[str, Any], key: str | None,
                on_commit: Any = None) -> Any:
    """Write the task row (as back-end code) in the open transaction, or in one of its own;
    `on_commit()` runs once that commits. Returns the `base.Task` record."""
    Task = app.registry.model("base.Task").cls
    with directives.scope(), app.data.connection():  # the caller's transaction, if open
        if on_commit is not None:
            after_commit(on_commit)
        if key is None:
            return Task(**values).create()
        existing = Task.query_one(key=key)
        if existing is None:
            try:
                with app.data.transaction():  # a savepoint: a concurrent enqueue may win
                    return Task(key=key, **values).create()
            except UniqueViolation:
                existing = Task.query_one(key=key)
        if existing.state.value in REVIVABLE:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.last_error = existing.result = existing.finished_at = None
            existing.update_by_id()
        return existing
