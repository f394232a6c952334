"""A proxy reads its target's table, so the target's field and record rules bind it too:
the probe of issue 12 (`demo.OpenShop` over `demo.PetShop`), through HTTP on the demo
server, anonymous, on every database."""
from __future__ import annotations

from typing import Any

import pytest

from modelry import directives
from modelry.boot import App
from tests.graphql.conftest import Server, demo_app, sample_server, server, shared_server

__all__ = ["demo_app", "sample_server", "server", "shared_server"]  # the demo server fixtures

SHOP_3 = "S003"          # income 3000; hidden by the record rule below
READ_ONE = "{ %s { queryOne(query: {code: \"%s\"}) { code income } } }"


def _grant(app: App, rule_model: str, /, **values: Any) -> None:
    """Store a rule for the anonymous role (as back-end code)."""
    registry = app.registry
    with directives.scope(), app.transaction():
        role = registry.model("base.Role").cls.query_one(code="anonymous")
        registry.model(rule_model).cls(role=role.id, **values).create()


@pytest.fixture
def income_hidden(demo_app: App, sample_server: Server) -> None:
    _grant(demo_app, "base.FieldAccess", model="demo.PetShop", field="income", hidden=True)


@pytest.fixture
def shop_3_ruled_out(demo_app: App, sample_server: Server) -> None:
    _grant(demo_app, "base.RecordRule", model="demo.PetShop", rsql=f"code!={SHOP_3}",
           perm_read=True, perm_update=True, perm_delete=True)


@pytest.mark.usefixtures("income_hidden")
def test_a_field_hidden_on_the_target_is_hidden_through_the_proxy(server: Server) -> None:
    answer = server.gql("{ a: petShopQuery { queryOne(query: {code: \"S002\"}) { income } }"
                        "  b: openShopQuery { queryOne(query: {code: \"S002\"}) { income } }"
                        "  c: openShopQuery { queryPage { content { income } } } }").ok()
    assert answer["a"] == answer["b"] == {"queryOne": {"income": None}}
    assert {shop["income"] for shop in answer["c"]["queryPage"]["content"]} == {None}


@pytest.mark.usefixtures("income_hidden")
@pytest.mark.parametrize("root", ["petShopQuery", "openShopQuery"])
def test_a_field_hidden_on_the_target_cannot_be_filtered_or_sorted_on_through_the_proxy(
        server: Server, root: str) -> None:
    filtered = server.gql('{ %s { countByWrapper(queryWrapper: {rsql: "income=gt=1000"}) } }'
                          % root)
    assert filtered.codes == ["RSQL_UNKNOWN_FIELD"]
    assert filtered.data is None
    by_one = server.gql('{ %s { queryOne(query: {income: "3000"}) { code } } }' % root)
    assert len(by_one.codes) == 1 and by_one.data == {root: {"queryOne": None}}
    ordered = server.gql('{ %s { queryPage(page: {sort: {orders: [{field: "income"}]}}) '
                         "{ content { code } } } }" % root)
    assert ordered.codes == ["RSQL_UNKNOWN_FIELD"]


@pytest.mark.usefixtures("income_hidden")
def test_a_field_hidden_on_the_target_cannot_be_written_through_the_proxy(
        server: Server, demo_app: App) -> None:
    created = server.gql('mutation { openShopMutation { create(data: {name: "Sly", '
                         'income: "99"}) { id } } }')
    assert created.codes == ["ACCESS_DENIED"]
    assert created.errors[0]["message"] == \
        "access denied: you may not write demo.OpenShop.income"
    with directives.scope(), demo_app.transaction():
        assert demo_app.registry.model("demo.PetShop").cls.count(name="Sly") == 0


@pytest.mark.usefixtures("shop_3_ruled_out")
def test_a_record_rule_on_the_target_binds_every_read_through_the_proxy(server: Server
                                                                        ) -> None:
    for root in ("petShopQuery", "openShopQuery"):
        answer = server.gql(
            "{ %s { queryOne(query: {code: \"%s\"}) { code } countByWrapper "
            "queryPage { totalElements content { code } } "
            "byRsql: queryListByWrapper(queryWrapper: {rsql: \"income=ge=3000\"}) { code } "
            "one: queryOneByWrapper(queryWrapper: {rsql: \"code==%s\"}) { code } } }"
            % (root, SHOP_3, SHOP_3)).ok()[root]
        assert answer == {
            "queryOne": None, "countByWrapper": 4,
            "queryPage": {"totalElements": 4, "content": [
                {"code": code} for code in ("S001", "S002", "S004", "S005")]},
            "byRsql": [{"code": "S004"}, {"code": "S005"}], "one": None}, root


@pytest.mark.usefixtures("shop_3_ruled_out")
def test_a_record_rule_on_the_target_binds_relations_that_reach_it(server: Server) -> None:
    """Items list their shop (a ManyToOne) and owners their shops (a OneToMany): the rule
    hides S003 on both sides, and filters across the relation cannot probe it."""
    items = server.gql('{ petItemQuery { queryListByWrapper(queryWrapper: '
                       '{rsql: "shop.code==S003"}) { itemName } } }').ok()
    assert items == {"petItemQuery": {"queryListByWrapper": []}}
    owners = server.gql("{ petOwnerQuery { queryListByWrapper { shops { code } } } }").ok()
    codes = [shop["code"] for owner in owners["petOwnerQuery"]["queryListByWrapper"]
             for shop in owner["shops"]]
    assert sorted(codes) == ["S001", "S002", "S004", "S005"]


@pytest.mark.usefixtures("shop_3_ruled_out")
def test_a_record_rule_on_the_target_binds_writes_through_the_proxy(
        server: Server, demo_app: App) -> None:
    with directives.scope(), demo_app.transaction():
        shop = demo_app.registry.model("demo.PetShop").cls.query_one(code=SHOP_3)
    update = server.gql('mutation($id: Long) { openShopMutation { update(data: {id: $id, '
                        'optVersion: "%d", name: "taken"}) { id } } }' % shop.opt_version,
                        {"id": str(shop.id)})
    delete = server.gql("mutation($id: Long) { openShopMutation { delete(dataList: "
                        "[{id: $id}]) { id } } }", {"id": str(shop.id)})
    assert update.codes == delete.codes == ["RECORD_NOT_FOUND"]
    with directives.scope(), demo_app.transaction():
        assert demo_app.registry.model("demo.PetShop").cls.query_one(
            code=SHOP_3).name == shop.name
