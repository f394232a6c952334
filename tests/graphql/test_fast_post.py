"""`POST /graphql` in plain ASGI (http/fast_post.py) answers as the Starlette route does."""
from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from modelry.boot import App
from modelry.core.graphql.http.fast_post import FastPost

QUERY = b'{"query": "{ petShopQuery { countByWrapper } }"}'
REQUESTS: dict[str, tuple[bytes, dict[str, str]]] = {
    "a query": (QUERY, {"content-type": "application/json"}),
    "a write": (b'{"query": "mutation { petTagMutation { create(data: {name: \\"x\\"}) '
                b'{ name } } }"}', {"content-type": "application/json; charset=utf-8"}),
    "no content type": (QUERY, {}),
    "a form": (QUERY, {"content-type": "application/x-www-form-urlencoded"}),
    "bad JSON": (b'{"query": ', {"content-type": "application/json"}),
    "too large": (b" " * 1_000_000 + QUERY, {"content-type": "application/json"}),
    "a forged token": (QUERY, {"content-type": "application/json",
                               "authorization": "Bearer forged"}),
    "GraphQL errors": (b'{"query": "{ nope }"}', {"content-type": "application/json"}),
}


@pytest.fixture(scope="module")
def clients(demo_app: App) -> tuple[TestClient, TestClient]:
    """(the whole app, its Starlette app alone) over the same executor."""
    outer = demo_app.asgi
    fast = outer.inner
    assert isinstance(fast, FastPost)
    return TestClient(outer), TestClient(fast.inner)


def answer(client: TestClient, body: bytes, headers: dict[str, str]) -> tuple[Any, ...]:
    response = client.post("/graphql", content=body, headers=headers)
    return (response.status_code, response.json(), response.headers.get("content-type"),
            response.headers.get("x-sql-statements"),
            response.headers.get("content-length") == str(len(response.content)))


@pytest.mark.parametrize("name", list(REQUESTS))
def test_the_fast_path_answers_as_starlette(clients: tuple[TestClient, TestClient],
                                            name: str) -> None:
    body, headers = REQUESTS[name]
    answer(clients[0], body, headers)  # the caller's rights are read (and cached) once
    starlette, fast = (answer(client, body, headers) for client in reversed(clients))
    assert fast == starlette
    assert fast[2] == "application/json" and fast[4]


def test_other_requests_still_reach_starlette(clients: tuple[TestClient, TestClient]) -> None:
    client = clients[0]
    assert client.get("/health").json()["status"] == "ok"
    refused = client.put("/graphql", content=QUERY)
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, POST"
    posted = client.post("/graphql", content=QUERY, headers={"content-type": "application/json"})
    got = client.get("/graphql", params={"query": "{ petShopQuery { countByWrapper } }"})
    assert got.json() == posted.json() and "petShopQuery" in str(got.json())
