"""Fire due schedules: each due time of each schedule queues one run, once across every
instance — its `base.ScheduleRun` row (unique per schedule and due time) is written in the
transaction that queues the run, so a second instance's attempt rolls back.

Every worker ticks (a chore, every `tasks.maintenance_interval` seconds); between due
times a tick costs no query. A schedule first seen starts from that moment: nothing
before it is due. Missed due times (no instance ran) are all queued on catch-up schedules
(the newest MAX_CATCH_UP of them), else only the latest.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa

from modelry import directives
from modelry.core.registry.functions import ScheduleMeta
from modelry.core.tasks.contract import utcnow
from modelry.errors import UniqueViolation

log = logging.getLogger("modelry.tasks")
MAX_CATCH_UP = 100


def run_key(schedule: ScheduleMeta, due: dt.datetime) -> str:
    """The unique key of one due time of one schedule."""
    return f"{schedule.code}@{due.isoformat(timespec='minutes')}"


class Scheduler:
    """Queues the due runs of one application's schedules."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._next_due: dict[str, dt.datetime] = {}  # nothing to do before this

    def tick(self, now: dt.datetime | None = None) -> int:
        """Queue the runs due by `now` (UTC; default: the clock); returns how many."""
        now = now or utcnow()
        queued = 0
        for schedule in self.app.registry.behaviours.schedules:
            if self._next_due.get(schedule.code, dt.datetime.min) > now:
                continue
            last_due = self._last_due(schedule)
            due = list(schedule.cron.due_between(last_due, now))
            chosen = due[-MAX_CATCH_UP:] if schedule.catch_up else due[-1:]
            queued += sum(self._queue(schedule, at) for at in chosen)
            self._next_due[schedule.code] = schedule.cron.next_after(now)
        return queued

    def _model(self, code: str) -> Any:
        return self.app.registry.model(code).cls

    def _last_due(self, schedule: ScheduleMeta) -> dt.datetime:
        """The latest due time already queued (or when the schedule was first seen)."""
        Schedule = self._model("base.Schedule")
        with directives.scope(), self.app.transaction():
            row = Schedule.query_one(code=schedule.code)
            if row is None:
                try:
                    with self.app.transaction():  # a savepoint: another instance may win
                        row = Schedule(code=schedule.code, cron=schedule.cron.expression,
                                       catch_up=schedule.catch_up).create()
                except UniqueViolation:
                    row = Schedule.query_one(code=schedule.code)
            elif (row.cron, row.catch_up) != (schedule.cron.expression, schedule.catch_up):
                row.cron, row.catch_up = schedule.cron.expression, schedule.catch_up
                row.update_by_id()
        return row.last_due or row.create_date

    def _queue(self, schedule: ScheduleMeta, due: dt.datetime) -> bool:
        """Queue the run of `due` unless an instance did; True when this one did."""
        function = schedule.function
        assert function is not None
        args: tuple[Any, ...] = (due,)
        if function.kind == "classmethod":
            args = (self._model(function.namespace), due)
        key = run_key(schedule, due)
        try:
            with directives.scope(), self.app.transaction():
                task = self.app.tasks.submit(function, args, {}, key=f"schedule:{key}")
                self._model("base.ScheduleRun")(run_key=key, schedule=schedule.code,
                                                due_at=due, task=task.id).create()
                self._advance(schedule, due)
        except UniqueViolation:
            return False
        log.info("schedule %s: queued the run due %s", schedule.code, due)
        return True

    def _advance(self, schedule: ScheduleMeta, due: dt.datetime) -> None:
        table = self.app.data.table(self.app.registry.model("base.Schedule"))
        with self.app.data.connection() as connection:
            connection.execute(sa.update(table).where(
                table.c.code == schedule.code,
                sa.or_(table.c.last_due.is_(None), table.c.last_due < due)).values(
                last_due=due, write_date=utcnow()))
