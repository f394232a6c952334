"""`pool_size` bounds the database connections a server opens, however many requests come
at once: the rest wait in the event loop (graphql/http/asgi.py), not for connections above
the pool."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from modelry.boot import App, boot
from modelry.core.security.grants import grant_module
from tests.functions.helpers import boot_modules
from tests.graphql.conftest import Server

POOL_SIZE, REQUESTS, NAP = 3, 20, 0.3
NAP_QUERY = "{ napQuery { nap(seconds: %s) } }" % NAP


class ConnectionCount:
    """Connections an engine's pool holds open and lends out, and the peak of each."""

    def __init__(self, engine: sa.Engine) -> None:
        self.open = self.lent = self.peak_open = self.peak_lent = 0
        self._lock = threading.Lock()
        for event, change in (("connect", self._opened), ("close", self._closed),
                              ("checkout", self._lent), ("checkin", self._returned)):
            sa.event.listen(engine, event, change)

    def _count(self, open_: int = 0, lent: int = 0) -> None:
        with self._lock:
            self.open += open_
            self.lent += lent
            self.peak_open = max(self.peak_open, self.open)
            self.peak_lent = max(self.peak_lent, self.lent)

    def _opened(self, *_: Any) -> None:
        self._count(open_=1)

    def _closed(self, *_: Any) -> None:
        self._count(open_=-1)

    def _lent(self, *_: Any) -> None:
        self._count(lent=1)

    def _returned(self, *_: Any) -> None:
        self._count(lent=-1)


@pytest.fixture
def napping(database_url: str) -> Iterator[tuple[Server, App]]:
    """`naptest` served with pool_size 3, its pool emptied, anonymous allowed to nap."""
    boot_modules(database_url, ["tests.graphql.napmodule"]).close()  # installs the tables
    app = boot(database=database_url, modules=["tests.graphql.napmodule"], lifecycle="reload",
               options={"module_online": "never"}, pool_size=POOL_SIZE)
    grant_module(app, "naptest")
    server = Server(app.asgi)
    app.engine.dispose()  # from here on, every connection is opened under our eyes
    yield server, app
    server.stop()


def test_pool_size_bounds_the_connections_of_concurrent_slow_requests(
        napping: tuple[Server, App], backend: str) -> None:
    server, app = napping
    # pool_size applies to PostgreSQL and MySQL (config.py); SQLite keeps SQLAlchemy's 5
    kept = app.engine.pool.size()  # type: ignore[attr-defined]
    assert kept == (5 if backend == "sqlite" else POOL_SIZE)
    count = ConnectionCount(app.engine)
    with httpx.Client(base_url=server.url, timeout=60) as client, \
            ThreadPoolExecutor(REQUESTS) as pool:
        responses = list(pool.map(lambda _: client.post("/graphql", json={"query": NAP_QUERY}),
                                  range(REQUESTS)))
    assert [r.status_code for r in responses] == [200] * REQUESTS
    assert all(r.json() == {"data": {"napQuery": {"nap": 0}},
                            "extensions": {"success": True, "messages": []}}
               for r in responses), responses[0].text
    assert count.peak_lent == kept      # the requests did run side by side...
    assert count.peak_open <= kept      # ...on no more connections than the pool keeps
