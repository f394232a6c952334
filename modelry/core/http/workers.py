"""Blocking work of the HTTP layer (GraphQL requests, the admin, declared endpoints) in
worker threads, at most as many at once as the database pool has connections: the others
wait in the event loop instead of opening connections above the pool size.

A thin hop of its own rather than anyio's `to_thread.run_sync`: a request pays the hop
twice (out and back), and anyio's capacity limiter, cancel scopes and run-variable
lookups cost about 48 µs of CPU per call against about 12 µs here (measured on this
project's machine, 16 at a time) — a tenth of a compiled write. The work runs in a copy
of the caller's context (its context variables), as anyio runs it; once started it runs
to its end even when the awaiting task is cancelled. Threads start when work waits and
none is idle, and end after `IDLE_SECONDS` without work.
"""
from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from typing import Any, Callable

IDLE_SECONDS = 30.0


class WorkerThreads:
    """Runs blocking calls for an event loop, at most `size` at once."""

    def __init__(self, size: int, name: str = "modelry-worker") -> None:
        if size < 1:
            raise ValueError("worker threads: size must be at least 1")
        self.size = size
        self.name = name
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads = 0  # started and not ended
        self._idle = 0     # of them, waiting for a job
        self._queued = 0   # jobs no thread has taken yet

    async def run(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """`function(*args, **kwargs)` in a worker thread; its result or its exception."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._jobs.put((loop, future, contextvars.copy_context(), function, args, kwargs))
        with self._lock:
            self._queued += 1
            start = self._queued > self._idle and self._threads < self.size
            if start:
                self._threads += 1
                number = self._threads
        if start:
            threading.Thread(target=self._work, name=f"{self.name}-{number}",
                             daemon=True).start()
        return await future

    def _work(self) -> None:
        jobs, lock = self._jobs, self._lock
        while True:
            with lock:
                self._idle += 1
            try:
                job = jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with lock:
                    self._idle -= 1
                    if self._queued == 0:
                        self._threads -= 1
                        return
                continue
            with lock:
                self._idle -= 1
                self._queued -= 1
            loop, future, context, function, args, kwargs = job
            result, error = None, None
            try:
                result = context.run(function, *args, **kwargs)
            except BaseException as raised:  # noqa: BLE001 - the awaiting task raises it
                error = raised if not isinstance(raised, StopIteration) else \
                    RuntimeError(f"{function!r} raised StopIteration")
            _deliver_soon(loop, future, result, error)
            del job, future, context, args, kwargs, result, error  # nothing kept while idle


def _deliver_soon(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], result: Any,
                  error: BaseException | None) -> None:
    try:
        loop.call_soon_threadsafe(_deliver, future, result, error)
    except RuntimeError:  # the loop closed meanwhile: nobody waits for it any more
        pass


def _deliver(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # the awaiting task was cancelled
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)
