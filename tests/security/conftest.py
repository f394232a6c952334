"""Fixtures of the security tests: users and roles on each database, a served app, a client.

The server is the GraphQL tests' (`tests.graphql.conftest.Server`, uvicorn in a thread);
requests here may carry an `Authorization` header.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from modelry.boot import App
from modelry.core.security.passwords import hash_password
from tests.graphql.conftest import Answer, Server


class AuthServer(Server):
    """The GraphQL tests' server, with requests that may carry a bearer token."""

    def gql_as(self, token: str | None, query: str, variables: dict[str, Any] | None = None,
               authorization: str | None = None) -> Answer:
        """POST `query` with `Authorization: Bearer <token>` (or the raw `authorization`)."""
        headers = {}
        if authorization is not None:
            headers["authorization"] = authorization
        elif token is not None:
            headers["authorization"] = f"Bearer {token}"
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        return self.answer(self.client.post("/graphql", json=payload, headers=headers))


@pytest.fixture
def serve() -> Iterator[Callable[[App], AuthServer]]:
    """`serve(app)` serves `app.asgi` until the test ends."""
    servers: list[AuthServer] = []

    def start(app: App) -> AuthServer:
        server = AuthServer(app.asgi)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(app: App, serve: Callable[[App], AuthServer]) -> AuthServer:
    """The demo app (empty tables) served."""
    return serve(app)


def make_role(app: App, code: str) -> int:
    """The id of role `code` (created when missing)."""
    with app.transaction():
        role = app.data.query_one("base.Role", filters={"code": code}) or app.data.create(
            app.registry.model("base.Role").cls(code=code, name=code))
    return role.id


_HASHES: dict[str, str] = {}  # plain password → its scrypt hash, made once per session


def hashed(password: str) -> str:
    """A scrypt hash of `password`, the same one each time: scrypt costs ~50 ms a call by
    design, and the suite makes over a thousand users (most with the password `secret`).
    Users sharing a password share a salt, which no test of these users looks at."""
    if password not in _HASHES:
        _HASHES[password] = hash_password(password)
    return _HASHES[password]


def make_user(app: App, login: str, password: str | None = "secret", *, admin: bool = False,
              active: bool = True, roles: tuple[int, ...] = ()) -> int:
    """Create a user through the data manager (password hashed here); its id."""
    user_class = app.registry.model("base.User").cls
    with app.transaction():
        user = app.data.create(user_class(
            login=login, name=login.title(), active=active, is_admin=admin,
            password=None if password is None else hashed(password), roles=list(roles)))
    return user.id


@pytest.fixture(autouse=True)
def _no_unexpected_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Fail a test when the server logged an unexpected (unhandled) error during it."""
    caplog.set_level(logging.ERROR, logger="modelry.graphql")
    yield
    unexpected = [r for r in caplog.records
                  if r.name == "modelry.graphql" and r.levelno >= logging.ERROR]
    assert not unexpected, [r.getMessage() for r in unexpected]
