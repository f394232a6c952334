"""Each hardening limit over HTTP: depth, aliases, tokens, body size, introspection, GraphiQL,
no field suggestions, no stack traces; GET runs queries and refuses mutations."""
from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from graphql import get_introspection_query

from modelry.boot import App
from tests.graphql.conftest import Server, boot_demo

STRICT = {"max_depth": 4, "max_aliases": 3, "max_tokens": 200, "max_body_bytes": 4000,
          "introspection": False, "graphiql": False}


@pytest.fixture
def server(module_sample_server: Server) -> Server:
    """Every test here only reads: the sample data (5 shops) is loaded once."""
    return module_sample_server


@pytest.fixture
def sample_server(module_sample_server: Server) -> Server:
    return module_sample_server


@pytest.fixture(scope="module")
def strict_app(database_url: str, demo_app: App) -> Iterator[App]:
    """A second app on the same database, served with tight limits and switches off."""
    app = boot_demo(database_url, empty=False, **STRICT)
    yield app
    app.close()


@pytest.fixture(scope="module")
def strict_server(strict_app: App) -> Iterator[Server]:
    server = Server(strict_app.asgi)
    yield server
    server.stop()


@pytest.fixture
def strict(module_sample_server: Server, strict_server: Server) -> Server:
    """The strict server, on the module's sample data (granted by `module_sample_server`)."""
    return strict_server


def nested(depth: int) -> str:
    """A query whose fields nest `depth` deep (owner → shops → owner → ...)."""
    path = ["petShopQuery", "queryListByWrapper"]
    while len(path) < depth - 1:
        path.append("owner" if len(path) % 2 == 0 else "shops")
    leaf = "id" if len(path) > 2 else "code"
    return "{ " + " { ".join(path) + " { " + leaf + " }" * len(path) + " }"


def test_depth_limit(strict: Server, server: Server) -> None:
    assert len(strict.gql(nested(4)).ok()["petShopQuery"]["queryListByWrapper"]) == 5
    answer = strict.gql(nested(5))
    assert answer.status == 200 and answer.data is None and answer.success is False
    assert answer.codes == ["DEPTH_LIMIT"]
    assert answer.messages[0]["code"] == "DEPTH_LIMIT"
    assert "limit 4" in answer.errors[0]["message"]
    # fragments count where they are spread
    spread = strict.gql("query { petShopQuery { queryListByWrapper { ...Deep } } } "
                        "fragment Deep on PetShop { owner { shops { id } } }")
    assert spread.codes == ["DEPTH_LIMIT"]
    # the default limit is 12
    assert len(server.gql(nested(12)).ok()["petShopQuery"]["queryListByWrapper"]) == 5
    assert server.gql(nested(13)).codes == ["DEPTH_LIMIT"]


def test_alias_limit(strict: Server, server: Server) -> None:
    three = "{ petShopQuery { a: countByWrapper b: countByWrapper c: countByWrapper } }"
    assert strict.gql(three).ok() == {"petShopQuery": {"a": 5, "b": 5, "c": 5}}
    four = three.replace("c: countByWrapper", "c: countByWrapper d: countByWrapper")
    answer = strict.gql(four)
    assert answer.data is None and answer.codes == ["ALIAS_LIMIT"]
    # aliases inside a fragment count at each spread
    fragment = strict.gql("{ petShopQuery { ...Two } x: petShopQuery { ...Two } } "
                          "fragment Two on PetShopQuery { a: countByWrapper b: countByWrapper }")
    assert fragment.codes == ["ALIAS_LIMIT"]
    many = " ".join(f"a{i}: countByWrapper" for i in range(31))
    assert server.gql("{ petShopQuery { " + many + " } }").codes == ["ALIAS_LIMIT"]
    thirty = " ".join(f"a{i}: countByWrapper" for i in range(30))
    assert len(server.gql("{ petShopQuery { " + thirty + " } }").ok()["petShopQuery"]) == 30


def test_fragments_spread_twice_are_measured_quickly(server: Server) -> None:
    """Fragments that each spread the next one twice stand for 2^n selections."""
    fragments = "".join(f"fragment F{i} on PetShopQuery {{ ...F{i + 1} ...F{i + 1} }} "
                        for i in range(60))
    document = "{ petShopQuery { ...F0 } } " + fragments + \
        "fragment F60 on PetShopQuery { n: countByWrapper }"
    answer = server.gql(document)          # would not finish if every path were walked
    assert answer.codes == ["ALIAS_LIMIT"]
    without_alias = server.gql(document.replace("n: countByWrapper", "countByWrapper"))
    assert without_alias.ok() == {"petShopQuery": {"countByWrapper": 5}}


def test_token_limit(strict: Server, server: Server) -> None:
    answer = strict.gql("{ petShopQuery { " + "countByWrapper " * 250 + "} }")
    assert answer.data is None and answer.codes == ["TOKEN_LIMIT"]
    assert "200 tokens" in answer.errors[0]["message"]
    big = server.gql("{ petShopQuery { " + "countByWrapper " * 5000 + "} }")
    assert big.codes == ["TOKEN_LIMIT"]


def test_body_size_limit(strict: Server) -> None:
    padding = " " * 5000
    declared = strict.post(json.dumps({"query": "{ petShopQuery { countByWrapper } }" + padding}))
    assert declared.status == 413
    assert declared.codes == ["BODY_TOO_LARGE"] and declared.success is False

    def chunks() -> Iterator[bytes]:      # no Content-Length: the server counts as it reads
        yield b'{"query": "{ petShopQuery { countByWrapper } }'
        for _ in range(10):
            yield b" " * 1000
        yield b'"}'

    streamed = strict.client.post("/graphql", content=chunks(),
                                  headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    assert streamed.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"
    small = strict.post(json.dumps({"query": "{ petShopQuery { countByWrapper } }"}))
    assert small.ok() == {"petShopQuery": {"countByWrapper": 5}}


def test_introspection_switched_off(strict: Server, server: Server) -> None:
    for query in ("{ __schema { types { name } } }", '{ __type(name: "PetShop") { name } }',
                  "{ petShopQuery { countByWrapper } __schema { queryType { name } } }"):
        answer = strict.gql(query)
        assert answer.data is None and answer.success is False
        assert set(answer.codes) == {"GRAPHQL_VALIDATION"}
        assert "introspection" in answer.errors[0]["message"].lower()
        assert "PetShop" not in json.dumps(answer.body).replace('"PetShop"', "")
    typename = strict.gql("{ __typename petShopQuery { __typename } }").ok()
    assert typename == {"__typename": "Query", "petShopQuery": {"__typename": "PetShopQuery"}}
    on = server.gql('{ __type(name: "PetShop") { name fields { name } } }').ok()
    assert "taxRate" in [f["name"] for f in on["__type"]["fields"]]


def test_the_standard_introspection_query_works_when_on(server: Server) -> None:
    """GraphiQL and schema tools send this query; it nests deeper than max_depth (12)."""
    answer = server.gql(get_introspection_query(descriptions=True))
    schema = answer.ok()["__schema"]
    names = {t["name"] for t in schema["types"]}
    assert {"PetShop", "PetShopInput", "PetShopPage", "ShopStatus", "Long"} <= names
    assert schema["queryType"]["name"] == "Query"
    # introspection is bounded by its own rule instead: lists of fields nested 3+ deep
    abuse = server.gql('{ __type(name: "PetShop") { fields { type { fields { type { fields '
                       '{ type { fields { name } } } } } } } } }')
    assert abuse.data is None and set(abuse.codes) == {"GRAPHQL_VALIDATION"}
    assert "introspection depth" in abuse.errors[0]["message"].lower()


def test_graphiql_switched_off(strict: Server, server: Server) -> None:
    off = strict.client.get("/graphql")
    assert off.status_code == 405
    assert off.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    on = server.client.get("/graphql", headers={"accept": "text/html"})
    assert on.status_code == 200
    assert on.headers["content-type"].startswith("text/html")
    assert "graphiql" in on.text.lower()


@pytest.mark.parametrize("query", [
    "{ petShopQuery { queryPag { size } } }",
    "{ petShopQuery { queryPage { content { nam } } } }",
    "{ petShopQuery { queryPage(pag: {size: 1}) { size } } }",
    "query($d: PetShopInpt) { petShopQuery { queryOne(query: $d) { id } } }",
    "{ petShopQuery { queryOne(query: {status: OPN}) { id } } }",
    "{ petShopQuery { queryOne(query: {stats: OPEN}) { id } } }",
    "{ petShopQuer { countByWrapper } }",
    "mutation { petShopMutation { creat(data: {name: \"x\"}) { id } } }",
])
def test_no_field_suggestions(strict: Server, server: Server, query: str) -> None:
    for target in (server, strict):
        answer = target.gql(query)
        assert answer.data is None and answer.codes == ["GRAPHQL_VALIDATION"]
        text = json.dumps(answer.body)
        assert "Did you mean" not in text and "did you mean" not in text


def test_no_suggestions_for_variables_either(server: Server) -> None:
    answer = server.gql("query($s: ShopStatus) { petShopQuery { queryOne(query: {status: $s}) "
                        "{ id } } }", {"s": "OPN"})
    assert answer.data is None and answer.codes == ["BAD_VARIABLES"]
    assert "OPN" in answer.errors[0]["message"]
    assert "Did you mean" not in json.dumps(answer.body)


def test_get_runs_queries(sample_server: Server) -> None:
    response = sample_server.client.get("/graphql", params={
        "query": "query($r: String) { petShopQuery { countByWrapper(queryWrapper: {rsql: $r}) } }",
        "variables": json.dumps({"r": "status==CLOSED"})})
    assert response.status_code == 200
    assert response.json() == {"data": {"petShopQuery": {"countByWrapper": 2}},
                               "extensions": {"success": True, "messages": []}}
    assert int(response.headers["x-sql-statements"]) >= 1
    named = sample_server.client.get("/graphql", params={
        "query": "query A { petShopQuery { countByWrapper } } query B { __typename }",
        "operationName": "B"})
    assert named.json()["data"] == {"__typename": "Query"}


def test_get_refuses_mutations(sample_server: Server) -> None:
    response = sample_server.client.get("/graphql", params={
        "query": 'mutation { petShopMutation { create(data: {name: "Via GET"}) { id } } }'})
    assert response.status_code == 405
    body = response.json()
    assert body["data"] is None and body["extensions"]["success"] is False
    assert body["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    count = sample_server.gql('{ petShopQuery { countByWrapper(queryWrapper: '
                              '{rsql: "name==\'Via GET\'"}) } }').ok()
    assert count["petShopQuery"]["countByWrapper"] == 0
    bad_variables = sample_server.client.get("/graphql", params={
        "query": "{ petShopQuery { countByWrapper } }", "variables": "{not json"})
    assert bad_variables.status_code == 400
    assert bad_variables.json()["errors"][0]["extensions"]["code"] == "BAD_JSON"


def test_health(server: Server) -> None:
    response = server.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "modules": ["base", "demo"]}


def test_no_stack_traces_anywhere(strict: Server, server: Server) -> None:
    """Odd requests of every kind; the client hook also checks every other test's responses."""
    odd: list[httpx.Response] = []
    for target in (server, strict):
        client = target.client
        as_json = {"content-type": "application/json"}
        odd += [
            client.post("/graphql", content=b"\xff\xfe\x00garbage", headers=as_json),
            client.post("/graphql", content=b'{"query": 12}', headers=as_json),
            client.post("/graphql", content=b'{"query": "{", "variables": []}', headers=as_json),
            client.post("/graphql", content=b'{"query": "{ __typename }"}'),  # no type: 415
            client.post("/graphql", json={"query": "{ petShopQuery { countByWrapper } }",
                                          "operationName": 5}),
            client.post("/graphql", json={"query": "query($x: Long!) { petShopQuery { "
                                                   "queryOne(query: {id: $x}) { id } } }"}),
            client.post("/graphql", json={"query": "query($x: Long!) { petShopQuery { "
                                                   "queryOne(query: {id: $x}) { id } } }",
                                          "variables": {"x": "1e400"}}),
            client.post("/graphql", json={"query": "{ petShopQuery { queryPage(page: {size: "
                                                   "99999999999}) { size } } }"}),
            client.post("/graphql", json={"query": "subscription { petShopQuery { id } }"}),
            client.post("/graphql", json={"query": '{ petShopQuery { countByWrapper('
                                                   'queryWrapper: {rsql: "' + "(" * 500 + '"}) }'
                                                   ' }'}),
            client.get("/graphql", params={"query": "{"}),
            client.get("/nowhere"),
        ]
    for response in odd:
        assert response.status_code < 500, response.text
        assert "Traceback" not in response.text and 'File "' not in response.text


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_other_methods_get_the_protocol_envelope(server: Server, method: str) -> None:
    response = server.client.request(method, "/graphql", content=b'{"query": "{ __typename }"}')
    assert response.status_code == 405 and response.headers["allow"] == "GET, POST"
    body = response.json()
    assert body["data"] is None and body["extensions"]["success"] is False
    assert body["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
