"""`app.tasks`: an application's task queue — queue calls, run them inline under SYNC,
and start workers. The boot installs one in every application."""
from __future__ import annotations

import atexit
import datetime as dt
import threading
from typing import Any

from modelry import directives
from modelry.core import context
from modelry.core.registry.functions import FunctionMeta
from modelry.core.tasks import targets
from modelry.core.tasks.claim import release_expired_queued
from modelry.core.tasks.enqueue import insert_task, task_values
from modelry.core.tasks.outbox import Relay
from modelry.core.tasks.retention import prune_settled
from modelry.core.tasks.scheduler import Scheduler
from modelry.core.tasks.settings import TaskSettings
from modelry.core.tasks.worker import Worker, every, worker_name
from modelry.directives import Directive

PRUNE_SECONDS = 60.0  # how often a worker deletes old settled tasks


class TaskQueue:
    """The task queue of one application."""

    def __init__(self, app: Any, settings: TaskSettings) -> None:
        self.app = app
        self.settings = settings
        self.workers: list[Worker] = []
        self.scheduler = Scheduler(app)
        self._transport: Any = None
        self._relay: Relay | None = None
        self._lock = threading.Lock()  # request threads may make the broker parts at once

    def enqueue(self, target: Any, *args: Any, key: str | None = None,
                run_after: dt.datetime | None = None, **kwargs: Any) -> Any:
        """Queue `target(*args, **kwargs)` (a declared function, or a method bound to a
        record or model) in the caller's transaction; returns the `base.Task` record (the
        existing one when `key` is taken), or None when SYNC ran the call now."""
        meta, args = targets.locate(self.app.registry, target, args)
        if directives.is_set(Directive.SYNC):
            targets.call(meta, list(args), kwargs)
            return None
        return self.submit(meta, args, kwargs, key=key, run_after=run_after)

    def defer(self, namespace: str, fun: str, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> None:
        """Queue a call of an async function (its wrapper calls this)."""
        self.submit(targets.find(self.app.registry, namespace, fun), args, kwargs)

    def submit(self, meta: FunctionMeta, args: tuple[Any, ...], kwargs: dict[str, Any],
               key: str | None = None, run_after: dt.datetime | None = None) -> Any:
        """Check the caller may make the call, then write its task row."""
        if directives.is_set(Directive.HOOK):
            context.guard_call(meta.namespace, meta.fun)
        values = task_values(meta, args, kwargs, run_after)
        return insert_task(self.app, values, key, on_commit=self.nudge)

    def nudge(self) -> None:
        """Tell this process's workers (or, with a broker, its relay) that tasks were
        committed."""
        if self.settings.broker:
            self.relay().nudge()
        for worker in self.workers:
            worker.nudge()

    def transport(self) -> Any:
        """The broker transport (a broker URL configured), made on first use."""
        with self._lock:
            if self._transport is None:
                from modelry.core.tasks.broker_dramatiq import DramatiqTransport
                self._transport = DramatiqTransport(self.app, self.settings.broker or "",
                                                    worker_name())
            return self._transport

    def relay(self) -> Relay:
        """This process's outbox relay to the broker."""
        transport = self.transport()
        with self._lock:
            if self._relay is None:
                self._relay = Relay(self.app, transport, worker_name())
            return self._relay

    def worker(self, threads: int | None = None) -> Worker:
        """A worker for this application (not started)."""
        chores = [every(PRUNE_SECONDS, lambda: prune_settled(self.app, self.settings.keep_days))]
        if self.settings.scheduler:
            chores.append(self.scheduler.tick)
        if self.settings.broker:
            chores.append(lambda: release_expired_queued(self.app))
            consumer = self.transport().consumer(threads or self.settings.threads)
            worker = Worker(self.app, threads, claims=False, chores=chores,
                            services=[consumer, self.relay()])
        else:
            worker = Worker(self.app, threads, chores=chores)
        self.workers.append(worker)
        return worker

    def start_in_server(self) -> Worker | None:
        """Start the worker of a server process, unless `tasks.in_server` is off; it stops
        when the app closes or the process exits."""
        if not self.settings.in_server or self.settings.threads < 1:
            return None
        atexit.register(self.close)
        return self.worker().start()

    def close(self, wait: float = 10.0) -> None:
        """Stop this application's workers and relay; close the broker connections."""
        for worker in self.workers:
            worker.stop(wait)
        self.workers.clear()
        if self._relay is not None:
            self._relay.stop(wait)
        if self._transport is not None:
            self._transport.close()
            self._transport = self._relay = None


def install(app: Any) -> TaskQueue:
    """Give `app` its task queue (`app.tasks`); async functions reach it through the data
    manager (`app.data.task_queue`)."""
    queue = TaskQueue(app, TaskSettings.from_settings(app.settings))
    app.tasks = queue
    app.data.task_queue = queue
    return queue
