"""Settled tasks do not pile up: done and cancelled ones are deleted after `keep_days`
(dead ones stay, as the dead letters someone must look at), and so are schedule runs."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from modelry.core.tasks.claim import task_table
from modelry.core.tasks.contract import TaskState, utcnow

BATCH = 1000  # rows per statement: pruning never holds long locks


def prune_settled(app: Any, keep_days: float) -> int:
    """Delete up to BATCH schedule runs due, and BATCH done or cancelled tasks finished,
    more than `keep_days` ago."""
    table = task_table(app)
    before = utcnow() - dt.timedelta(days=keep_days)
    old = (sa.select(table.c.id)
           .where(table.c.state.in_((TaskState.DONE.value, TaskState.CANCELLED.value)),
                  table.c.finished_at < before).limit(BATCH))
    runs = app.data.table(app.registry.model("base.ScheduleRun"))
    old_runs = sa.select(runs.c.id).where(runs.c.due_at < before).limit(BATCH)
    with app.data.transaction() as connection:
        deleted = 0
        for target, query in ((runs, old_runs), (table, old)):
            ids = list(connection.scalars(query))
            if ids:
                deleted += connection.execute(
                    sa.delete(target).where(target.c.id.in_(ids))).rowcount
        return deleted
