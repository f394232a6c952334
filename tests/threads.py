"""Helpers of the concurrency tests: worker threads, and an app tuned for many of them."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from modelry.boot import App

THREADS = 8


def run_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run `work(k)` in `count` threads; re-raise the first failure; return the results."""
    results: list[Any] = [None] * count
    failures: list[BaseException] = []

    def target(k: int) -> None:
        try:
            results[k] = work(k)
        except BaseException as error:  # noqa: BLE001 - re-raised in the test thread
            failures.append(error)

    threads = [threading.Thread(target=target, args=(k,), daemon=True) for k in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    if failures:
        raise failures[0]
    return results


def counting_groups(commit: Any, run: Callable[[list[list[Any]]], Any],
                    sizes: list[int]) -> Callable[[list[list[Any]]], Any]:
    """`run` recording each group's size in `sizes`; the first group waits (up to 3 s)
    until another call is queued behind it, so a loaded machine cannot run every call
    alone before the next arrives and the merge is what the test sees, not luck."""

    def counting(groups: list[list[Any]]) -> Any:
        if not sizes:
            deadline = time.monotonic() + 3
            while commit.waiting() == 0 and time.monotonic() < deadline:
                time.sleep(0.005)
        sizes.append(len(groups))
        return run(groups)

    return counting


def busy_app(make_app: Callable[..., App], backend: str) -> App:
    """The demo app with a pool slot per thread, no ping on checkout or reset on return
    (every transaction ends explicitly), and no WAL flush wait on PostgreSQL: fewer round
    trips per transaction, the same locking and visibility."""
    options: dict[str, Any] = {"pool_size": THREADS + 2, "pool_pre_ping": False,
                               "pool_reset_on_return": None}
    if backend == "postgresql":
        options["connect_args"] = {"options": "-c synchronous_commit=off"}
    return make_app(["demo"], **options)


def in_transaction(app: App, work: Callable[[], Any]) -> Any:
    """`work()` in a transaction of its own, with `app` active (worker threads start with
    no active application)."""
    with app.activate(), app.transaction():
        return work()
