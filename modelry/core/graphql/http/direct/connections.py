"""A few connections of an async driver (drivers.py) for one event loop: where direct
reads run their statements."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger("modelry.graphql")
WAIT_SECONDS = 5.0  # for a free connection; then the request goes to a worker thread


class AsyncConnections:
    """At most `size` connections of `driver`, opened when first needed."""

    def __init__(self, driver: Any, size: int) -> None:
        self.driver = driver
        self.size = size
        self.opened = 0
        self.idle: asyncio.Queue[Any] = asyncio.Queue()
        self.replacing: set[asyncio.Future[None]] = set()

    async def acquire(self) -> Any:
        """A connection of the pool; TimeoutError when none frees up in `WAIT_SECONDS`
        (waiters are served in turn)."""
        if not self.idle.empty():
            return self.idle.get_nowait()
        if self.opened < self.size:
            self.opened += 1
            try:
                return await self.driver.connect()
            except BaseException:
                self.opened -= 1
                raise
        return await asyncio.wait_for(self.idle.get(), WAIT_SECONDS)

    def release(self, connection: Any) -> None:
        """Give `connection` back; one that broke or is inside a transaction is dropped
        and another opened in its place for whoever waits."""
        if not self.driver.reusable(connection):
            self.opened -= 1
            replacing = asyncio.ensure_future(self._replace(connection))
            self.replacing.add(replacing)
            replacing.add_done_callback(self.replacing.discard)
            return
        self.idle.put_nowait(connection)

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
        self.idle.put_nowait(connection)

    async def close(self) -> None:
        """Close the idle connections (at shutdown, when no request runs)."""
        while not self.idle.empty():
            self.opened -= 1
            await self.driver.close(self.idle.get_nowait())
