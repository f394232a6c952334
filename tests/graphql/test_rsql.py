"""RSQL filters (`queryWrapper.rsql`) and sorting (`page.sort.orders`) over HTTP, and how
their mistakes are answered.

Sample shops n = 1..5: code S00n, owner Ann/Bob/Chen by n % 3 (S001 Bob, S002 Chen, S003 Ann,
S004 Bob, S005 Chen), status by n % 3 (OPEN for S003, CLOSED for S001/S004, SUSPENDED for
S002/S005), rating 3 + n % 3 * 0.5, income n * 1000, opened 2020-01-(n + 1), items with
stock 3, 6, 9, 12, tags tags[n % 3] and tags[(n + 1) % 3] of cats, dogs, fish.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.graphql.conftest import Answer, Server

@pytest.fixture
def sample_server(module_sample_server: Server) -> Server:
    """Every test here only reads: the sample data is loaded once for the module."""
    return module_sample_server


PAGE = """query($rsql: String, $orders: [Order!], $size: Int) { petShopQuery {
  queryPage(queryWrapper: {rsql: $rsql}, page: {size: $size, sort: {orders: $orders}}) {
    totalElements content { code } } } }"""


def page(server: Server, rsql: str | None = None, orders: list[dict[str, Any]] | None = None,
         size: int | None = None) -> Answer:
    return server.gql(PAGE, {"rsql": rsql, "orders": orders, "size": size})


def codes(server: Server, rsql: str | None = None,
          orders: list[dict[str, Any]] | None = None) -> list[str]:
    """The codes of the shops the filter selects, in the order the server sorted them."""
    result = page(server, rsql, orders or [{"field": "code"}]).ok()["petShopQuery"]["queryPage"]
    found = [shop["code"] for shop in result["content"]]
    assert result["totalElements"] == len(found)
    return found


FILTERS = [
    ("code==S002", ["S002"]),
    ("code!=S002", ["S001", "S003", "S004", "S005"]),
    ("employees=lt=3", ["S001", "S002"]),
    ("employees<3", ["S001", "S002"]),
    ("employees=le=3", ["S001", "S002", "S003"]),
    ("employees<=3", ["S001", "S002", "S003"]),
    ("employees=gt=3", ["S004", "S005"]),
    ("employees>3", ["S004", "S005"]),
    ("employees=ge=4", ["S004", "S005"]),
    ("employees>=4", ["S004", "S005"]),
    ("code=in=(S001,S005,S999)", ["S001", "S005"]),
    ("code=out=(S001,S005)", ["S002", "S003", "S004"]),
    ("description=isnull=true", ["S001", "S002", "S003", "S004", "S005"]),
    ("opensAt=notnull=true", ["S001", "S002", "S003", "S004", "S005"]),
    ("name=like='shop 3'", ["S003"]),
    ("name=notlike=3", ["S001", "S002", "S004", "S005"]),
    ("code=starts=S00", ["S001", "S002", "S003", "S004", "S005"]),
    ("code=notstarts=S001", ["S002", "S003", "S004", "S005"]),
    ("name=ends=4", ["S004"]),
    ("name=notends=4", ["S001", "S002", "S003", "S005"]),
    ("employees=cole=employees", ["S001", "S002", "S003", "S004", "S005"]),
    ("employees=colnot=employees", []),
    # every field type
    ("status==CLOSED", ["S001", "S004"]),
    ("status=in=(OPEN,SUSPENDED)", ["S002", "S003", "S005"]),
    ("isOpen==true", ["S001", "S002", "S003", "S004", "S005"]),
    ("is_open==false", []),
    ("income=gt=2500", ["S003", "S004", "S005"]),
    ("income==2000.0000", ["S002"]),
    ("taxRate=isnull=true", ["S001", "S002", "S003", "S004", "S005"]),
    ("rating=ge=4", ["S002", "S005"]),
    ("visits==0", ["S001", "S002", "S003", "S004", "S005"]),
    ("openedOn=ge=2020-01-04", ["S003", "S004", "S005"]),
    ("opened_on=lt=2020-01-03", ["S001"]),
    ("lastVisit=isnull=true", ["S001", "S002", "S003", "S004", "S005"]),
    ("createDate=gt=2000-01-01T00:00:00", ["S001", "S002", "S003", "S004", "S005"]),
    # logic
    ("status==CLOSED;employees>1", ["S004"]),
    ("status==CLOSED and employees>1", ["S004"]),
    ("code==S001,code==S003", ["S001", "S003"]),
    ("code==S001 or code==S003", ["S001", "S003"]),
    ("(code==S001,code==S002);status==SUSPENDED", ["S002"]),
    ("code==S001,code==S002;status==SUSPENDED", ["S001", "S002"]),  # `;` binds tighter
    # dotted paths across many-to-one, one-to-many, many-to-many and two levels
    ("owner.name==Ann", ["S003"]),
    ("owner.name=in=(Bob,Chen);employees<=2", ["S001", "S002"]),
    ("owner.email=ends=chen@example.com", ["S002", "S005"]),
    ("ownerId=isnull=true", []),
    ("items.stock>=12", ["S001", "S002", "S003", "S004", "S005"]),
    ("items.itemName=='Item 3.2'", ["S003"]),
    ("items.item_name==\"Item 4.1\"", ["S004"]),
    ("tags.name==cats", ["S002", "S003", "S005"]),
    ("tags.name==cats;tags.name==dogs", ["S003"]),
    ("items.breed.name==Koi;code==S001", ["S001"]),
    ("items.shop.owner.name==Ann", ["S003"]),
    # values are bound, never spliced into SQL
    ("name==\"x' OR '1'='1\"", []),
    ("code=in=(\"S001' OR 1=1 --\",S002)", ["S002"]),
]


@pytest.mark.parametrize(("rsql", "expected"), FILTERS, ids=[f[0] for f in FILTERS])
def test_filters(sample_server: Server, rsql: str, expected: list[str]) -> None:
    assert codes(sample_server, rsql) == expected


def test_filters_reach_every_wrapper_built_in_and_other_models(sample_server: Server) -> None:
    data = sample_server.gql("""{
      petShopQuery {
        countByWrapper(queryWrapper: {rsql: "owner.name==Bob"})
        queryListByWrapper(queryWrapper: {rsql: "owner.name==Bob"}) { code }
        queryOneByWrapper(queryWrapper: {rsql: "owner.name==Bob;employees==4"}) { code }
      }
      petItemQuery { countByWrapper(queryWrapper: {rsql: "shop.code==S001;price>30"}) }
      petOwnerQuery { queryListByWrapper(queryWrapper: {rsql: "shops.status==OPEN"}) { name } }
      awardQuery { countByWrapper(queryWrapper: {rsql: "winners.code==S005"}) }
    }""").ok()
    assert data["petShopQuery"]["countByWrapper"] == 2
    assert sorted(s["code"] for s in data["petShopQuery"]["queryListByWrapper"]) == [
        "S001", "S004"]
    assert data["petShopQuery"]["queryOneByWrapper"] == {"code": "S004"}
    assert data["petItemQuery"]["countByWrapper"] == 2            # 39.90 and 49.90
    assert data["petOwnerQuery"]["queryListByWrapper"] == [{"name": "Ann"}]
    assert data["awardQuery"]["countByWrapper"] == 1


@pytest.mark.parametrize(("orders", "expected"), [
    ([{"field": "code", "direction": "DESC"}], ["S005", "S004", "S003", "S002", "S001"]),
    ([{"field": "income", "direction": "DESC"}], ["S005", "S004", "S003", "S002", "S001"]),
    ([{"field": "openedOn", "direction": "ASC"}], ["S001", "S002", "S003", "S004", "S005"]),
    ([{"field": "owner.name", "direction": "DESC"}, {"field": "code"}],
     ["S002", "S005", "S001", "S004", "S003"]),
    ([{"field": "owner.name"}, {"field": "code", "direction": "DESC"}],
     ["S003", "S004", "S001", "S005", "S002"]),
    ([{"field": "status"}, {"field": "rating", "direction": "DESC"}, {"field": "code"}],
     ["S001", "S004", "S003", "S002", "S005"]),
    ([{"field": "tax_rate"}, {"field": "employees", "direction": "DESC"}],
     ["S005", "S004", "S003", "S002", "S001"]),
], ids=["code DESC", "money DESC", "date ASC", "m2o DESC then code", "m2o then code DESC",
        "enum, float DESC, code", "snake_case then DESC"])
def test_sorting(sample_server: Server, orders: list[dict[str, Any]],
                 expected: list[str]) -> None:
    assert codes(sample_server, orders=orders) == expected


def test_sorting_with_a_filter_across_pages(sample_server: Server) -> None:
    orders = [{"field": "owner.name", "direction": "DESC"}, {"field": "code"}]
    query = """query($page: Int) { petShopQuery { queryPage(
        queryWrapper: {rsql: "status!=OPEN"},
        page: {currentPage: $page, size: 3, sort: {orders: [
          {field: "owner.name", direction: DESC}, {field: "code"}]}}) {
        totalElements totalPages currentPage content { code } } } }"""
    first = sample_server.gql(query, {"page": 1}).ok()["petShopQuery"]["queryPage"]
    second = sample_server.gql(query, {"page": 2}).ok()["petShopQuery"]["queryPage"]
    assert (first["totalElements"], first["totalPages"]) == (4, 2)
    assert [s["code"] for s in first["content"]] == ["S002", "S005", "S001"]
    assert [s["code"] for s in second["content"]] == ["S004"]
    assert codes(sample_server, "status!=OPEN", orders) == ["S002", "S005", "S001", "S004"]


ERRORS = [
    # (rsql, code, position, model, field)
    ("code==S001;", "RSQL_SYNTAX", 11, "demo.PetShop", None),
    ("(code==S001", "RSQL_SYNTAX", 11, "demo.PetShop", None),
    ("code=foo=S001", "RSQL_UNKNOWN_OPERATOR", 4, "demo.PetShop", None),
    ("employees==abc", "RSQL_BAD_VALUE", 11, "demo.PetShop", "employees"),
    ("status==closed", "RSQL_BAD_VALUE", 8, "demo.PetShop", "status"),
    ("openedOn=gt=yesterday", "RSQL_BAD_VALUE", 12, "demo.PetShop", "opened_on"),
    ("nope==1", "RSQL_UNKNOWN_FIELD", 0, "demo.PetShop", "nope"),
    ("code==S001;owner.nme==Ann", "RSQL_UNKNOWN_FIELD", 17, "demo.PetOwner", "nme"),
    ("settings==x", "RSQL_OPERATOR_NOT_ALLOWED", 8, "demo.PetShop", "settings"),
]


@pytest.mark.parametrize(("rsql", "code", "position", "model", "field"), ERRORS,
                         ids=[e[0] for e in ERRORS])
def test_filter_errors_carry_code_message_and_position(
        sample_server: Server, rsql: str, code: str, position: int, model: str,
        field: str | None) -> None:
    answer = page(sample_server, rsql)
    assert answer.status == 200
    assert answer.data is None
    assert answer.success is False
    [error] = answer.errors
    assert error["path"] == ["petShopQuery", "queryPage"]
    extensions = error["extensions"]
    assert (extensions["code"], extensions["position"], extensions["model"]) == (
        code, position, model)
    if field is not None:
        assert extensions["field"] == field
    assert f"(at position {position})" in error["message"]
    [message] = answer.messages
    assert message == {"level": "ERROR", "message": error["message"], "code": code,
                       "model": model, "field": extensions["field"],
                       "path": ["petShopQuery", "queryPage"], "position": position}


@pytest.mark.parametrize(("field", "code"), [
    ("owner.nme", "RSQL_UNKNOWN_FIELD"),
    ("items.stock", "RSQL_BAD_SORT"),
    ("tags.name", "RSQL_BAD_SORT"),
    ("name;drop table x", "RSQL_UNKNOWN_FIELD"),
])
def test_sort_errors(sample_server: Server, field: str, code: str) -> None:
    answer = page(sample_server, orders=[{"field": field, "direction": "DESC"}])
    assert answer.data is None and answer.codes == [code]
    assert answer.messages[0]["code"] == code
    assert answer.errors[0]["extensions"]["position"] == answer.messages[0]["position"]
    assert codes(sample_server) == ["S001", "S002", "S003", "S004", "S005"]  # still there


def test_a_direction_outside_the_enum_is_refused(sample_server: Server) -> None:
    answer = page(sample_server, orders=[{"field": "code", "direction": "DOWN"}])
    assert answer.data is None and answer.codes == ["BAD_VARIABLES"]
    literal = sample_server.gql('{ petShopQuery { queryPage(page: {sort: {orders: '
                                '[{field: "code", direction: "DESC"}]}}) { totalElements } } }')
    assert literal.codes == ["GRAPHQL_VALIDATION"]
