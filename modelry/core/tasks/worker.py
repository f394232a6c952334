"""A worker: threads that claim due tasks from the app's database and run them, plus one
that reclaims tasks whose worker died and does the periodic chores (schedules, pruning).

In `modelry serve` a worker runs inside each server process (unless `tasks.in_server` is
off); `modelry worker` runs one on its own. Any number of them share one database.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from modelry.core.tasks.claim import claim, reclaim_expired
from modelry.core.tasks.execute import execute

log = logging.getLogger("modelry.tasks")


def worker_name() -> str:
    """`host:pid:random`: who holds a task, in `locked_by`."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def every(seconds: float, chore: Callable[[], Any]) -> Callable[[], Any]:
    """`chore`, doing its work at most once per `seconds` however often it is called."""
    last = [float("-inf")]

    def throttled() -> Any:
        if time.monotonic() - last[0] < seconds:
            return None
        last[0] = time.monotonic()
        return chore()
    throttled.__name__ = getattr(chore, "__name__", "chore")
    return throttled


class Worker:
    """Runs an application's due tasks on `threads` threads until stopped."""

    def __init__(self, app: Any, threads: int | None = None, claims: bool = True,
                 chores: list[Callable[[], Any]] | None = None,
                 services: list[Any] | None = None) -> None:
        settings = app.tasks.settings
        self.app = app
        self.settings = settings
        self.name = worker_name()
        self.threads = settings.threads if threads is None else threads
        self.claims = claims  # False with a broker: its consumer runs the tasks instead
        self.services = list(services or [])  # started and stopped with it (start(), stop(w))
        self.chores: list[Callable[[], Any]] = [lambda: reclaim_expired(app), *(chores or [])]
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Worker:
        """Start the threads (daemons: a stuck task never keeps the process alive)."""
        if self._threads:
            return self
        for service in self.services:
            service.start()
        self._stopping.clear()
        loops = [self._claim_loop] * (self.threads if self.claims else 0)
        for index, loop in enumerate([self._chores_loop, *loops]):
            thread = threading.Thread(target=loop, name=f"modelry-worker-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, wait: float = 10.0) -> None:
        """Stop claiming; give running tasks up to `wait` seconds to finish."""
        self._stopping.set()
        self._wake.set()
        for service in self.services:
            service.stop(wait)
        for thread in self._threads:
            thread.join(wait)
        self._threads = []

    @property
    def running(self) -> bool:
        """True between `start()` and `stop()`."""
        return bool(self._threads)

    def nudge(self) -> None:
        """Look for tasks now (called after a commit that queued some)."""
        self._wake.set()

    def run_once(self, limit: int = 1) -> int:
        """Claim up to `limit` due tasks and run them in this thread; returns how many."""
        tasks = claim(self.app, self.name, limit, self.settings.lease_margin)
        for task in tasks:
            execute(self.app, task)
        return len(tasks)

    def _claim_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                if self.run_once():
                    continue
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                log.exception("task worker %s: claiming failed", self.name)
            self._wake.wait(self.settings.poll_interval)
            self._wake.clear()

    def _chores_loop(self) -> None:
        while not self._stopping.is_set():
            for chore in self.chores:
                try:
                    chore()
                except Exception:  # noqa: BLE001 - retried at the next round
                    log.exception("task worker %s: %s failed", self.name,
                                  getattr(chore, "__name__", "a chore"))
            self._stopping.wait(self.settings.maintenance_interval)
