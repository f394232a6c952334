"""The direct reads' connections: waiters served in turn (a newcomer never takes a
connection a waiter is owed), a wait that times out or is cancelled loses no connection,
a broken connection is replaced for whoever waits."""
from __future__ import annotations

import asyncio

import pytest

from modelry.core.graphql.http.direct import connections as module
from modelry.core.graphql.http.direct.connections import AsyncConnections


class FakeDriver:
    """Connections are numbers; a connection in `broken` is not reusable."""

    def __init__(self) -> None:
        self.made = 0
        self.broken: set[int] = set()
        self.closed: list[int] = []

    async def connect(self) -> int:
        self.made += 1
        return self.made

    def reusable(self, connection: int) -> bool:
        return connection not in self.broken

    async def close(self, connection: int) -> None:
        self.closed.append(connection)


def test_waiters_get_released_connections_in_the_order_they_asked_and_newcomers_wait():
    async def main() -> list[str]:
        pool = AsyncConnections(FakeDriver(), 1)
        held = await pool.acquire()
        served: list[str] = []

        async def request(name: str) -> None:
            connection = await pool.acquire()
            served.append(name)
            await asyncio.sleep(0)
            pool.release(connection)

        first = asyncio.ensure_future(request("first"))
        second = asyncio.ensure_future(request("second"))
        await asyncio.sleep(0)  # both wait now
        pool.release(held)
        newcomer = asyncio.ensure_future(request("newcomer"))  # arrives after the release
        await asyncio.gather(first, second, newcomer)
        assert pool.opened == 1 and len(pool.idle) == 1
        return served
    assert asyncio.run(main()) == ["first", "second", "newcomer"]


def test_a_wait_times_out_with_timeout_error_and_the_pool_keeps_its_connection(monkeypatch):
    monkeypatch.setattr(module, "WAIT_SECONDS", 0.05)

    async def main() -> None:
        pool = AsyncConnections(FakeDriver(), 1)
        held = await pool.acquire()
        with pytest.raises(TimeoutError, match="no free connection"):
            await pool.acquire()
        pool.release(held)
        assert list(pool.idle) == [held]
        assert await pool.acquire() == held
    asyncio.run(main())


def test_a_cancelled_waiter_given_a_connection_passes_it_on():
    async def main() -> None:
        pool = AsyncConnections(FakeDriver(), 1)
        held = await pool.acquire()
        gone = asyncio.ensure_future(pool.acquire())
        next_one = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0)
        pool.release(held)  # owed to `gone`, which is cancelled before it resumes
        gone.cancel()
        assert await next_one == held
        with pytest.raises(asyncio.CancelledError):
            await gone
        assert pool.opened == 1
    asyncio.run(main())


def test_a_broken_connection_is_closed_and_a_new_one_goes_to_the_waiter():
    async def main() -> None:
        driver = FakeDriver()
        pool = AsyncConnections(driver, 1)
        held = await pool.acquire()
        waiter = asyncio.ensure_future(pool.acquire())
        await asyncio.sleep(0)
        driver.broken.add(held)
        pool.release(held)
        assert await waiter == 2
        assert driver.closed == [held] and pool.opened == 1
    asyncio.run(main())
