"""ASGI apps served over real HTTP for tests: `serving` runs each in uvicorn in a daemon
thread on 127.0.0.1, on a port the system picks (`AsgiServer.url`). Their lifespan is not
run (a modelry app stays open: its test fixture closes it). A `Plug` lets one server serve
each test's app in turn."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


class AsgiServer:
    """`app` served at `url` until `stop_all` stops it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        # keep-alive outlasts a test: an idle connection is never closed as it is reused
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None,
                                log_level="warning", access_log=False, lifespan="off",
                                timeout_keep_alive=300)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, \
                "the server did not start"
            time.sleep(0.005)
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"


def stop_all(servers: list[AsgiServer]) -> None:
    """Stop `servers` together (uvicorn takes 0.1 - 0.2 s to stop each); requests still
    running finish first."""
    for served in servers:
        served.server.should_exit = True
    for served in servers:
        served.thread.join(timeout=15)
        assert not served.thread.is_alive(), "the server did not stop"


@contextmanager
def serving(*apps: Any) -> Iterator[list[AsgiServer]]:
    """Each of `apps` served for the duration of the block, in that order."""
    servers: list[AsgiServer] = []
    try:
        for app in apps:
            servers.append(AsgiServer(app))
        yield servers
    finally:
        stop_all(servers)


class Plug:
    """An ASGI app that hands each request to the app plugged into it: one server serves
    each test's app in turn (starting and stopping a server per test costs ~0.2 s)."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        assert self.app is not None, "no app is plugged in"
        await self.app(scope, receive, send)

    @contextmanager
    def plugged(self, app: Any) -> Iterator[None]:
        """Serve `app` for the duration of the block."""
        self.app = app
        try:
            yield
        finally:
            self.app = None
