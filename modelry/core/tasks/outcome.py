"""A task's outcome, written only while its worker still holds it (fenced by the attempt
count), so a task reclaimed from a slow worker is settled once."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from modelry.core.tasks.arguments import encode
from modelry.core.tasks.claim import ClaimedTask, task_table
from modelry.core.tasks.contract import LeaseLost, TaskError, TaskState, utcnow

MAX_BACKOFF = 3600.0  # seconds: retries never wait longer than an hour
ERROR_LENGTH = 4000


def _held(table: sa.Table, task: ClaimedTask) -> Any:
    return sa.and_(table.c.id == task.id, table.c.attempts == task.attempts,
                   table.c.state == TaskState.RUNNING.value)


def finish(app: Any, task: ClaimedTask, result: Any) -> None:
    """Mark `task` done (in the open transaction, if any); LeaseLost when it was reclaimed."""
    table, now = task_table(app), utcnow()
    try:
        stored = encode(result, f"{task.namespace}.{task.fun}")
    except TaskError:
        stored = {"$repr": repr(result)[:ERROR_LENGTH]}
    with app.data.connection() as connection:
        changed = connection.execute(sa.update(table).where(_held(table, task)).values(
            state=TaskState.DONE.value, result=stored, finished_at=now, write_date=now,
            locked_by=None, locked_until=None, opt_version=table.c.opt_version + 1)).rowcount
    if not changed:
        raise LeaseLost(f"task {task.id} ({task.namespace}.{task.fun}) was reclaimed while "
                        "it ran: its outcome is dropped", model="base.Task")


def backoff_delay(backoff: float, attempt: int) -> float:
    """Seconds before the attempt after `attempt`: `backoff * 2**(attempt-1)`, capped."""
    return min(MAX_BACKOFF, backoff * 2 ** max(0, attempt - 1))


def fail(app: Any, task: ClaimedTask, error: str, backoff: float, permanent: bool) -> str:
    """Record a failed attempt: retried after the backoff, or dead when attempts are used
    up (or the failure is permanent). Returns the new state ('' when reclaimed)."""
    table, now = task_table(app), utcnow()
    dead = permanent or task.attempts >= task.max_attempts
    state = TaskState.DEAD if dead else TaskState.FAILED
    with app.data.transaction() as connection:
        changed = connection.execute(sa.update(table).where(_held(table, task)).values(
            state=state.value, last_error=error[:ERROR_LENGTH], write_date=now,
            run_after=now + dt.timedelta(seconds=backoff_delay(backoff, task.attempts)),
            finished_at=now if dead else None, locked_by=None, locked_until=None,
            opt_version=table.c.opt_version + 1)).rowcount
    return state.value if changed else ""
