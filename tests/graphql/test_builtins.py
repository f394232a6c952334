"""Every built-in over HTTP, with every field type and relation kind, as a front end sees it."""
from __future__ import annotations

import base64
import datetime as dt
from typing import Any


from tests.graphql.conftest import Server

SHOP = """
fragment Shop on PetShop {
  id name description code income rating employees visits taxRate isOpen openedOn
  lastVisit opensAt status settings logo ownerId owner { id name email }
  items { id itemName price stock shopId } tags { id name color } optVersion
  createDate writeDate
}
"""
CREATE_SHOP = SHOP + """
mutation Create($data: PetShopInput!) { petShopMutation { create(data: $data) { ...Shop } } }
"""
UPDATE_SHOP = SHOP + """
mutation Update($data: PetShopInput!) { petShopMutation { update(data: $data) { ...Shop } } }
"""
SHOP_BY_ID = SHOP + """
query One($id: Long) { petShopQuery { queryOne(query: {id: $id}) { ...Shop } } }
"""
LOGO = bytes(range(256)) + b"\x00\xff"
LONG = "9007199254740993"  # 2**53 + 1: a JavaScript number would round it


def every_field() -> dict[str, Any]:
    """A PetShopInput with a value for every scalar type and every relation kind."""
    return {
        "name": "Every field", "description": "Text: " + "long " * 200, "code": "EF1",
        "income": "1234.5", "rating": 4.25, "employees": 7, "visits": LONG,
        "taxRate": "0.0825", "isOpen": False, "openedOn": "2024-02-29",
        "lastVisit": "2024-03-01T12:34:56+02:00", "opensAt": "08:30:00", "status": "CLOSED",
        "settings": {"delivery": True, "zones": [1, 2, {"far": None}], "note": "é ✓"},
        "logo": base64.b64encode(LOGO).decode(),
        "owner": {"name": "Dana", "email": "dana@example.com"},
        "items": [{"itemName": "Bowl", "price": "2.5", "stock": 3},
                  {"itemName": "Leash", "price": "10", "stock": 0}],
        "tags": [{"name": "birds", "color": "green"}],
    }


def assert_every_field(shop: dict[str, Any]) -> None:
    """The record `every_field()` created, in wire format."""
    assert shop["id"].isdigit()
    assert shop["name"] == "Every field"
    assert shop["description"] == "Text: " + "long " * 200
    assert shop["code"] == "EF1"
    assert shop["income"] == "1234.5000"           # Money: a string with its scale (4)
    assert shop["rating"] == 4.25
    assert shop["employees"] == 7
    assert shop["visits"] == LONG                  # BigInteger: a string, exact
    assert shop["taxRate"] == "0.0825"             # Decimal(6, 4)
    assert shop["isOpen"] is False
    assert shop["openedOn"] == "2024-02-29"
    assert shop["lastVisit"] == "2024-03-01T10:34:56"  # stored and sent as UTC
    assert shop["opensAt"] == "08:30:00"
    assert shop["status"] == "CLOSED"              # the GraphQL enum name
    assert shop["settings"] == {"delivery": True, "zones": [1, 2, {"far": None}],
                                "note": "é ✓"}
    assert base64.b64decode(shop["logo"]) == LOGO
    assert shop["owner"]["name"] == "Dana" and shop["owner"]["id"].isdigit()
    assert shop["ownerId"] == shop["owner"]["id"]
    assert sorted((i["itemName"], i["price"], i["stock"], i["shopId"]) for i in shop["items"]) \
        == [("Bowl", "2.5000", 3, shop["id"]), ("Leash", "10.0000", 0, shop["id"])]
    assert [(t["name"], t["color"]) for t in shop["tags"]] == [("birds", "green")]
    assert shop["optVersion"] == "0"
    created = dt.datetime.fromisoformat(shop["createDate"])
    assert abs(created - dt.datetime.now(dt.UTC).replace(tzinfo=None)) < dt.timedelta(minutes=5)


def create_shop(server: Server, **values: Any) -> dict[str, Any]:
    data = server.gql(CREATE_SHOP, {"data": {"name": "A shop", **values}}).ok()
    return data["petShopMutation"]["create"]


def count(server: Server, model: str, rsql: str | None = None) -> int:
    """countByWrapper of `model` (a GraphQL name such as `petShop`)."""
    wrapper = "" if rsql is None else f"(queryWrapper: {{rsql: {rsql!r}}})".replace("'", '"')
    data = server.gql(f"{{ {model}Query {{ countByWrapper{wrapper} }} }}").ok()
    return data[f"{model}Query"]["countByWrapper"]


def test_create_and_read_back_every_field_type(server: Server) -> None:
    created = create_shop(server, **every_field())
    assert_every_field(created)
    read = server.gql(SHOP_BY_ID, {"id": created["id"]}).ok()["petShopQuery"]["queryOne"]
    assert_every_field(read)
    assert read == created
    assert count(server, "petItem") == 2
    assert count(server, "petOwner") == 1


def test_create_links_existing_records_by_id(sample_server: Server) -> None:
    server = sample_server
    owner = server.gql('{ petOwnerQuery { queryOne(query: {name: "Bob"}) { id } } }'
                       ).ok()["petOwnerQuery"]["queryOne"]
    tags = server.gql('{ petTagQuery { queryListByWrapper(queryWrapper: '
                      '{rsql: "name=in=(cats,dogs)"}) { id name } } }'
                      ).ok()["petTagQuery"]["queryListByWrapper"]
    loose_item = server.gql('mutation { petItemMutation { create(data: {itemName: "Loose"}) '
                            '{ id shopId shop { id } } } }').ok()["petItemMutation"]["create"]
    assert loose_item["shopId"] is None and loose_item["shop"] is None
    shop = create_shop(server, ownerId=owner["id"], tags=[{"id": t["id"]} for t in tags],
                       items=[{"id": loose_item["id"]}, {"itemName": "Fresh"}])
    assert shop["ownerId"] == owner["id"] and shop["owner"]["name"] == "Bob"
    assert sorted(t["name"] for t in shop["tags"]) == ["cats", "dogs"]
    assert sorted(i["itemName"] for i in shop["items"]) == ["Fresh", "Loose"]
    assert count(server, "petOwner") == 3          # linked, not copied
    assert count(server, "petTag") == 3
    moved = server.gql('query($id: Long) { petItemQuery { queryOne(query: {id: $id}) '
                       '{ shopId } } }', {"id": loose_item["id"]}).ok()
    assert moved["petItemQuery"]["queryOne"]["shopId"] == shop["id"]

    by_nested_id = create_shop(server, name="Nested id", code="NID",
                               owner={"id": owner["id"]})
    assert by_nested_id["owner"] == {"id": owner["id"], "name": "Bob",
                                     "email": "bob@example.com"}


def test_defaults_and_nulls(server: Server) -> None:
    shop = create_shop(server)
    assert (shop["income"], shop["employees"], shop["visits"], shop["isOpen"],
            shop["status"]) == ("0.0000", 1, "0", True, "OPEN")
    for name in ("description", "code", "rating", "taxRate", "openedOn", "lastVisit",
                 "opensAt", "settings", "logo", "owner", "ownerId"):
        assert shop[name] is None, name
    assert shop["items"] == [] and shop["tags"] == []


def test_construct_fills_defaults_and_writes_nothing(server: Server) -> None:
    data = server.gql("""{ petShopQuery {
        blank: construct { id name income employees visits isOpen status optVersion items { id } }
        given: construct(data: {name: "Draft", rating: 2.5, status: SUSPENDED,
                                taxRate: "0.1", owner: {name: "Eve"}}) {
          id name rating status taxRate employees owner { id name } }
    } }""").ok()["petShopQuery"]
    assert data["blank"] == {"id": None, "name": None, "income": "0.0000", "employees": 1,
                             "visits": "0", "isOpen": True, "status": "OPEN",
                             "optVersion": None, "items": []}
    assert data["given"] == {"id": None, "name": "Draft", "rating": 2.5, "status": "SUSPENDED",
                             "taxRate": "0.1", "employees": 1,
                             "owner": {"id": None, "name": "Eve"}}
    assert count(server, "petShop") == 0 and count(server, "petOwner") == 0


def test_update_scalars_and_many_to_one(sample_server: Server) -> None:
    server = sample_server
    shop = server.gql(SHOP + '{ petShopQuery { queryOne(query: {code: "S001"}) { ...Shop } } }'
                      ).ok()["petShopQuery"]["queryOne"]
    changes = {"id": shop["id"], "optVersion": shop["optVersion"], "income": "99.99",
               "visits": "12345678901234", "isOpen": False, "status": "CLOSED",
               "lastVisit": "2025-01-02T03:04:05", "opensAt": "07:15:00",
               "settings": ["a", "b"], "logo": base64.b64encode(b"png").decode(),
               "description": None}
    updated = server.gql(UPDATE_SHOP, {"data": changes}).ok()["petShopMutation"]["update"]
    assert (updated["income"], updated["visits"], updated["isOpen"], updated["status"],
            updated["lastVisit"], updated["opensAt"], updated["settings"],
            updated["description"]) == ("99.9900", "12345678901234", False, "CLOSED",
                                        "2025-01-02T03:04:05", "07:15:00", ["a", "b"], None)
    assert base64.b64decode(updated["logo"]) == b"png"
    assert updated["optVersion"] == "1"
    untouched = ("name", "code", "rating", "employees", "openedOn", "ownerId", "createDate")
    assert {k: updated[k] for k in untouched} == {k: shop[k] for k in untouched}
    assert [i["itemName"] for i in updated["items"]] == [i["itemName"] for i in shop["items"]]

    chen = server.gql('{ petOwnerQuery { queryOne(query: {name: "Chen"}) { id } } }'
                      ).ok()["petOwnerQuery"]["queryOne"]["id"]
    by_id = server.gql(UPDATE_SHOP, {"data": {"id": shop["id"], "optVersion": "1",
                                              "ownerId": chen}}).ok()
    assert by_id["petShopMutation"]["update"]["owner"]["name"] == "Chen"
    nested = server.gql(UPDATE_SHOP, {"data": {"id": shop["id"], "optVersion": "2",
                                               "owner": {"name": "Fay"}}}).ok()
    assert nested["petShopMutation"]["update"]["owner"]["name"] == "Fay"
    assert count(server, "petOwner") == 4
    cleared = server.gql(UPDATE_SHOP, {"data": {"id": shop["id"], "optVersion": "3",
                                                "ownerId": None}}).ok()
    assert cleared["petShopMutation"]["update"]["owner"] is None
    assert cleared["petShopMutation"]["update"]["optVersion"] == "4"


def test_update_replaces_to_many_lists(sample_server: Server) -> None:
    server = sample_server
    shop = server.gql(SHOP + '{ petShopQuery { queryOne(query: {code: "S001"}) { ...Shop } } }'
                      ).ok()["petShopQuery"]["queryOne"]
    keep = shop["items"][0]
    fish = server.gql('{ petTagQuery { queryOne(query: {name: "fish"}) { id } } }'
                      ).ok()["petTagQuery"]["queryOne"]["id"]
    updated = server.gql(UPDATE_SHOP, {"data": {
        "id": shop["id"], "optVersion": shop["optVersion"],
        "items": [{"id": keep["id"]}, {"itemName": "Brand new", "price": "1.25"}],
        "tags": [{"id": fish}, {"name": "reptiles", "color": "grey"}],
    }}).ok()["petShopMutation"]["update"]
    assert sorted((i["itemName"], i["price"]) for i in updated["items"]) == [
        ("Brand new", "1.2500"), (keep["itemName"], keep["price"])]
    assert sorted(t["name"] for t in updated["tags"]) == ["fish", "reptiles"]
    # Items left out of the list are gone (PetItem.shop cascades); tags are only unlinked.
    assert count(server, "petItem", f"shop.id=={shop['id']}") == 2
    assert count(server, "petItem") == 5 * 4 - 4 + 2
    assert count(server, "petTag") == 4

    emptied = server.gql(UPDATE_SHOP, {"data": {"id": shop["id"], "optVersion": "1",
                                                "items": [], "tags": []}}).ok()
    assert emptied["petShopMutation"]["update"]["items"] == []
    assert emptied["petShopMutation"]["update"]["tags"] == []


def test_update_from_the_other_side_of_a_many_to_many(sample_server: Server) -> None:
    server = sample_server
    tag = server.gql('{ petTagQuery { queryOne(query: {name: "dogs"}) { id shops { id } } } }'
                     ).ok()["petTagQuery"]["queryOne"]
    first = server.gql('{ petShopQuery { queryOne(query: {code: "S005"}) { id } } }'
                       ).ok()["petShopQuery"]["queryOne"]["id"]
    updated = server.gql('mutation($data: PetTagInput!) { petTagMutation { update(data: $data) '
                         '{ name shops { code tags { name } } } } }',
                         {"data": {"id": tag["id"], "shops": [{"id": first}]}}).ok()
    shops = updated["petTagMutation"]["update"]["shops"]
    assert [s["code"] for s in shops] == ["S005"]
    assert "dogs" in [t["name"] for t in shops[0]["tags"]]


def test_update_of_a_missing_record(sample_server: Server) -> None:
    answer = sample_server.gql(UPDATE_SHOP, {"data": {"id": "987654", "optVersion": "0",
                                                      "name": "Ghost"}})
    assert answer.data is None
    assert answer.codes == ["RECORD_NOT_FOUND"]
    assert answer.messages[0]["model"] == "demo.PetShop"
    no_id = sample_server.gql(UPDATE_SHOP, {"data": {"name": "Ghost"}})
    assert no_id.codes == ["ID_REQUIRED"]
    assert count(sample_server, "petShop", "name==Ghost") == 0


def test_delete_returns_the_records_and_cascades(sample_server: Server) -> None:
    server = sample_server
    ids = [s["id"] for s in server.gql(
        '{ petShopQuery { queryListByWrapper(queryWrapper: {rsql: "code=in=(S001,S002)"}) '
        '{ id } } }').ok()["petShopQuery"]["queryListByWrapper"]]
    deleted = server.gql('mutation($list: [PetShopInput!]!) { petShopMutation { '
                         'delete(dataList: $list) { id } } }',
                         {"list": [{"id": i} for i in ids]}).ok()
    assert sorted(r["id"] for r in deleted["petShopMutation"]["delete"]) == sorted(ids)
    assert count(server, "petShop") == 3
    assert count(server, "petItem") == 3 * 4          # their items went with them
    assert count(server, "petTag") == 3               # tags stay
    again = server.gql(SHOP_BY_ID, {"id": ids[0]}).ok()
    assert again["petShopQuery"]["queryOne"] is None

    no_id = server.gql('mutation { petShopMutation { delete(dataList: [{name: "x"}]) '
                       '{ id } } }')
    assert no_id.codes == ["ID_REQUIRED"] and no_id.data is None
    assert count(server, "petShop") == 3


def test_names_are_camel_case_on_the_wire(server: Server) -> None:
    snake = server.gql("{ petShopQuery { queryPage { content { tax_rate } total_elements } } }")
    assert snake.data is None
    assert set(snake.codes) == {"GRAPHQL_VALIDATION"}
    assert "tax_rate" in snake.errors[0]["message"]
    camel = server.gql("{ petShopQuery { queryPage { content { taxRate isOpen openedOn "
                       "lastVisit opensAt ownerId optVersion createDate writeDate createUid "
                       "writeUid } totalElements totalPages currentPage size } } }").ok()
    assert camel["petShopQuery"]["queryPage"]["content"] == []
    item = server.gql('mutation { petItemMutation { create(data: {itemName: "x", stock: 2}) '
                      '{ itemName shopId breedId } } }').ok()
    assert item["petItemMutation"]["create"] == {"itemName": "x", "shopId": None,
                                                 "breedId": None}


def test_a_transient_model_is_constructed_never_queried(server: Server) -> None:
    answer = server.gql("{ shopReportQuery { construct(data: {shopCount: 3}) "
                        "{ shopCount totalIncome } } }")
    assert answer.ok() == {"shopReportQuery": {"construct": {"shopCount": 3,
                                                              "totalIncome": None}}}
    refused = server.gql("{ shopReportQuery { queryPage { content { shopCount } } } }")
    assert refused.codes == ["GRAPHQL_VALIDATION"]
    assert "queryPage" in refused.errors[0]["message"]
