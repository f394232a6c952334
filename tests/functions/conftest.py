"""Fixtures of the function tests: the `fntest` module booted once per file and database,
anonymous callers granted everything it offers, and a clean trace for every test."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from modelry.boot import App
from modelry.core.security.grants import grant_module
from tests.functions.fnmodule import trace
from tests.functions.helpers import Client, boot_modules

FNTEST = "tests.functions.fnmodule"


@pytest.fixture(scope="module")
def booted(database_url: str) -> Iterator[App]:
    """`fntest` on the test database; anonymous may use all of it (as `serve --demo`)."""
    app = boot_modules(database_url, [FNTEST])
    grant_module(app, "fntest")
    yield app
    app.close()


@pytest.fixture(scope="module")
def booted_client(booted: App) -> Client:
    """One in-process GraphQL client for the file (building the schema is slow)."""
    return Client(booted)


@pytest.fixture
def fnapp(booted: App) -> Iterator[App]:
    """The booted app, active in this test, with no gadgets and an empty trace."""
    table = booted.data.table(booted.registry.model("fntest.Gadget"))
    with booted.engine.begin() as connection:
        connection.execute(table.delete())
    trace.reset()
    with booted.activate():
        yield booted
    trace.reset()


@pytest.fixture
def client(fnapp: App, booted_client: Client) -> Client:
    """The GraphQL client of `fnapp` (anonymous, every right on fntest)."""
    return booted_client
