"""The compiled path answers exactly as general execution, on every field kind and shape.

Three servers share one database: general execution, the compiled path reading rows into
Python, and the compiled path where the database builds the JSON (compiled/database_json.py
on PostgreSQL, compiled/mariadb_json.py on MariaDB; on SQLite it is the row path again).
Awkward values are stored on purpose: NULLs, microseconds and none, zero and negative
decimals, quotes, backslashes, control characters and non-ASCII text, nested JSON, bytes.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from modelry.core.security.grants import grant_module
from modelry.modules.demo.models import PetBreed, PetItem, PetOwner, PetShop, PetTag, ShopStatus
from tests.graphql.conftest import Server, boot_demo, compiled_outcomes

SHOP_FIELDS = """id name code income rating employees visits taxRate isOpen openedOn
                 lastVisit status settings logo ownerId optVersion __typename"""

QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "page of every kind": (f"""{{ petShopQuery {{ queryPage(page: {{size: 10}}) {{
        totalElements totalPages currentPage size content {{ {SHOP_FIELDS} }} }} }} }}""", {}),
    "sorted, filtered, second page": ("""query($rsql: String) { petShopQuery { queryPage(
        page: {currentPage: 2, size: 2, sort: {orders: [{field: "income", direction: DESC}]}},
        queryWrapper: {rsql: $rsql}) { totalElements content { code income } } } }""",
        {"rsql": "income=ge=0"}),
    "sorted through a relation": ("""{ petItemQuery { queryPage(page: {size: 50, sort:
        {orders: [{field: "shop.name"}, {field: "itemName", direction: DESC}]}}) {
        content { itemName shop { name } } } } }""", {}),
    "relations, nested and narrowed": ("""{ petShopQuery { queryPage(page: {size: 10}) {
        content { code owner { name email shops { code } }
                  cheap: items(rsql: "price=lt=20", size: 2) { itemName price breed { name } }
                  none: items(size: 0) { id } items { id }
                  tags { name color shops { code } } } } } }""", {}),
    "aliases, fragments, typename": ("""query { shops: petShopQuery {
        first: queryPage(page: {size: 1}) { content { ...shop } }
        all: queryListByWrapper(queryWrapper: {rsql: "name=like=shop"}) { ... on PetShop {
            label: name kind: __typename } } } }
        fragment shop on PetShop { theCode: code owner { who: name } }""", {}),
    "one by id, filters and rsql": ("""query($id: Long, $rsql: String) { petShopQuery {
        byId: queryOne(query: {id: $id}) { code status lastVisit owner { name } }
        byCode: queryOne(query: {code: "QUOTE"}) { code name }
        byRsql: queryOneByWrapper(queryWrapper: {rsql: $rsql}) { code items { itemName } }
        missing: queryOne(query: {code: "NOPE"}) { code }
        count: countByWrapper(queryWrapper: {rsql: "isOpen==true"}) } }""", {}),
    "empty results": ("""{ petShopQuery { queryPage(queryWrapper: {rsql: "code==NOPE"}) {
        totalElements content { code } } none: queryListByWrapper(queryWrapper:
        {rsql: "code==NOPE"}) { code } } }""", {}),
    "time falls back to rows": ("""{ petShopQuery { queryPage(page: {size: 10}) {
        content { code opensAt } } } }""", {}),
}


def create_world() -> dict[str, Any]:
    """Shops whose values are awkward to render; returns ids the queries use."""
    ann, bob = PetOwner.create_batch([PetOwner(name="Ann \"A\" Ångström", email="a@x.org"),
                                      PetOwner(name="Bob\\n\ttab", email=None)])
    breed = PetBreed(name="Koi ✓").create()
    cats, dogs = PetTag.create_batch([PetTag(name="cats", color=None),
                                      PetTag(name="dogs", color="brown")])
    shops = [
        PetShop(name="quote ' \" \\ \u0001 end", code="QUOTE", income=Decimal("0"),
                rating=0.1, employees=-3, visits=2 ** 62, tax_rate=Decimal("-0.0001"),
                is_open=True, opened_on=dt.date(1999, 12, 31),
                last_visit=dt.datetime(2024, 1, 2, 3, 4, 5, 6),
                status=ShopStatus.CLOSED, settings={"nested": [1, 2.5, None, {"k": "v"}]},
                logo=b"\x00\xffbytes" * 30, owner=ann, tags=[cats, dogs]),
        PetShop(name="nulls shop", code="NULLS", income=Decimal("-12.5"), rating=None,
                tax_rate=None, is_open=False, opened_on=None, last_visit=None,
                settings=None, logo=None, owner=None, tags=[]),
        PetShop(name="round shop", code="ROUND", income=Decimal("123456789.1234"),
                rating=1e20, last_visit=dt.datetime(2000, 2, 29, 23, 59, 59),
                settings="just text", owner=bob, tags=[dogs]),
    ]
    for number, shop in enumerate(shops):
        shop.items = [PetItem(item_name=f"item {number}.{i}", price=Decimal(f"{i * 7}.5"),
                              stock=i, breed=breed.id if i % 2 else None)
                      for i in range(number + 3)]
    created = [shop.create() for shop in shops]
    return {"id": str(created[0].id), "rsql": f"id=={created[2].id}"}


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[dict[str, Server]]:
    general = boot_demo(database_url, compiled=False)
    rows = boot_demo(database_url, empty=False, json_in_database=False)
    in_database = boot_demo(database_url, empty=False)
    grant_module(general, "demo")
    with general.transaction():
        world = create_world()
    running = {"general": Server(general.asgi), "rows": Server(rows.asgi),
               "in database": Server(in_database.asgi)}
    running["general"].world = world  # type: ignore[attr-defined]
    yield running
    for server in running.values():
        server.stop()
    for app in (general, rows, in_database):
        app.close()


@pytest.mark.parametrize("name", list(QUERIES))
def test_every_path_answers_alike(servers: dict[str, Server], name: str) -> None:
    query, variables = QUERIES[name]
    world = servers["general"].world  # type: ignore[attr-defined]
    sent = {**{k: v for k, v in world.items() if f"${k}" in query}, **variables}
    outcomes = compiled_outcomes(
        [servers[path].uvicorn.config.app.state.executor.compiled
         for path in ("rows", "in database")])
    answers = {path: server.gql(query, sent).ok() for path, server in servers.items()}
    assert outcomes == [None, None]  # both compiled paths answered themselves
    assert answers["rows"] == answers["general"]
    assert answers["in database"] == answers["general"]


def test_awkward_values_on_the_wire(servers: dict[str, Server]) -> None:
    query = '{ petShopQuery { queryOne(query: {code: "QUOTE"}) { %s } } }' % SHOP_FIELDS
    shop = servers["in database"].gql(query).ok()["petShopQuery"]["queryOne"]
    assert shop["name"] == "quote ' \" \\ \u0001 end"
    assert shop["income"] == "0.0000" and shop["taxRate"] == "-0.0001"
    assert shop["visits"] == str(2 ** 62) and shop["rating"] == 0.1
    assert shop["lastVisit"] == "2024-01-02T03:04:05.000006"
    assert shop["status"] == "CLOSED" and shop["__typename"] == "PetShop"
    assert shop["settings"] == {"nested": [1, 2.5, None, {"k": "v"}]}
    assert shop["logo"].startswith("AP9ieXRlcwD/") and "\n" not in shop["logo"]


def test_the_database_reads_a_whole_page_in_one_statement(servers: dict[str, Server],
                                                          backend: str) -> None:
    query = QUERIES["relations, nested and narrowed"][0]
    counts = {path: len(server.gql_counted(query)[1]) for path, server in servers.items()}
    if backend in ("postgresql", "mysql"):
        assert counts["in database"] == 1 < counts["rows"]
    else:
        assert counts["in database"] == counts["rows"]


def test_a_negative_list_size_is_refused_by_every_path(servers: dict[str, Server]) -> None:
    query = "{ petShopQuery { queryPage { content { items(size: -1) { id } } } } }"
    codes = {path: set(server.gql(query).codes) for path, server in servers.items()}
    assert codes == {path: {"BAD_PAGE"} for path in servers}
