"""Helpers of the function and permission tests: a module-scoped boot and an in-process
GraphQL client that acts as a given identity."""
from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import orjson

from modelry.boot import App, boot
from modelry.core.graphql.context import GraphQLSettings
from modelry.core.graphql.executor import Executor
from modelry.core.security.identity import ANONYMOUS, Identity, acting
from tests.conftest import _empty_tables, _installed, drop_everything


def boot_modules(database_url: str, modules: Sequence[str]) -> App:
    """Boot `modules` on the test database with empty tables (as `make_app` does), for
    fixtures that live longer than one test; no role is granted anything."""
    app = boot(database=database_url, modules=list(modules), lifecycle="reload",
               options={"module_online": "never"})
    fingerprint = app.registry.fingerprint()
    if _installed.get(database_url) == fingerprint:
        _empty_tables(app)
        return app
    app.close()
    drop_everything(database_url)
    app = boot(database=database_url, modules=list(modules), lifecycle="install",
               options={"init_data": False})
    _installed[database_url] = fingerprint
    return app


class Answer:
    """One GraphQL response as a front end sees it."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    @property
    def data(self) -> Any:
        return self.body["data"]

    @property
    def errors(self) -> list[dict[str, Any]]:
        return self.body.get("errors") or []

    @property
    def codes(self) -> list[str]:
        """The codes of `errors[]`, in order."""
        return [e["extensions"]["code"] for e in self.errors]

    @property
    def error(self) -> dict[str, Any]:
        """The one error of a refused request."""
        assert len(self.errors) == 1, self.body
        assert self.body["extensions"]["success"] is False
        return self.errors[0]

    def ok(self) -> Any:
        """`data`, after checking the request succeeded."""
        assert "errors" not in self.body, self.body["errors"]
        assert self.body["extensions"]["success"] is True, self.body
        return self.body["data"]


class Client:
    """Sends GraphQL requests to an app in-process, as one identity (anonymous by default)."""

    def __init__(self, app: App, **settings: Any) -> None:
        self.app = app
        self.executor = Executor(app, GraphQLSettings(**settings))

    def gql(self, query: str, variables: dict[str, Any] | None = None,
            identity: Identity | None = None) -> Answer:
        """Answer `query` as `identity`."""
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        with acting(identity or ANONYMOUS) if identity is not None else \
                contextlib.nullcontext():
            # through JSON, as over HTTP: the compiled path may answer with JSON fragments
            return Answer(orjson.loads(orjson.dumps(self.executor.run(body).body)))
