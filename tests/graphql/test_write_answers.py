"""What a compiled write reads and answers: its arguments as strawberry's conversion gives
them, and on MariaDB (no UPDATE … RETURNING) an updated record read again only when the
answer needs what the UPDATE did not set as stored."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Iterator

import pytest
from graphql import get_named_type
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import convert_arguments

from modelry.core.graphql.calls.inputs import UNSET
from modelry.core.graphql.compiled.write_arguments import WriteArguments
from modelry.core.security.grants import grant_module
from modelry.modules.demo.models import PetItem, PetShop, PetTag
from tests.graphql.conftest import Server, boot_demo

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


def as_sent(value: Any) -> Any:
    """An input as the built-ins see it: the attributes sent, recursively."""
    if isinstance(value, list):
        return [as_sent(item) for item in value]
    if isinstance(value, SimpleNamespace):
        return {name: as_sent(item) for name, item in vars(value).items()}
    if hasattr(value, "__strawberry_definition__"):
        return {field.python_name: as_sent(getattr(value, field.python_name))
                for field in value.__strawberry_definition__.fields
                if getattr(value, field.python_name) is not UNSET}
    return value


@pytest.fixture(scope="module")
def app(database_url: str) -> Iterator[Any]:
    booted = boot_demo(database_url)
    grant_module(booted, "demo")
    yield booted
    booted.close()


COERCED = {  # (root, built-in) → coerced arguments as graphql-core gives them
    ("petShopMutation", "create"): {"data": {
        "name": "n", "income": None, "status": "CLOSED", "settings": {"a": [1, {"b": None}]},
        "owner": {"name": "Ann", "shops": [{"name": "inner", "tags": []}]},
        "tags": [{"id": 5}, {"name": "new", "shops": None}], "ownerId": None}},
    ("petItemMutation", "update"): {"data": {"id": 7, "stock": 3, "shopId": None}},
    ("petTagMutation", "delete"): {"dataList": [{"id": 1}, {"id": 2, "name": "x"}]},
}


@pytest.mark.parametrize("call", list(COERCED), ids="/".join)
def test_write_arguments_read_as_strawberry_converts_them(app: Any, call: Any) -> None:
    graphql = app.asgi.state.executor.schema.graphql
    strawberry = app.asgi.state.executor.schema.strawberry
    root, builtin = call
    field = get_named_type(graphql.mutation_type.fields[root].type).fields[builtin]
    coerced = COERCED[call]
    if "status" in coerced.get("data", {}):  # graphql-core gives the enum's member
        enum = graphql.get_type("ShopStatus").values["CLOSED"].value
        coerced = {"data": {**coerced["data"], "status": enum}}
    read = WriteArguments().read(field, coerced)
    converted = convert_arguments(coerced, field.extensions[BACKREF].arguments,
                                  scalar_registry=strawberry.schema_converter.scalar_registry,
                                  config=strawberry.config)
    assert {k: as_sent(v) for k, v in read.items()} == \
        {k: as_sent(v) for k, v in converted.items()}
    assert list(read) == list(converted)
    for name, value in read.items():  # lists are copies: the template is never changed
        if isinstance(value, list):
            assert value is not coerced[field.args and next(
                g for g, a in field.args.items()
                if a.extensions[BACKREF].python_name == name)]


def _statements(server: Server, document: str) -> tuple[Any, list[str]]:
    """The answer of `document`, and what it ran once warm (rights and plans loaded by a
    first run): each statement's verb, with what it returns (`UPDATE RETURNING *`)."""
    server.gql(document).ok()
    answer, seen = server.gql_counted(document)
    return answer.ok(), [_kind(statement) for statement in seen]


def _kind(statement: str) -> str:
    verb = statement.split()[0].upper()
    _, found, returned = statement.upper().partition(" RETURNING ")
    if not found:
        return verb
    only_id = returned.strip().split(".")[-1].strip('"`') == "ID"
    return f"{verb} RETURNING " + ("id" if only_id else "*")


def _served(app: Any, document: str) -> tuple[Any, list[str]]:
    server = Server(app.asgi)
    try:
        return _statements(server, document)
    finally:
        server.stop()


def _returns_row(app: Any) -> bool:
    return app.dialect != "mysql"  # MariaDB has no UPDATE … RETURNING


@pytest.mark.parametrize(("selection", "read_again"), [
    ("id itemName stock shopId __typename", False),  # what the UPDATE set, as sent
    ("id stock price", True),  # price not set by this write
    ("id", False),
])
def test_an_update_returns_or_reads_its_row_only_for_what_it_did_not_set(
        app: Any, selection: str, read_again: bool) -> None:
    with app.transaction():
        shop = PetShop(name="s").create()
        item = PetItem(item_name="fish", price="2.00", stock=3, shop_id=shop.id).create()
    data, statements = _served(app, f"""mutation {{ petItemMutation {{
        update(data: {{id: "{item.id}", itemName: "eel ", stock: 4, shopId: "{shop.id}"}})
        {{ {selection} }} }} }}""")
    answer = data["petItemMutation"]["update"]
    expected = {"id": str(item.id), "itemName": "eel ", "stock": 4, "shopId": str(shop.id),
                "price": "2.0000", "__typename": "PetItem"}
    assert answer == {key: expected[key] for key in selection.split()}
    if not read_again:
        assert statements == ["UPDATE"]
    elif _returns_row(app):
        assert statements == ["UPDATE RETURNING *"]
    else:
        assert statements == ["UPDATE", "SELECT"]


def test_money_written_is_read_as_stored(app: Any) -> None:
    """A decimal is stored at its column's scale: the answer shows the stored value."""
    with app.transaction():
        item = PetItem(item_name="fish", price="2.00", stock=3).create()
    data, statements = _served(app, f"""mutation {{ petItemMutation {{
        update(data: {{id: "{item.id}", price: "2.5"}}) {{ id price }} }} }}""")
    assert data["petItemMutation"]["update"] == {"id": str(item.id), "price": "2.5000"}
    assert statements == (["UPDATE RETURNING *"] if _returns_row(app) else ["UPDATE", "SELECT"])


@pytest.mark.parametrize(("selection", "whole_row"), [
    ("id name __typename", False),
    ("name", False),
    ("id name color", True),  # color not sent: its default comes from the row
    ("id name createDate", True),  # a date: as the database stores it
])
def test_a_create_returns_only_its_id_when_the_answer_needs_no_more(
        app: Any, selection: str, whole_row: bool) -> None:
    data, statements = _served(app, f"""mutation {{ petTagMutation {{
        create(data: {{name: "tag {selection}"}}) {{ {selection} }} }} }}""")
    answer = data["petTagMutation"]["create"]
    assert answer["name"] == f"tag {selection}"
    if "color" in selection:
        assert answer["color"] is None
    if "id" in selection.split():
        with app.transaction():
            assert PetTag.query_by_id(int(answer["id"])).name == f"tag {selection}"
    assert statements == ["INSERT RETURNING " + ("*" if whole_row else "id")]
