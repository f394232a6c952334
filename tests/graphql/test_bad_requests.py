"""Malformed requests and wrong types: a clear error with a code, and nothing written."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.graphql.conftest import Answer, Server

@pytest.fixture
def server(module_server: Server) -> Server:
    """Every test here checks that nothing was written, so the tables are emptied once."""
    return module_server


CREATE = """mutation($data: PetShopInput!) { petShopMutation { create(data: $data) { id } } }"""


def nothing_written(server: Server) -> None:
    counts = server.gql("{ petShopQuery { countByWrapper } petOwnerQuery { countByWrapper } "
                        "petItemQuery { countByWrapper } }").ok()
    assert {k: v["countByWrapper"] for k, v in counts.items()} == {
        "petShopQuery": 0, "petOwnerQuery": 0, "petItemQuery": 0}


def refused(answer: Answer, status: int, code: str) -> None:
    """A protocol refusal: HTTP `status`, the envelope, one error and one message with `code`."""
    assert answer.status == status, answer.body
    assert answer.data is None
    assert answer.success is False
    assert answer.codes == [code]
    [message] = answer.messages
    assert message["code"] == code and message["level"] == "ERROR" and message["message"]


@pytest.mark.parametrize(("body", "code"), [
    (b'{"query": "mutation { petShopMutation { create(data: {name: \\"x\\"}) { id } } }"',
     "BAD_JSON"),
    (b"not json at all", "BAD_JSON"),
    (b"", "BAD_JSON"),
    (b"\xff\xfe\xfd", "BAD_JSON"),
    (b'[{"query": "{ petShopQuery { countByWrapper } }"}]', "BAD_REQUEST"),
    (b'"{ petShopQuery { countByWrapper } }"', "BAD_REQUEST"),
    (b"42", "BAD_REQUEST"),
    (b"null", "BAD_REQUEST"),
    (b"{}", "BAD_REQUEST"),
    (b'{"query": ""}', "BAD_REQUEST"),
    (b'{"query": "   "}', "BAD_REQUEST"),
    (b'{"query": 7}', "BAD_REQUEST"),
    (b'{"query": ["{ petShopQuery { countByWrapper } }"]}', "BAD_REQUEST"),
    (b'{"variables": {"data": {"name": "x"}}}', "BAD_REQUEST"),
    (b'{"query": "mutation { petShopMutation { create(data: {name: \\"x\\"}) { id } } }", '
     b'"variables": [1, 2]}', "BAD_REQUEST"),
    (b'{"query": "mutation { petShopMutation { create(data: {name: \\"x\\"}) { id } } }", '
     b'"variables": "{}"}', "BAD_REQUEST"),
    (b'{"query": "mutation { petShopMutation { create(data: {name: \\"x\\"}) { id } } }", '
     b'"operationName": ["x"]}', "BAD_REQUEST"),
], ids=["truncated", "text", "empty", "binary", "array", "string", "number", "null",
        "no query", "empty query", "blank query", "query a number", "query a list",
        "variables only", "variables a list", "variables a string", "operationName a list"])
def test_malformed_bodies_are_http_400(server: Server, body: bytes, code: str) -> None:
    refused(server.post(body), 400, code)
    nothing_written(server)


@pytest.mark.parametrize(("data", "where"), [
    ({"name": "x", "employees": "many"}, "employees"),
    ({"name": "x", "employees": 2 ** 31}, "employees"),
    ({"name": "x", "employees": 1.5}, "employees"),
    ({"name": "x", "visits": "abc"}, "visits"),
    ({"name": "x", "visits": True}, "visits"),
    ({"name": "x", "visits": "9223372036854775808"}, "visits"),    # 2**63: not 64-bit
    ({"name": "x", "ownerId": "-9223372036854775809"}, "ownerId"),
    ({"name": "x", "income": "ten"}, "income"),
    ({"name": "x", "income": "NaN"}, "income"),
    ({"name": "x", "income": "Infinity"}, "income"),
    ({"name": "x", "rating": "high"}, "rating"),
    ({"name": "x", "isOpen": "yes"}, "isOpen"),
    ({"name": "x", "openedOn": "2024-02-30"}, "openedOn"),
    ({"name": "x", "lastVisit": "yesterday"}, "lastVisit"),
    ({"name": "x", "lastVisit": "0001-01-01T00:00:00+05:00"}, "lastVisit"),  # before UTC year 1
    ({"name": "x", "opensAt": "25:00"}, "opensAt"),
    ({"name": "x", "status": "open"}, "status"),
    ({"name": "x", "logo": "not base64!"}, "logo"),
    ({"name": "x", "ownerId": "Ann"}, "ownerId"),
    ({"name": "x", "owner": "Ann"}, "owner"),
    ({"name": "x", "items": ["not an object"]}, "items"),
    ({"name": "x", "tags": [{"name": "t", "colour": "red"}]}, "colour"),
    ({"name": 12}, "name"),
    ({"nme": "typo"}, "nme"),
    ("a string", "data"),
    (None, "data"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_variables_of_the_wrong_type(server: Server, data: Any, where: str) -> None:
    answer = server.gql(CREATE, {"data": data})
    assert answer.status == 200
    assert answer.data is None and answer.success is False
    assert answer.codes == ["BAD_VARIABLES"]
    assert answer.errors[0]["message"].startswith("Variable '$data'")
    assert where in answer.errors[0]["message"]
    assert answer.messages[0]["code"] == "BAD_VARIABLES"
    nothing_written(server)


def test_a_missing_required_variable(server: Server) -> None:
    answer = server.gql(CREATE)
    assert answer.data is None and answer.codes == ["BAD_VARIABLES"]
    assert "$data" in answer.errors[0]["message"]
    undeclared = server.gql(CREATE.replace("($data: PetShopInput!)", ""), {"data": {}})
    assert undeclared.codes == ["GRAPHQL_VALIDATION"]
    nothing_written(server)


@pytest.mark.parametrize("document", [
    'mutation { petShopMutation { create(data: {name: "x", employees: "many"}) { id } } }',
    'mutation { petShopMutation { create(data: {name: "x", visits: abc}) { id } } }',
    'mutation { petShopMutation { create(data: {name: "x", income: "ten"}) { id } } }',
    'mutation { petShopMutation { create(data: {name: "x", isOpen: "true"}) { id } } }',
    'mutation { petShopMutation { create(data: {name: "x", status: "OPEN"}) { id } } }',
    'mutation { petShopMutation { create(data: {name: "x", openedOn: "soon"}) { id } } }',
    'mutation { petShopMutation { create(data: [{name: "x"}]) { id } } }',
    'mutation { petShopMutation { create { id } } }',
    'mutation { petShopMutation { create(data: {name: "x"}) } }',
    'mutation { petShopMutation { delete(dataList: [{id: "1"}, 2]) { id } } }',
    '{ petShopQuery { queryPage(page: {size: "ten"}) { size } } }',
    '{ petShopQuery { queryPage(page: {currentPage: 1.5}) { size } } }',
    '{ petShopQuery { countByWrapper(queryWrapper: {rsql: 5}) } }',
    '{ petShopQuery { queryPage(queryWrapper: "code==S001") { size } } }',
    '{ petShopQuery { queryListByWrapper { items(size: "2") { id } } } }',
    'query($x: Int) { petShopQuery { queryOne(query: {id: $x}) { id } } }',
    '{ petShopQuery { queryOne(query: {id: "99999999999999999999"}) { id } } }',
    'mutation { petShopMutation { update(data: {id: "99999999999999999999", optVersion: "0"}) '
    '{ id } } }',
])
def test_wrong_argument_types_in_the_document(server: Server, document: str) -> None:
    answer = server.gql(document)
    assert answer.status == 200
    assert answer.data is None and answer.success is False
    assert set(answer.codes) == {"GRAPHQL_VALIDATION"}
    for error in answer.errors:
        assert error["locations"][0]["line"] >= 1
    nothing_written(server)


@pytest.mark.parametrize("document", [
    "mutation { petShopMutation { create(data: {name: \"x\"}) { id } }",
    "{ petShopQuery { countByWrapper } } }",
    "query { petShopQuery { countByWrapper( } }",
    "{ petShopQuery { countByWrapper(queryWrapper: {rsql: \"unterminated}) } }",
])
def test_syntax_errors(server: Server, document: str) -> None:
    answer = server.gql(document)
    assert answer.status == 200
    assert answer.data is None and answer.codes == ["GRAPHQL_SYNTAX"]
    assert answer.errors[0]["message"].startswith("Syntax Error")
    assert answer.errors[0]["locations"][0]["column"] >= 1
    nothing_written(server)


def test_a_bad_value_inside_a_list_refuses_the_whole_request(server: Server) -> None:
    answer = server.gql(CREATE, {"data": {"name": "Shop", "items": [
        {"itemName": "fine", "stock": 1}, {"itemName": "bad", "stock": "lots"}]}})
    assert answer.codes == ["BAD_VARIABLES"]
    assert "items[1].stock" in answer.errors[0]["message"], answer.errors
    nothing_written(server)


def test_validation_errors_in_nested_records_write_nothing(server: Server) -> None:
    answer = server.gql(CREATE, {"data": {"name": "Shop", "owner": {"email": "x@y.z"},
                                          "items": [{"itemName": "ok"}, {"stock": 2}]}})
    assert answer.data is None and answer.success is False
    assert answer.messages and all(m["code"] for m in answer.messages)
    assert {m["model"] for m in answer.messages} <= {"demo.PetOwner", "demo.PetItem"}
    nothing_written(server)


def test_only_json_bodies_are_read(server: Server) -> None:
    """(test_http_media_types.py has the cases; a JSON body of another type is refused.)"""
    body = json.dumps({"query": "{ petShopQuery { countByWrapper } }"})
    as_text = server.answer(server.client.post("/graphql", content=body,
                                               headers={"content-type": "text/plain"}))
    refused(as_text, 415, "UNSUPPORTED_MEDIA_TYPE")
    form = server.answer(server.client.post("/graphql", data={"query": "{ __typename }"}))
    refused(form, 415, "UNSUPPORTED_MEDIA_TYPE")
