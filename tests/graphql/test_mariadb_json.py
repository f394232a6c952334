"""The compiled path where MariaDB builds the JSON (compiled/mariadb_json.py) writes the
very bytes general execution writes, and falls back to it where MariaDB would cut a list.

The same documents run on every database: on PostgreSQL its own JSON path answers (equal
values, other spacing), on SQLite the row path.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from modelry.core.graphql.compiled.mariadb_json import MariaDbJson, lower_escapes
from modelry.core.security.grants import grant_module
from modelry.modules.demo.models import PetItem, PetOwner, PetShop, PetTag, ShopStatus
from tests.graphql.conftest import Server, boot_demo, compiled_outcomes

AWKWARD = "esc \x1b \x1f \x7f \u2028 😀 Å \\u001B \\\x1b \" ' end"
SHOP = """id name code income employees visits taxRate isOpen openedOn lastVisit status
          logo ownerId optVersion __typename"""
PAGE = """{ petShopQuery { queryPage(page: {size: 10}) { totalElements content { %s
    owner { id name email } items(size: 2) { itemName price shop { code } } none: items(size: 0)
    { id } tags { name color } } } } }""" % SHOP
LONG = "long " * 30_000  # 8 of them pass MariaDB's group_concat_max_len (1 MB)
ONE = '{ petShopQuery { queryOne(query: {code: "AWKWARD"}) { %s tags { name } } } }' % SHOP


def test_lower_escapes_writes_control_characters_as_orjson_does() -> None:
    assert lower_escapes('"a\\u001Bb"') == '"a\\u001bb"'
    assert lower_escapes('"\\\\u001B"') == '"\\\\u001B"'  # an escaped backslash, then text
    assert lower_escapes('"\\\\\\u001F"') == '"\\\\\\u001f"'
    assert lower_escapes('"\\u0001 plain"') == '"\\u0001 plain"'


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[dict[str, Server]]:
    general = boot_demo(database_url, compiled=False)
    in_database = boot_demo(database_url, empty=False)
    grant_module(general, "demo")
    with general.transaction():
        ann = PetOwner(name=AWKWARD, email="ann@x.org").create()
        red, = PetTag.create_batch([PetTag(name="red \t\n", color=None)])
        shops = [
            PetShop(name=AWKWARD, code="AWKWARD", income=Decimal("-0.0001"), employees=0,
                    visits=2 ** 63 - 1, tax_rate=Decimal("12.3400"), is_open=True,
                    opened_on=dt.date(999, 1, 2), last_visit=dt.datetime(2024, 2, 29, 0, 0, 0, 10),
                    status=ShopStatus.CLOSED, logo=bytes(range(256)), owner=ann, tags=[red]),
            PetShop(name="plain", code="PLAIN", income=None, tax_rate=None, is_open=False,
                    opened_on=None, last_visit=dt.datetime(2024, 1, 1, 12, 30), owner=None),
        ]
        shops[0].items = [PetItem(item_name=f"{AWKWARD} {i}", price=Decimal(i), stock=i)
                          for i in range(3)]
        for shop in shops:
            shop.create()
        long = PetOwner(name="long").create()
        PetShop.create_batch([PetShop(name=f"long {n}", owner=long, description=LONG)
                              for n in range(8)])
    running = {"general": Server(general.asgi), "in database": Server(in_database.asgi)}
    running["general"].long_owner = str(long.id)  # type: ignore[attr-defined]
    yield running
    for server in running.values():
        server.stop()
    general.close()
    in_database.close()


def raw(server: Server, query: str) -> bytes:
    """The response body as sent."""
    response = server.client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    return response.content


@pytest.mark.parametrize("query", [PAGE, ONE], ids=["page", "one"])
def test_the_same_bytes_as_general_execution(servers: dict[str, Server], backend: str,
                                             query: str) -> None:
    compiled = servers["in database"].uvicorn.config.app.state.executor.compiled
    outcomes = compiled_outcomes([compiled])
    answers = {path: raw(server, query) for path, server in servers.items()}
    assert outcomes == [None]
    assert isinstance(compiled.database_json, MariaDbJson) == (backend == "mysql")
    if backend == "postgresql":  # json_build_object writes `"id" : "1"`
        assert servers["general"].gql(query).ok() == servers["in database"].gql(query).ok()
    else:
        assert answers["in database"] == answers["general"]
    assert b"esc \\u001b \\u001f \x7f" in answers["general"]  # orjson's escapes
    assert servers["in database"].gql(query).ok()["petShopQuery"][
        "queryPage" if query is PAGE else "queryOne"] is not None


def test_a_list_longer_than_mariadb_aggregates_is_read_the_general_way(
        servers: dict[str, Server], backend: str) -> None:
    """JSON_ARRAYAGG stops at group_concat_max_len (1 MB by default) with a warning; the
    warning makes the call run the general way, which reads the whole list."""
    general, in_database = servers["general"], servers["in database"]
    query = """query($id: Long) { petOwnerQuery { queryOne(query: {id: $id}) { name
        shops { name description } } } }"""
    variables = {"id": general.long_owner}  # type: ignore[attr-defined]
    outcomes = compiled_outcomes([in_database.uvicorn.config.app.state.executor.compiled])
    answer = in_database.gql(query, variables).ok()
    assert answer == general.gql(query, variables).ok()
    assert [len(shop["description"]) for shop in answer["petOwnerQuery"]["queryOne"]["shops"]] \
        == [len(LONG)] * 8
    if backend == "mysql":
        assert len(outcomes) == 1 and "MariaDB warned" in str(outcomes[0])
    else:
        assert outcomes == [None]


def test_a_page_longer_than_mariadb_aggregates_is_read_a_record_per_row(
        servers: dict[str, Server], backend: str) -> None:
    """A page whose JSON passes group_concat_max_len is read again one record per row: the
    compiled path still answers, with one more statement."""
    general, in_database = servers["general"], servers["in database"]
    query = """{ petShopQuery { queryPage(page: {size: 100}, queryWrapper:
        {rsql: "name=like=long"}) { content { name description } } } }"""
    outcomes = compiled_outcomes([in_database.uvicorn.config.app.state.executor.compiled])
    answer, statements = in_database.gql_counted(query)
    assert outcomes == [None]
    assert answer.ok() == general.gql(query).ok()
    assert [len(shop["description"]) for shop in answer.ok()["petShopQuery"]["queryPage"][
        "content"]] == [len(LONG)] * 8
    assert len(statements) == (2 if backend == "mysql" else 1), statements
