"""Fixtures of the GraphQL tests: the real server (uvicorn in a thread) and an HTTP client.

Every response any test receives is checked for stack traces and for INTERNAL_ERROR, and
every test fails when the server logged an unexpected error.
"""
from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from modelry.boot import App, boot
from modelry.core.security.grants import grant_module
from modelry.modules.demo.sample import load_sample_data
from tests import sql_capture
from tests.conftest import _empty_tables, _installed, drop_everything

TRACE_MARKS = ("Traceback", 'File "')


def no_stack_trace(response: httpx.Response) -> None:
    """httpx response hook: no response ever carries a stack trace or an internal error."""
    response.read()
    text = response.text
    for mark in TRACE_MARKS:
        assert mark not in text, f"stack trace in a response: {text[:2000]}"
    assert "INTERNAL_ERROR" not in text, f"internal error in a response: {text[:2000]}"


@dataclass
class Answer:
    """One GraphQL response as a front end sees it."""

    status: int
    body: Any
    headers: httpx.Headers

    @property
    def data(self) -> Any:
        return self.body["data"]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.body["extensions"]["messages"]

    @property
    def success(self) -> bool:
        return self.body["extensions"]["success"]

    @property
    def codes(self) -> list[str]:
        """The codes of `errors[]`, in order."""
        return [e["extensions"]["code"] for e in self.errors]

    def ok(self) -> Any:
        """`data`, after checking the request succeeded."""
        assert self.status == 200, self.body
        assert "errors" not in self.body, self.body["errors"]
        assert self.body["extensions"] == {"success": True, "messages": []}, self.body
        return self.body["data"]


class Server:
    """A running uvicorn server on 127.0.0.1 and an httpx client pointed at it."""

    def __init__(self, asgi: Any) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(asgi, host="127.0.0.1", port=port, log_config=None,
                                access_log=False, lifespan="on")
        self.uvicorn = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.uvicorn.run,
                                       kwargs={"sockets": [self.socket]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.uvicorn.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, \
                "the server did not start"
            time.sleep(0.01)
        self.client = httpx.Client(base_url=self.url, timeout=30,
                                   event_hooks={"response": [no_stack_trace]})

    def gql(self, query: str, variables: dict[str, Any] | None = None,
            **extra: Any) -> Answer:
        """POST a GraphQL request; `extra` adds top-level keys (operationName, ...)."""
        payload: dict[str, Any] = {"query": query, **extra}
        if variables is not None:
            payload["variables"] = variables
        return self.answer(self.client.post("/graphql", json=payload))

    def gql_counted(self, query: str, variables: dict[str, Any] | None = None
                    ) -> tuple[Answer, list[str]]:
        """`gql`, and the SQL statements the served app ran meanwhile, transaction control
        left out: those of its engine (seen by tests/sql_capture.py, not the
        X-SQL-Statements header) and those of reads answered in the event loop."""
        state = self.uvicorn.config.app.state
        engine = state.executor.app.engine
        with sql_capture.statements(engine) as seen, direct_statements(state) as direct:
            answer = self.gql(query, variables)
        return answer, list(seen) + direct

    def post(self, content: bytes | str, **headers: str) -> Answer:
        """POST a raw body to /graphql."""
        return self.answer(self.client.post(
            "/graphql", content=content,
            headers={"content-type": "application/json", **headers}))

    @staticmethod
    def answer(response: httpx.Response) -> Answer:
        return Answer(response.status_code, response.json(), response.headers)

    def stop(self) -> None:
        self.client.close()
        self.uvicorn.should_exit = True
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the server did not stop"
        self.socket.close()
        # its app is closed now (the lifespan did it): the schema's classes may go
        state = getattr(self.uvicorn.config.app, "state", None)
        executor = getattr(state, "executor", None)
        if executor is not None:
            executor.schema.namespace.close()


@contextlib.contextmanager
def direct_statements(state: Any) -> Iterator[list[str]]:
    """The SQL of the statements that reads answered in the event loop (http/direct/) run
    inside the block."""
    seen: list[str] = []
    direct = getattr(state, "direct_reads", None)
    if direct is None:
        yield seen
        return
    compile_once = direct.__class__.driver_statement.__get__(direct)

    def record(statement: Any) -> Any:
        compiled = compile_once(statement)
        if compiled is not None:
            seen.append(compiled.sql)
        return compiled
    direct.driver_statement = record
    try:
        yield seen
    finally:
        del direct.driver_statement


def compiled_outcomes(paths: list[Any]) -> list[Exception | None]:
    """What each run of these `CompiledPath`s (or `CompiledWrites`) ends with from now on:
    None when it answered, else its error. They fall back to general execution silently
    (also when a query has no plan), so a test comparing paths must check they ran and did
    not fail. A `CompiledPath`'s reads are seen in its `steps`, which both its `run` (in a
    worker thread) and a read answered in the event loop (http/direct/) drive; a read that
    fails in the event loop runs again in a worker thread, and is counted once, there."""
    outcomes: list[Exception | None] = []
    for compiled in paths:
        name = "steps" if hasattr(compiled, "steps") else "run"
        original = getattr(compiled.__class__, name).__get__(compiled)

        def spy(*args: Any, original: Any = original) -> Any:
            try:
                result = original(*args)
            except Exception as error:
                outcomes.append(error)
                raise
            outcomes.append(None)
            return result

        def spy_steps(*args: Any, original: Any = original) -> Any:
            try:
                result = yield from original(*args)
            except Exception as error:
                if args[-1] is not None:  # in the event loop (no connection) a failure
                    outcomes.append(error)  # sends the request to a worker thread: seen there
                raise
            outcomes.append(None)
            return result
        setattr(compiled, name, spy_steps if name == "steps" else spy)
    return outcomes


def boot_demo(database_url: str, empty: bool = True, **graphql: Any) -> App:
    """The demo module booted on the test database, tables empty (as `make_app` does it);
    `empty=False` leaves the rows of an app already booted there."""
    options = {"module_online": "never"}
    app = boot(database=database_url, modules=["demo"], lifecycle="reload", options=options)
    fingerprint = app.registry.fingerprint()
    # `database_url` recreates the database when pytest switches backends back and forth;
    # `_installed` may then remember tables that are gone.
    shops = app.registry.model("demo.PetShop").table
    if _installed.get(database_url) == fingerprint and sa.inspect(app.engine).has_table(shops):
        if empty:
            _empty_tables(app)
    else:
        app.close()
        drop_everything(database_url)
        app = boot(database=database_url, modules=["demo"], lifecycle="install",
                   options={"init_data": False})
        _installed[database_url] = fingerprint
    if graphql:
        app.settings.server = {**(app.settings.server or {}), "graphql": graphql}
    return app


def load_sample(app: App, shops: int = 5, items_per_shop: int = 4) -> None:
    """The demo's sample data: shops with items, 3 owners, 3 tags, 3 breeds, an award."""
    with app.transaction():
        load_sample_data(shops=shops, items_per_shop=items_per_shop)


@contextlib.contextmanager
def both_paths(database_url: str, shops: int, items_per_shop: int
               ) -> Iterator[dict[str, Server]]:
    """The demo with sample data, served by the compiled path (`compiled`) and by general
    execution (`general`), anonymous callers granted the demo module."""
    compiled = boot_demo(database_url)
    general = boot_demo(database_url, compiled=False)
    grant_module(compiled, "demo")
    load_sample(compiled, shops=shops, items_per_shop=items_per_shop)
    running = {"compiled": Server(compiled.asgi), "general": Server(general.asgi)}
    try:
        yield running
    finally:
        for server in running.values():
            server.stop()
        compiled.close()
        general.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    """`serve(app, **graphql_settings)` serves `app.asgi` (with those `GraphQLSettings`);
    anonymous callers may use the demo module, as with `modelry serve --demo`. The server
    closes the app when it stops (its lifespan does)."""
    servers: list[Server] = []

    def start(app: App, **graphql: Any) -> Server:
        if graphql:
            app.settings.server = {**(app.settings.server or {}), "graphql": graphql}
        grant_module(app, "demo")
        server = Server(app.asgi)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="module")
def demo_app(database_url: str) -> Iterator[App]:
    """The demo app, booted once per test module and database (schema building is slow)."""
    app = boot_demo(database_url)
    yield app
    app.close()


@pytest.fixture(scope="module")
def shared_server(demo_app: App) -> Iterator[Server]:
    """`demo_app` served with the default settings, for the whole module."""
    server = Server(demo_app.asgi)
    yield server
    server.stop()


@pytest.fixture
def server(demo_app: App, shared_server: Server) -> Server:
    """The demo app served with the default settings; its tables emptied for this test, and
    anonymous callers allowed everything on the demo module (as `modelry serve --demo`)."""
    _empty_tables(demo_app)
    grant_module(demo_app, "demo")
    return shared_server


@pytest.fixture
def sample_server(demo_app: App, server: Server) -> Server:
    """`server` with the sample data: 5 shops of 4 items, 3 owners, 3 tags, an award."""
    load_sample(demo_app)
    return server


@pytest.fixture(scope="module")
def module_server(demo_app: App, shared_server: Server) -> Server:
    """For modules whose tests write nothing: `server`, its tables emptied once per module."""
    _empty_tables(demo_app)
    grant_module(demo_app, "demo")
    return shared_server


@pytest.fixture(scope="module")
def module_sample_server(demo_app: App, module_server: Server) -> Server:
    """For modules whose tests only read: `sample_server`, the sample loaded once."""
    load_sample(demo_app)
    return module_server


@pytest.fixture(autouse=True)
def _no_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test when the server logged an unexpected (unhandled) error during it."""
    caplog.set_level(logging.ERROR, logger="modelry.graphql")
    yield
    unexpected = [r for r in caplog.records
                  if r.name == "modelry.graphql" and r.levelno >= logging.ERROR]
    assert not unexpected, [r.getMessage() for r in unexpected]
