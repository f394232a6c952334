"""Run one claimed task: as its caller (identity, directives, request id), through the
function pipeline, within its time limit; then settle it (done, retry later, or dead)."""
from __future__ import annotations

import logging
from typing import Any

from modelry import directives
from modelry.core.context import requesting
from modelry.core.registry.functions import TaskPolicy
from modelry.core.security.identity import Identity, acting
from modelry.core.tasks import outcome, targets
from modelry.core.tasks.arguments import decode
from modelry.core.tasks.claim import ClaimedTask
from modelry.core.tasks.contract import (
    LeaseLost, PermanentTaskFailure, TaskInfo, TaskTimeout, describe_error, running)
from modelry.core.tasks.time_limit import time_limit
from modelry.directives import Directive

log = logging.getLogger("modelry.tasks")


def identity_of(stored: Any) -> Identity:
    """The caller's identity from the task row."""
    stored = stored or {}
    return Identity(user_id=stored.get("user_id"), login=stored.get("login"),
                    roles=frozenset(stored.get("roles") or ()),
                    is_admin=bool(stored.get("is_admin")))


def execute(app: Any, task: ClaimedTask) -> str:
    """Run `task` and settle it; returns its new state ('' when another worker has it)."""
    info = TaskInfo(task.id, task.namespace, task.fun, task.attempts, task.max_attempts,
                    task.key, task.request_id)
    policy = TaskPolicy()
    try:
        with app.activate(), acting(identity_of(task.identity)), \
                requesting(task.request_id), running(info):
            meta = targets.find(app.registry, task.namespace, task.fun)
            policy = meta.task
            with time_limit(task.timeout):
                if policy.atomic:
                    with app.transaction():
                        outcome.finish(app, task, _run(app, meta, task))
                else:
                    result = _run(app, meta, task)
                    outcome.finish(app, task, result)
        return "done"
    except LeaseLost as lost:
        log.warning("%s", lost.message)
        return ""
    except (Exception, TaskTimeout) as error:  # noqa: BLE001 - every failure is recorded
        permanent = isinstance(error, PermanentTaskFailure)
        if not permanent:
            log.info("task %s (%s.%s) attempt %s failed: %s", task.id, task.namespace,
                     task.fun, task.attempts, describe_error(error))
        return outcome.fail(app, task, describe_error(error), policy.backoff, permanent)


def _run(app: Any, meta: Any, task: ClaimedTask) -> Any:
    """Read the arguments (records as back-end code), then call with the caller's bits."""
    with directives.scope():
        stored = task.arguments or {}
        args = decode(stored.get("args") or [], lambda code, id: _load(app, code, id))
        kwargs = decode(stored.get("kwargs") or {}, lambda code, id: _load(app, code, id))
    with directives.scope(Directive(task.directives) & ~Directive.SYNC):
        return targets.call(meta, args, kwargs)


def _load(app: Any, code: str, id: Any) -> Any:
    meta = app.registry.find(code)
    if meta is None:
        raise PermanentTaskFailure(f"the task's argument is a {code}, which no loaded "
                                   "module declares", model=code)
    if id is None:
        return meta.cls
    record = meta.cls.query_by_id(id)
    if record is None:
        raise PermanentTaskFailure(f"the task's argument {code} {id} no longer exists",
                                   model=code)
    return record
