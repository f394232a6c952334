"""Module HTTP endpoints: served at /api/<module><path> with path parameters, query, headers
and body; a dict answers JSON; writes go through functions; a ModelryError is a 400 with
its code, anything else a 500 without its detail; large bodies are refused; a route
declared twice or a bad declaration is refused at boot or import."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from modelry import DeclarationError, HttpRequest, endpoint
from modelry.boot import App
from tests.functions.helpers import boot_modules

HOOKTEST = "tests.http.hookmodule"


@pytest.fixture(scope="module")
def client(database_url: str) -> Iterator[TestClient]:
    app: App = boot_modules(database_url, [HOOKTEST])
    with TestClient(app.asgi) as served:
        yield served


def test_an_endpoint_sees_the_request_and_acts_for_no_user(client: TestClient) -> None:
    answer = client.post("/api/hooktest/echo/ann?x=1", content=b"hello",
                         headers={"X-Signature": "abc"})
    assert answer.status_code == 201
    assert answer.json() == {"method": "POST", "name": "ann", "query": {"x": "1"},
                             "body": "hello", "signature": "abc", "user": None}
    assert client.get("/api/hooktest/echo/bob").json()["method"] == "GET"


def test_a_dict_answers_json_and_writes_go_through_functions(client: TestClient) -> None:
    kept = client.post("/api/hooktest/notes", json={"text": "first"})
    assert kept.status_code == 200 and kept.json()["text"] == "first"
    again = client.post("/api/hooktest/notes", json={"text": "first"})
    assert (again.status_code, again.json()["code"]) == (400, "UNIQUE_VIOLATION")
    bad = client.post("/api/hooktest/notes", content=b"{not json")
    assert (bad.status_code, bad.json()["code"]) == (400, "BAD_REQUEST")


def test_refusals_keep_their_code_and_crashes_tell_nothing(client: TestClient) -> None:
    refused = client.put("/api/hooktest/refuse")
    assert (refused.status_code, refused.json()) == (400, {
        "code": "REFUSED", "message": "hooktest.Note: refused on purpose"})
    crashed = client.delete("/api/hooktest/crash")
    assert crashed.status_code == 500 and "secret" not in crashed.text
    assert crashed.json()["code"] == "INTERNAL_ERROR"
    large = client.request("DELETE", "/api/hooktest/crash", content=b"x" * 11)
    assert (large.status_code, large.json()["code"]) == (413, "BODY_TOO_LARGE")
    assert client.get("/api/hooktest/notes").status_code == 405
    assert client.post("/api/hooktest/nothing").status_code == 404


@pytest.mark.parametrize(("path", "methods", "words"), [
    ("notes", ("POST",), "starts with '/'"), ("/a", ("TRACE",), "methods are some of"),
    ("/a/../b", ("GET",), "starts with '/'")])
def test_bad_declarations_are_refused(path: str, methods: tuple[str, ...],
                                      words: str) -> None:
    with pytest.raises(DeclarationError) as refused:
        @endpoint(path, methods=methods)
        def handler(request: HttpRequest) -> None: ...
    assert words in str(refused.value)


def test_an_endpoint_takes_one_argument() -> None:
    with pytest.raises(DeclarationError, match="one argument"):
        @endpoint("/two")
        def handler(request: HttpRequest, extra: int) -> None: ...
