"""Claiming due tasks from the database, safely with many workers; reclaiming lost ones.

PostgreSQL and MariaDB: `SELECT ... FOR UPDATE SKIP LOCKED`, so workers never wait on, or
take, each other's rows. SQLite: the claim's transaction begins IMMEDIATE (the engine
does that for every writing transaction), so claims run one at a time.
A claim leases the task until `timeout + margin` seconds from now and counts the
attempt; `attempts` is then the fencing token the outcome is written under.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from modelry.core.tasks.contract import WAITING, TaskState, utcnow

LEASE_EXPIRED = "TASK_LEASE_EXPIRED: the worker running it stopped answering (killed?)"
BATCH = 500  # tasks reclaimed per statement


@dataclass(frozen=True)
class ClaimedTask:
    """A task row as its worker took it (`attempts` already counts this attempt)."""

    id: int
    namespace: str
    fun: str
    arguments: Any
    key: str | None
    attempts: int
    max_attempts: int
    timeout: float
    identity: Any
    directives: int
    request_id: str | None


def task_table(app: Any) -> sa.Table:
    """The table of `base.Task`."""
    return app.data.table(app.registry.model("base.Task"))


def claim(app: Any, worker: str, limit: int, margin: float,
          task_id: int | None = None) -> list[ClaimedTask]:
    """Take up to `limit` due tasks for `worker`, oldest due first — or task `task_id`
    alone (a broker's message names it), also when it is queued to the broker."""
    table, now = task_table(app), utcnow()
    claimable = sa.and_(table.c.state.in_(WAITING), table.c.run_after <= now)
    due = sa.select(table)
    if task_id is None:
        due = due.where(claimable).order_by(table.c.run_after, table.c.id).limit(limit)
    else:
        due = due.where(table.c.id == task_id,
                        sa.or_(claimable, table.c.state == TaskState.QUEUED.value))
    if app.dialect != "sqlite":  # by id: wait for the relay that may still hold the row
        due = due.with_for_update(skip_locked=task_id is None)
    claimed: list[ClaimedTask] = []
    with app.data.transaction() as connection:
        for row in connection.execute(due).all():
            connection.execute(
                sa.update(table).where(table.c.id == row.id).values(
                    state=TaskState.RUNNING.value, attempts=row.attempts + 1,
                    locked_by=worker, started_at=now, write_date=now,
                    locked_until=now + dt.timedelta(seconds=row.timeout + margin),
                    opt_version=table.c.opt_version + 1))
            claimed.append(ClaimedTask(
                id=row.id, namespace=row.namespace, fun=row.fun, arguments=row.arguments,
                key=row.key, attempts=row.attempts + 1, max_attempts=row.max_attempts,
                timeout=row.timeout, identity=row.identity, directives=row.directives,
                request_id=row.request_id))
    return claimed


def reclaim_expired(app: Any) -> int:
    """Running tasks whose lease ran out (their worker died) wait again, or go dead when
    they have used their attempts; returns how many."""
    table, now = task_table(app), utcnow()
    expired = sa.and_(table.c.state == TaskState.RUNNING.value, table.c.locked_until < now)
    used_up = table.c.attempts >= table.c.max_attempts
    released = {"last_error": LEASE_EXPIRED, "locked_by": None, "locked_until": None,
                "write_date": now, "opt_version": table.c.opt_version + 1}
    with app.data.transaction() as connection:
        ids = _matching(connection, table, expired)
        if not ids:
            return 0
        dead = connection.execute(sa.update(table).where(
            table.c.id.in_(ids), expired, used_up).values(
            state=TaskState.DEAD.value, finished_at=now, **released)).rowcount
        again = connection.execute(sa.update(table).where(
            table.c.id.in_(ids), expired, sa.not_(used_up)).values(
            state=TaskState.FAILED.value, run_after=now, **released)).rowcount
    return dead + again


def release_expired_queued(app: Any) -> int:
    """Tasks handed to a broker whose message never arrived (within the relay's lease) wait
    again, to be relayed anew; no attempt was made, so none is counted."""
    table, now = task_table(app), utcnow()
    expired = sa.and_(table.c.state == TaskState.QUEUED.value, table.c.locked_until < now)
    with app.data.transaction() as connection:
        ids = _matching(connection, table, expired)
        if not ids:
            return 0
        return connection.execute(sa.update(table).where(table.c.id.in_(ids), expired).values(
            state=TaskState.PENDING.value, locked_by=None, locked_until=None, write_date=now,
            opt_version=table.c.opt_version + 1)).rowcount


def _matching(connection: sa.Connection, table: sa.Table, condition: Any) -> list[int]:
    """Ids of rows matching `condition`, read without locks. The update that follows names
    them by primary key (and repeats the condition), locking rows in the order claims do:
    on InnoDB an UPDATE through the state index would deadlock with them."""
    return list(connection.scalars(sa.select(table.c.id).where(condition).limit(BATCH)))
