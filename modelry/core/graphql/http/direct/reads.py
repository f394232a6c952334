"""Compiled reads answered in the event loop on PostgreSQL and MariaDB.

A query whose compiled plan is cached, asked anonymously or with a token whose identity is
cached, by a caller whose rights are loaded, is answered without a worker thread: the
executor's `run_direct` drives the compiled path's steps inside `nonblocking()`, and each
statement runs on a connection of an async driver (drivers.py: asyncpg, asyncmy) as SQL
compiled once for that driver. Anything else — a write, a plan that needs the general
executor, a cache that would have to read the database, any error — raises WouldBlock
before an answer is sent, and the request goes to a worker thread as before, which
answers it in full.
"""
from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from modelry.core.data.driver_statements import DriverStatement
from modelry.core.data.transaction import WouldBlock
from modelry.core.graphql.compiled.database_json import Fetched, Read
from modelry.core.graphql.http.direct.connections import AsyncConnections

log = logging.getLogger("modelry.graphql")
CONNECTIONS = 4  # per server process: statements are short, the event loop is one thread


class DirectReads:
    """Answers compiled reads of `executor` in the event loop of the running server."""

    def __init__(self, executor: Any, driver: Any, size: int = CONNECTIONS) -> None:
        self.executor = executor
        self.driver = driver  # drivers.py: the database's async driver
        self.size = size
        self.connections: AsyncConnections | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.compiled: weakref.WeakKeyDictionary[Any, DriverStatement | None] = \
            weakref.WeakKeyDictionary()
        self.answered = 0  # requests answered here (tests and the benchmark read it)

    def start(self) -> None:
        """Serve from the running event loop (the server's lifespan calls this)."""
        self.loop = asyncio.get_running_loop()
        self.connections = AsyncConnections(self.driver, self.size)

    async def stop(self) -> None:
        """Close the connections (at the end of the server's lifespan)."""
        connections, self.connections, self.loop = self.connections, None, None
        if connections is not None:
            await connections.close()

    async def answer(self, body: bytes, authorization: str | None) -> Any:
        """The executor's Response; else a worker thread must answer, and this is what was
        read of the request by then (the executor's Parsed) or None."""
        connections = self.connections
        if connections is None or asyncio.get_running_loop() is not self.loop:
            return None
        taken: list[Any] = []

        async def fetch(read: Read) -> Fetched:
            statement = self.driver_statement(read.statement)
            if statement is None:
                raise WouldBlock("a statement SQLAlchemy renders per execution")
            if not taken:
                taken.append(await connections.acquire())
            return await self.driver.fetch(
                taken[0], statement.sql, statement.parameters(read.parameters))
        try:
            response = await self.executor.run_direct(body, authorization, fetch)
        except WouldBlock as declined:
            log.debug("a worker thread answers: %s", declined, exc_info=True)
            return getattr(declined, "parsed", None)
        except Exception:  # noqa: BLE001 - the worker thread answers, and reports errors
            log.debug("a direct read was declined", exc_info=True)
            return None
        finally:
            if taken:
                connections.release(taken[0])
        self.answered += 1
        return response

    def driver_statement(self, statement: Any) -> DriverStatement | None:
        """`statement` compiled for the driver once (None: SQLAlchemy must run it)."""
        try:
            return self.compiled[statement]
        except KeyError:
            compiled = DriverStatement.compile(statement, self.driver.dialect)
            self.compiled[statement] = compiled
            return compiled
