"""The transactional outbox of a broker-backed queue.

An enqueue writes its `base.Task` row in the caller's transaction — the outbox row; the
relay hands committed, due rows to the broker. It marks a batch `queued` (leased for
`tasks.broker_lease` seconds) and publishes their ids before that transaction commits:
a publish that fails rolls the marks back, and a commit that fails leaves messages for
rows a worker's claim then finds waiting, so nothing is lost and nothing runs twice
(a claim takes a task once). A message lost in the broker shows as a queued task whose
lease expired: it waits again and is relayed anew. A nudge after each enqueuing commit
wakes the relay at once; otherwise it looks every `tasks.poll_interval` seconds.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

import sqlalchemy as sa

from modelry.core.tasks.claim import task_table
from modelry.core.tasks.contract import WAITING, TaskState, utcnow

log = logging.getLogger("modelry.tasks")
BATCH = 200


def relay_once(app: Any, transport: Any, relay: str, lease: float,
               limit: int = BATCH) -> int:
    """Publish up to `limit` due waiting tasks; returns how many."""
    table, now = task_table(app), utcnow()
    due = (sa.select(table.c.id)
           .where(table.c.state.in_(WAITING), table.c.run_after <= now)
           .order_by(table.c.run_after, table.c.id).limit(limit))
    if app.dialect != "sqlite":
        due = due.with_for_update(skip_locked=True)
    with app.data.transaction() as connection:
        ids = list(connection.scalars(due))
        if ids:
            connection.execute(sa.update(table).where(table.c.id.in_(ids)).values(
                state=TaskState.QUEUED.value, locked_by=relay, write_date=now,
                locked_until=now + dt.timedelta(seconds=lease),
                opt_version=table.c.opt_version + 1))
            transport.publish(ids)
    return len(ids)


class Relay:
    """A thread relaying one application's outbox to its broker."""

    def __init__(self, app: Any, transport: Any, name: str) -> None:
        self.app = app
        self.transport = transport
        self.name = name
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def nudge(self) -> None:
        """Relay now (started on first use)."""
        self.start()
        self._wake.set()

    def start(self) -> None:
        """Start the relay thread (a daemon), once."""
        with self._lock:
            if self._thread is None:
                self._stopping.clear()
                self._thread = threading.Thread(target=self._loop, name="modelry-relay",
                                                daemon=True)
                self._thread.start()

    def stop(self, wait: float = 10.0) -> None:
        """Stop relaying (what is left waits for another relay)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            self._wake.set()
            thread.join(wait)

    def _loop(self) -> None:
        settings = self.app.tasks.settings
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                while relay_once(self.app, self.transport, self.name,
                                 settings.broker_lease) == BATCH:
                    pass
            except Exception:  # noqa: BLE001 - the broker or database may come back
                log.exception("task relay %s: publishing failed", self.name)
            self._wake.wait(settings.poll_interval)
