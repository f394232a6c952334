"""Cross-site writes: POST bodies are read only as JSON, and GET never runs a mutation.

A web page can make its visitor's browser POST `text/plain`, form or multipart bodies to
any site without a CORS preflight; were they read as JSON, any page could send mutations
in the visitor's name. So the server answers 415 to those, and 405 to a mutation by GET.
"""
from __future__ import annotations

import json

import pytest

from modelry.boot import App
from tests.conftest import _empty_tables
from tests.graphql.conftest import Answer, Server

CREATE = 'mutation { petShopMutation { create(data: {name: "Cross-site"}) { id } } }'
BODY = json.dumps({"query": CREATE})


@pytest.fixture
def server(module_server: Server) -> Server:
    """Every test here checks that nothing was written, so the tables are emptied once."""
    return module_server


def nothing_written(server: Server) -> None:
    count = server.gql("{ petShopQuery { countByWrapper } }").ok()
    assert count == {"petShopQuery": {"countByWrapper": 0}}


def refused(answer: Answer, status: int, code: str) -> None:
    """HTTP `status` with the protocol envelope: no data, one error and one message `code`."""
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == "application/json"
    assert answer.data is None and answer.success is False
    assert answer.codes == [code]
    [message] = answer.messages
    assert message["code"] == code and message["level"] == "ERROR" and message["message"]


def post(server: Server, content: bytes | str, headers: dict[str, str]) -> Answer:
    return server.answer(server.client.post("/graphql", content=content, headers=headers))


@pytest.mark.parametrize("content_type", [
    "text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x", "application/graphql", "text/json",
    "application/jsonp", "application/json-patch+json", "*/*", "",
])
def test_a_post_that_is_not_json_is_refused_with_415(server: Server, content_type: str) -> None:
    refused(post(server, BODY, {"content-type": content_type}), 415, "UNSUPPORTED_MEDIA_TYPE")
    nothing_written(server)


def test_a_post_without_a_content_type_is_refused_with_415(server: Server) -> None:
    request = server.client.build_request("POST", "/graphql", content=BODY.encode())
    assert "content-type" not in request.headers
    refused(server.answer(server.client.send(request)), 415, "UNSUPPORTED_MEDIA_TYPE")
    nothing_written(server)


def test_a_charset_other_than_utf8_is_refused(server: Server) -> None:
    answer = post(server, BODY, {"content-type": "application/json; charset=iso-8859-1"})
    refused(answer, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert "iso-8859-1" in answer.errors[0]["message"]
    nothing_written(server)


def test_a_form_post_from_a_browser_is_refused(server: Server) -> None:
    """What an HTML `<form method=post>` sends, with the JSON hidden in a field name."""
    answer = server.answer(server.client.post("/graphql", data={BODY: ""}))
    refused(answer, 415, "UNSUPPORTED_MEDIA_TYPE")
    nothing_written(server)


@pytest.mark.parametrize("content_type", [
    "application/json", "application/json; charset=utf-8", 'Application/JSON;charset="UTF-8"',
    "application/json ; charset=utf8", "application/graphql-response+json",
    "application/graphql-response+json; charset=utf-8",
])
def test_json_types_are_read(server: Server, content_type: str) -> None:
    query = json.dumps({"query": "{ petShopQuery { countByWrapper } }"})
    answer = post(server, query, {"content-type": content_type})
    assert answer.ok() == {"petShopQuery": {"countByWrapper": 0}}


def test_the_refusal_comes_before_the_body_is_read(server: Server) -> None:
    """A huge text/plain body is refused for its type, not read up to the size limit."""
    answer = post(server, b"x" * 2_000_000, {"content-type": "text/plain"})
    refused(answer, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize("params", [
    {"query": CREATE},
    {"query": "query Q { petShopQuery { countByWrapper } } " + CREATE.replace(
        "mutation {", "mutation M {"), "operationName": "M"},
    {"query": "mutation($n: String!) { petShopMutation { create(data: {name: $n}) { id } } }",
     "variables": json.dumps({"n": "Cross-site"})},
], ids=["literal", "named in a document of two", "with variables"])
def test_get_never_runs_a_mutation(server: Server, params: dict[str, str]) -> None:
    response = server.client.get("/graphql", params=params)
    refused(server.answer(response), 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, POST"
    nothing_written(server)


def test_get_refuses_a_mutation_the_server_has_seen_by_post(demo_app: App, server: Server
                                                           ) -> None:
    """The cached document (and its template of literals) still knows it is a mutation."""
    posted = server.gql(CREATE.replace("Cross-site", "By POST")).ok()
    assert posted["petShopMutation"]["create"]["id"]
    for name in ("By POST", "Another name"):  # same text, then same shape
        response = server.client.get("/graphql", params={"query": CREATE.replace(
            "Cross-site", name)})
        refused(server.answer(response), 405, "METHOD_NOT_ALLOWED")
    names = server.gql("{ petShopQuery { queryListByWrapper { name } } }").ok()
    assert names == {"petShopQuery": {"queryListByWrapper": [{"name": "By POST"}]}}
    _empty_tables(demo_app)  # for the tests that check nothing was written
