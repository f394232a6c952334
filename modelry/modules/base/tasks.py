"""Background work as records: the queue of tasks (async calls, scheduled runs) and the
schedules with the due times they have run.

`base.Task` is an ordinary model, so tasks are listed, retried and cancelled through the
same API as everything else — admins only, unless a role is granted it.
"""
from __future__ import annotations

import datetime as dt

from modelry import DataError, Model, TaskState, action, fields


class Task(Model, model="base.Task", display_name="Task", optimistic_lock=True):
    """One queued call of a declared function and where it stands."""

    namespace = fields.String(size=128, required=True)
    fun = fields.String(size=128, required=True)
    arguments = fields.Json(help="args and kwargs, as JSON (records as references)")
    key = fields.String(size=255, unique=True, help="idempotency key: one task per key")
    state = fields.Enum(TaskState, required=True, index=True, default=TaskState.PENDING)
    attempts = fields.Integer(required=True, default=0)
    max_attempts = fields.Integer(required=True, default=3)
    timeout = fields.Float(required=True, default=300.0, help="seconds per attempt")
    run_after = fields.DateTime(required=True, help="not before (UTC)")
    locked_by = fields.String(size=128, help="the worker holding the task")
    locked_until = fields.DateTime(help="the worker's lease ends (UTC)")
    last_error = fields.Text()
    result = fields.Json()
    identity = fields.Json(help="the caller: user_id, login, roles, is_admin")
    directives = fields.BigInteger(required=True, default=0, help="the caller's directive bits")
    request_id = fields.String(size=64, index=True)
    started_at = fields.DateTime()
    finished_at = fields.DateTime()

    @action()
    def retry(self) -> Task:
        """Run a dead, failed or cancelled task again, its attempts starting over."""
        return _move(self, (TaskState.DEAD, TaskState.FAILED, TaskState.CANCELLED),
                     TaskState.PENDING, "retry")

    @action()
    def cancel(self) -> Task:
        """Never run a task that waits (pending, failed or queued to a broker)."""
        return _move(self, (TaskState.PENDING, TaskState.FAILED, TaskState.QUEUED),
                     TaskState.CANCELLED, "cancel")


def _move(task: Task, allowed: tuple[TaskState, ...], target: TaskState, verb: str) -> Task:
    stored = Task.query_by_id(task.id)
    if stored is None:
        raise DataError(f"base.Task: no task {task.id}", code="RECORD_NOT_FOUND",
                        model="base.Task")
    if stored.state not in allowed:
        raise DataError(f"base.Task: cannot {verb} task {task.id}: it is "
                        f"{stored.state.value}", code="TASK_STATE", model="base.Task",
                        field="state")
    stored.state = target
    if target is TaskState.PENDING:
        stored.attempts = 0
        stored.run_after = dt.datetime.now(dt.UTC)
        stored.last_error = None
    else:
        stored.finished_at = dt.datetime.now(dt.UTC)
    if not stored.update_by_id():
        raise DataError(f"base.Task: task {task.id} changed meanwhile (a worker took it): "
                        "read it again", code="OPTIMISTIC_LOCK", model="base.Task")
    return stored


class Schedule(Model, model="base.Schedule", display_name="Schedule"):
    """A declared schedule as the database knows it: up to which due time it has run."""

    code = fields.String(size=255, required=True, unique=True)
    cron = fields.String(size=128, required=True)
    catch_up = fields.Boolean(default=False)
    last_due = fields.DateTime(help="the latest due time a run was queued for (UTC)")


class ScheduleRun(Model, model="base.ScheduleRun", display_name="Schedule run"):
    """One due time of one schedule, queued once: `run_key` (schedule@due time) is unique,
    and written in the transaction that queues the run."""

    run_key = fields.String(size=255, required=True, unique=True)
    schedule = fields.String(size=255, required=True, index=True)
    due_at = fields.DateTime(required=True)
    task = fields.ManyToOne("base.Task", on_delete="SET NULL")
