"""Settled tasks do not pile up: done and cancelled ones are deleted after `keep_days`
(dead ones stay, as the dead letters someone must look at)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from modelry.core.tasks.claim import task_table
from modelry.core.tasks.contract import TaskState, utcnow

BATCH = 1000  # rows per statement: pruning never holds long locks


def prune_settled(app: Any, keep_days: float) -> int:
    """Delete up to BATCH done or cancelled tasks finished more than `keep_days` ago."""
    table = task_table(app)
    before = utcnow() - dt.timedelta(days=keep_days)
    old = (sa.select(table.c.id)
           .where(table.c.state.in_((TaskState.DONE.value, TaskState.CANCELLED.value)),
                  table.c.finished_at < before).limit(BATCH))
    with app.data.transaction() as connection:
        ids = list(connection.scalars(old))
        if not ids:
            return 0
        return connection.execute(sa.delete(table).where(table.c.id.in_(ids))).rowcount
