"""A few connections of an async driver (drivers.py) for one event loop: where direct
reads run their statements."""
from __future__ import annotations

import asyncio
import collections
import logging
from typing import Any

log = logging.getLogger("modelry.graphql")
WAIT_SECONDS = 5.0  # for a free connection; then the request goes to a worker thread


class AsyncConnections:
    """At most `size` connections of `driver`, opened when first needed. Waiters are
    served in turn: a released connection goes to the longest waiting request, never to
    one that arrived after it (under load, taking a connection that a waiter was just
    woken for sent that waiter to the back of the line again: a long tail of latency)."""

    def __init__(self, driver: Any, size: int) -> None:
        self.driver = driver
        self.size = size
        self.opened = 0
        self.idle: collections.deque[Any] = collections.deque()
        self.waiting: collections.deque[asyncio.Future[Any]] = collections.deque()
        self.replacing: set[asyncio.Future[None]] = set()

    async def acquire(self) -> Any:
        """A connection of the pool; TimeoutError when none frees up in `WAIT_SECONDS`."""
        if self.idle and not self.waiting:
            return self.idle.pop()
        if self.opened < self.size:
            self.opened += 1
            try:
                return await self.driver.connect()
            except BaseException:
                self.opened -= 1
                raise
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self.waiting.append(waiter)
        timer = loop.call_later(WAIT_SECONDS, _expire, waiter)
        try:
            return await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._hand(waiter.result())  # given to us as we gave up: pass it on
            raise
        finally:
            timer.cancel()

    def release(self, connection: Any) -> None:
        """Give `connection` back; one that broke or is inside a transaction is dropped
        and another opened in its place for whoever waits."""
        if not self.driver.reusable(connection):
            self.opened -= 1
            replacing = asyncio.ensure_future(self._replace(connection))
            self.replacing.add(replacing)
            replacing.add_done_callback(self.replacing.discard)
            return
        self._hand(connection)

    def _hand(self, connection: Any) -> None:
        """To the longest waiting request, else to the idle ones."""
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(connection)
                return
        self.idle.append(connection)

    async def _replace(self, broken: Any) -> None:
        await self.driver.close(broken)
        if self.opened >= self.size:
            return
        self.opened += 1
        try:
            connection = await self.driver.connect()
        except Exception:  # noqa: BLE001 - waiters time out and go to worker threads
            self.opened -= 1
            log.warning("a direct-read connection could not be opened", exc_info=True)
            return
        self._hand(connection)

    async def close(self) -> None:
        """Close the idle connections (at shutdown, when no request runs)."""
        while self.idle:
            self.opened -= 1
            await self.driver.close(self.idle.pop())


def _expire(waiter: asyncio.Future[Any]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError(f"no free connection in {WAIT_SECONDS} s"))
