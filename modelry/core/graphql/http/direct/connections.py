"""A few asyncpg connections for one event loop: where direct reads run their statements.
A statement outside a transaction reads what a READ COMMITTED transaction of one statement
reads, without BEGIN and COMMIT."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
import sqlalchemy as sa

log = logging.getLogger("modelry.graphql")
WAIT_SECONDS = 5.0  # for a free connection; then the request goes to a worker thread


class AsyncConnections:
    """At most `size` connections to `url`'s database, opened when first needed."""

    def __init__(self, url: sa.URL, size: int) -> None:
        self.dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
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
                return await asyncpg.connect(self.dsn)
            except BaseException:
                self.opened -= 1
                raise
        return await asyncio.wait_for(self.idle.get(), WAIT_SECONDS)

    def release(self, connection: Any) -> None:
        """Give `connection` back; one that broke or is inside a transaction is dropped
        and another opened in its place for whoever waits."""
        if connection.is_closed() or connection.is_in_transaction():
            self.opened -= 1
            connection.terminate()
            replacing = asyncio.ensure_future(self._replace())
            self.replacing.add(replacing)
            replacing.add_done_callback(self.replacing.discard)
            return
        self.idle.put_nowait(connection)

    async def _replace(self) -> None:
        if self.opened >= self.size:
            return
        self.opened += 1
        try:
            connection = await asyncpg.connect(self.dsn)
        except Exception:  # noqa: BLE001 - waiters time out and go to worker threads
            self.opened -= 1
            log.warning("a direct-read connection could not be opened", exc_info=True)
            return
        self.idle.put_nowait(connection)

    async def close(self) -> None:
        """Close the idle connections (at shutdown, when no request runs)."""
        while not self.idle.empty():
            self.opened -= 1
            connection = self.idle.get_nowait()
            try:
                await connection.close(timeout=5)
            except Exception:  # noqa: BLE001 - a broken connection may fail to close
                log.debug("closing a direct-read connection failed", exc_info=True)
                connection.terminate()
