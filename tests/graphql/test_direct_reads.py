"""Compiled reads answered in the event loop on PostgreSQL and MariaDB
(graphql/http/direct/): the same answers as a worker thread gives, and every case that
needs a worker thread gets one.

On SQLite no read is answered there (`direct_reads` is None) and the server answers as
before; the tests check that too."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from modelry.boot import App
from modelry.core.graphql import executor as executor_module
from modelry.core.security import tokens
from modelry.core.security.grants import grant_module
from modelry.core.security.passwords import hash_password
from tests.conftest import _installed
from tests.graphql.conftest import Server, boot_demo, load_sample

READS = {
    "by id": '{ petShopQuery { queryOne(query: {id: "1"}) { id name income owner { id name } '
             '} } }',
    "by filter": '{ petShopQuery { queryOne(query: {name: "Pet shop 2"}) { id code } } }',
    "missing": '{ petShopQuery { queryOne(query: {id: "999999"}) { id } } }',
    "page": '{ petItemQuery { queryPage(page: {currentPage: 2, size: 3, sort: {orders: '
            '[{field: "price", direction: DESC}]}}, queryWrapper: {rsql: "stock=ge=0"}) '
            '{ totalElements totalPages currentPage size content { id itemName price '
            'shop { name } } } } }',
    "nested lists": '{ petShopQuery { queryPage(page: {size: 5}) { content { name '
                    'items(size: 2) { itemName } tags { name } } } } }',
    "count and list": '{ petShopQuery { countByWrapper(queryWrapper: {rsql: "name=like=shop"}) '
                      '} petOwnerQuery { queryListByWrapper { name shops { code } } } }',
    "aliases": '{ a: petShopQuery { one: queryOne(query: {id: "2"}) { name } } '
               'b: petShopQuery { one: queryOne(query: {id: "3"}) { name } } }',
    "empty page": '{ petItemQuery { queryPage(queryWrapper: {rsql: "stock=lt=-1"}) '
                  '{ totalElements content { id } } } }',
}
VARIABLES = ("query($id: Long) { petShopQuery { queryOne(query: {id: $id}) { name } } }",
             {"id": "4"})
BAD_FILTER = '{ petItemQuery { queryPage(queryWrapper: {rsql: "nope==1"}) { content { id } } } }'
WRITE = 'mutation { petTagMutation { create(data: {name: "direct"}) { name } } }'


@pytest.fixture(scope="module")
def served(database_url: str) -> Iterator[tuple[App, Server]]:
    """The demo app with its sample data, served with its lifespan (as uvicorn runs it).
    The documents name shops by id (1 to 5): the tables are made anew, so that ids start
    at 1 whatever earlier tests inserted (emptied tables keep their id sequences)."""
    _installed.pop(database_url, None)
    app = boot_demo(database_url)
    load_sample(app)
    grant_module(app, "demo")
    server = Server(app.asgi)
    yield app, server
    server.stop()


def direct(app: App) -> Any:
    return app.asgi.state.direct_reads


def worker_thread(app: App, query: str, variables: dict[str, Any] | None = None,
                  authorization: str | None = None) -> Any:
    """The answer of the executor called in this thread (the worker-thread path), as the
    client decodes it."""
    body = orjson.dumps({"query": query, "variables": variables or {}})
    return orjson.loads(orjson.dumps(
        app.asgi.state.executor.run(body, authorization=authorization).body))


def answered(app: App) -> Callable[[], int]:
    """A counter of reads answered in the event loop from now on (0 where there are none)."""
    reads = direct(app)
    start = reads.answered if reads is not None else 0
    return lambda: (reads.answered if reads is not None else 0) - start


IN_EVENT_LOOP = ("postgresql", "mysql")


def test_sqlite_answers_in_worker_threads_only(served: tuple[App, Server],
                                               backend: str) -> None:
    app, server = served
    assert (direct(app) is not None) == (backend in IN_EVENT_LOOP)
    server.gql(READS["by id"]).ok()  # rights and the plan, read by a worker thread
    count = answered(app)
    answer, statements = server.gql_counted(READS["by id"])
    assert answer.ok()["petShopQuery"]["queryOne"]["name"] == "Pet shop 1"
    assert len(statements) == 1
    assert count() == (1 if backend in IN_EVENT_LOOP else 0)


@pytest.mark.parametrize("name", list(READS))
def test_the_event_loop_answers_as_a_worker_thread(served: tuple[App, Server], backend: str,
                                                   name: str) -> None:
    app, server = served
    server.gql(READS[name]).ok()
    count = answered(app)
    answer = server.gql(READS[name])
    assert answer.body == worker_thread(app, READS[name])
    assert count() == (1 if backend in IN_EVENT_LOOP else 0)


def test_variables_and_statement_counts(served: tuple[App, Server], backend: str) -> None:
    app, server = served
    query, variables = VARIABLES
    server.gql(query, variables).ok()
    count = answered(app)
    answer, statements = server.gql_counted(query, variables)
    assert answer.ok() == {"petShopQuery": {"queryOne": {"name": "Pet shop 4"}}}
    assert answer.body == worker_thread(app, query, variables)
    assert len(statements) == 1
    page, statements = server.gql_counted(READS["page"])
    assert len(statements) == 1  # the page, counting its matches (an unindexed sort)
    if backend == "postgresql":  # elsewhere the header counts BEGIN as well
        assert answer.headers["x-sql-statements"] == "1"
        assert page.headers["x-sql-statements"] == "1"
    assert count() == (2 if backend in IN_EVENT_LOOP else 0)


def test_errors_writes_and_bad_requests_go_to_a_worker_thread(
        served: tuple[App, Server]) -> None:
    app, server = served
    count = answered(app)
    refused = server.gql(BAD_FILTER)
    assert refused.codes and refused.data is None
    assert refused.body == worker_thread(app, BAD_FILTER)
    written = server.gql(WRITE).ok()
    assert written == {"petTagMutation": {"create": {"name": "direct"}}}
    assert server.post(b'{"query": ').status == 400
    assert server.gql("{ nope }").codes == ["GRAPHQL_VALIDATION"]
    assert count() == 0


def test_a_token_is_answered_once_its_identity_is_cached(served: tuple[App, Server],
                                                         backend: str) -> None:
    app, server = served
    with app.transaction():
        role = app.data.create(app.registry.model("base.Role").cls(code="dr", name="dr"))
        user = app.data.create(app.registry.model("base.User").cls(
            login="direct-reader", name="Reader", active=True, password=hash_password("x"),
            roles=[role.id]))
    grant_module(app, "demo", role="dr")
    token, _ = tokens.issue(app, user.id)
    headers = {"authorization": f"Bearer {token}"}
    body = orjson.dumps({"query": READS["by id"]})
    first = server.post(body, **headers)  # identity and rights: read by a worker thread
    count = answered(app)
    again = server.post(body, **headers)
    assert again.body == first.body == worker_thread(app, READS["by id"],
                                                     authorization=f"Bearer {token}")
    assert again.headers["x-sql-statements"] == ("2" if backend == "sqlite" else "1")
    assert count() == (1 if backend in IN_EVENT_LOOP else 0)
    assert server.post(body, authorization="Bearer forged").status == 401
    tokens.revoke(app, token)
    assert server.post(body, **headers).status == 401  # the cached identity is dropped


def test_a_revoked_right_is_not_served_from_the_event_loop(
        served: tuple[App, Server]) -> None:
    app, server = served
    query = '{ petBreedQuery { queryListByWrapper { name } } }'
    assert server.gql(query).ok()["petBreedQuery"]["queryListByWrapper"]
    server.gql(query).ok()
    access = app.registry.model("base.ModelAccess").cls
    with app.transaction():
        grant = access.query_one(model="demo.PetBreed", role=app.registry.model(
            "base.Role").cls.query_one(code="anonymous").id)
        grant.perm_read = False
        app.data.update_by_id(grant)
    try:
        assert server.gql(query).codes == ["ACCESS_DENIED"]
    finally:
        with app.transaction():
            grant.perm_read = True
            app.data.update_by_id(grant)
    assert server.gql(query).ok()["petBreedQuery"]["queryListByWrapper"]


def test_a_read_checks_its_own_apps_rights(served: tuple[App, Server],
                                           database_url: str) -> None:
    """With another app booted after it in the process (the default one), a read answered
    in the event loop still asks its own app's rights."""
    app, server = served
    other = boot_demo(database_url, empty=False)
    query = '{ petBreedQuery { queryListByWrapper { name } } }'
    body = orjson.dumps({"query": query})
    access = app.registry.model("base.ModelAccess").cls
    try:
        assert other.asgi.state.executor.run(body).body["extensions"]["success"]
        server.gql(query).ok()
        server.gql(query).ok()  # in the event loop, where it can be
        with app.transaction():
            grant = access.query_one(model="demo.PetBreed", role=app.registry.model(
                "base.Role").cls.query_one(code="anonymous").id)
            grant.perm_read = False
            app.data.update_by_id(grant)  # `app` forgets its rights; `other` keeps them
        assert server.gql(query).codes == ["ACCESS_DENIED"]
    finally:
        with app.transaction():
            grant.perm_read = True
            app.data.update_by_id(grant)
        other.close()


def test_a_broken_connection_is_replaced(served: tuple[App, Server], backend: str) -> None:
    app, server = served
    if backend not in IN_EVENT_LOOP:
        assert direct(app) is None
        return
    reads = direct(app)
    for _ in range(3):
        server.gql(READS["by id"]).ok()
    idle = list(reads.connections.idle)
    assert idle, "the read left its connection in the pool"
    ids = [server_id(connection) for connection in idle]
    kill = "SELECT pg_terminate_backend(:id)" if backend == "postgresql" else "KILL :id"
    with app.engine.connect() as connection:  # as a server restart or a proxy would
        for killed in ids:
            connection.execute(sa.text(kill), {"id": killed})
    count = answered(app)
    expected = worker_thread(app, READS["by id"])
    for _ in range(len(ids) + 1):  # each broken connection fails one read, which a
        assert server.gql(READS["by id"]).body == expected  # worker thread answers
    assert count() >= 1  # a new connection answers again
    live = list(reads.connections.idle)
    assert live and not {server_id(c) for c in live} & set(ids)


def server_id(connection: Any) -> int:
    """The database server's id of an async driver's connection (asyncpg, asyncmy)."""
    if hasattr(connection, "get_server_pid"):
        return connection.get_server_pid()
    return connection.thread_id()


def test_a_request_left_to_a_worker_thread_is_read_once(
        served: tuple[App, Server], monkeypatch: pytest.MonkeyPatch) -> None:
    """The event loop hands what it parsed and checked to the worker thread."""
    app, server = served
    parsed: list[Any] = []
    real = executor_module.parse_request
    monkeypatch.setattr(executor_module, "parse_request",
                        lambda body: parsed.append(body) or real(body))
    checks: list[str] = []
    documents = app.asgi.state.executor.documents
    check = documents.__class__.check.__get__(documents)
    monkeypatch.setattr(documents, "check", lambda query: checks.append(query) or check(query))
    assert server.gql(WRITE.replace("direct", "once")).ok()
    assert len(parsed) == len(checks) == 1
