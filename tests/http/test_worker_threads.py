"""The HTTP layer's worker threads: results and errors come back, context variables go
along, never more than `size` calls at once, threads end when idle and start again."""
from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from modelry.core.http import workers as workers_module
from modelry.core.http.workers import WorkerThreads

marker: contextvars.ContextVar[str] = contextvars.ContextVar("marker", default="unset")


def _run(coroutine):  # noqa: ANN001, ANN202 - a test helper
    return asyncio.run(coroutine)


def test_a_call_answers_its_result_and_raises_its_error_in_the_awaiting_task():
    workers = WorkerThreads(2)

    async def main() -> None:
        assert await workers.run(lambda a, b=0: a + b, 2, b=3) == 5
        assert await workers.run(threading.current_thread) is not threading.current_thread()
        with pytest.raises(KeyError, match="missing"):
            await workers.run({}.__getitem__, "missing")

        def stop() -> None:
            raise StopIteration  # a future cannot hold it: a RuntimeError names the call

        with pytest.raises(RuntimeError, match="StopIteration"):
            await workers.run(stop)
    _run(main())


def test_the_call_sees_the_callers_context_variables_and_its_changes_stay_there():
    workers = WorkerThreads(1)

    def read_and_change() -> str:
        seen = marker.get()
        marker.set("changed in the thread")
        return seen

    async def main() -> None:
        marker.set("the request's")
        assert await workers.run(read_and_change) == "the request's"
        assert marker.get() == "the request's"
    _run(main())


def test_no_more_calls_run_at_once_than_its_size_and_every_one_runs():
    workers = WorkerThreads(3)
    running, most, lock = [0], [0], threading.Lock()

    def slow(number: int) -> int:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return number

    async def main() -> list[int]:
        return await asyncio.gather(*(workers.run(slow, n) for n in range(20)))
    assert _run(main()) == list(range(20))
    assert most[0] == 3
    assert len([t for t in threading.enumerate() if t.name.startswith("modelry-worker")]) >= 3


def test_idle_threads_end_and_new_work_starts_them_again(monkeypatch):
    monkeypatch.setattr(workers_module, "IDLE_SECONDS", 0.05)
    workers = WorkerThreads(2, name="modelry-idle-test")

    def names() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith("modelry-idle-test")]

    async def main() -> None:
        await asyncio.gather(workers.run(time.sleep, 0.02), workers.run(time.sleep, 0.02))
        assert len(names()) == 2
        deadline = time.monotonic() + 5
        while names() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert names() == []
        assert await workers.run(lambda: "again") == "again"
    _run(main())


def test_a_size_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        WorkerThreads(0)
