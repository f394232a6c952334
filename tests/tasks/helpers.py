"""Helpers of the task tests: wait for a condition with a deadline, read task rows."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from modelry import directives
from modelry.boot import App


def wait_until(condition: Callable[[], Any], timeout: float = 15.0, every: float = 0.02,
               what: str = "the condition") -> Any:
    """Poll `condition` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def tasks(app: App, **filters: Any) -> list[Any]:
    """The task rows (as back-end code, in a transaction of their own), oldest first."""
    Task = app.registry.model("base.Task").cls
    with directives.scope(), app.transaction(readonly=True):
        return Task.query_list(sort="id", **filters)


def effects(app: App) -> dict[str, str | None]:
    """key → note of every tasktest.Effect."""
    Effect = app.registry.model("tasktest.Effect").cls
    with directives.scope(), app.transaction(readonly=True):
        return {e.key: e.note for e in Effect.query_list(sort="id")}


def run_all(worker: Any, timeout: float = 10.0) -> None:
    """Run due tasks in this thread until none waits or runs (retries included)."""
    app = worker.app

    def settled() -> bool:
        worker.run_once(10)
        return not [t for t in tasks(app)
                    if t.state.value in ("pending", "failed", "running", "queued")]
    wait_until(settled, timeout, what="every task to settle")
