"""The compiled paths on the `rsqltest` models: a ManyToOne to the same model (joined
under an alias), enums whose values are not their names (strings and integers)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from modelry import directives
from modelry.boot import App
from modelry.core.security.identity import Identity
from tests.functions.helpers import Client, boot_modules
from tests.graphql.conftest import compiled_outcomes
from tests.rsql.models import Level, ShopStatus

ROOT = Identity(user_id=None, login="root", roles=frozenset(), is_admin=True)

QUERIES = [
    """{ shopQuery { queryPage(page: {size: 10, sort: {orders: [{field: "name"}]}}) {
         content { name status level parent { name status level parent: parentId }
                   owner { name } } } } }""",
    """{ shopQuery { queryListByWrapper(queryWrapper: {rsql: "parent.name==root"}) {
         name up: parent { name __typename } } } }""",
    """{ shopQuery { queryPage(page: {size: 10}) { content { name
         parent { name parent { name } } items(size: 1) { itemName shop { name } } } } } }""",
    """{ shopQuery { queryOne(query: {name: "leaf"}) { name updatedAt opened ratio
         parent { updatedAt level } } } }""",
]


@pytest.fixture(scope="module")
def clients(database_url: str) -> Iterator[dict[str, Client]]:
    app = boot_modules(database_url, ["tests.rsql.models"])
    with directives.scope(), app.transaction():
        make_shops(app)
    yield {"general": Client(app, compiled=False), "rows": Client(app, json_in_database=False),
           "in database": Client(app)}
    app.close()


def make_shops(app: App) -> None:
    shop, item = app.registry.model("rsqltest.Shop").cls, app.registry.model("rsqltest.Item").cls
    owner = app.registry.model("rsqltest.Owner").cls(name="Olga").create()
    root = shop(name="root", status=ShopStatus.OPEN, level=Level.HIGH, owner=owner,
                updated_at=dt.datetime(2024, 5, 6, 7, 8, 9, 123)).create()
    middle = shop(name="middle", status=ShopStatus.PAUSED, level=Level.LOW, parent=root,
                  opened=dt.date(2020, 2, 29)).create()
    shop(name="leaf", status=None, level=Level.MEDIUM, parent=middle, ratio=Decimal("1.5"),
         updated_at=dt.datetime(2024, 1, 1)).create()
    for number in range(3):
        item(item_name=f"item {number}", shop=root if number else middle).create()


@pytest.mark.parametrize("query", QUERIES)
def test_every_path_answers_alike(clients: dict[str, Client], query: str) -> None:
    outcomes = compiled_outcomes([clients[p].executor.compiled for p in ("rows", "in database")])
    answers: dict[str, Any] = {path: client.gql(query, identity=ROOT).ok()
                               for path, client in clients.items()}
    assert outcomes == [None, None]  # both compiled paths answered themselves
    assert answers["rows"] == answers["general"]
    assert answers["in database"] == answers["general"]


def test_enums_travel_by_name(clients: dict[str, Client]) -> None:
    page = clients["in database"].gql(QUERIES[0], identity=ROOT).ok()
    shops = {s["name"]: s for s in page["shopQuery"]["queryPage"]["content"]}
    assert (shops["middle"]["status"], shops["middle"]["level"]) == ("PAUSED", "LOW")
    assert shops["middle"]["parent"]["status"] == "OPEN"
    assert shops["leaf"]["status"] is None and shops["root"]["parent"] is None
