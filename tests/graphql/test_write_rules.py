"""What a client may write, over HTTP: no ids on create, no audit fields, no read-only
fields; deletes that carry a version are checked against it, all or nothing; a delete
naming one record twice deletes (and returns) it once; the demo's `close` action answers
with the error that happened."""
from __future__ import annotations

from typing import Any

import pytest

from tests.graphql.conftest import Answer, Server

SHOP = "id name optVersion closedOn createDate writeDate createUid writeUid"
CREATE = "mutation($data: PetShopInput!) { petShopMutation { create(data: $data) { %s } } }" \
    % SHOP
UPDATE = "mutation($data: PetShopInput!) { petShopMutation { update(data: $data) { %s } } }" \
    % SHOP
DELETE = ("mutation($list: [PetShopInput!]!) { petShopMutation { delete(dataList: $list) "
          "{ id } } }")
CLOSE = ("mutation($data: PetShopInput!) { petShopMutation { close(data: $data) "
         "{ id status closedOn optVersion } } }")
SHOPS = "{ petShopQuery { queryListByWrapper { %s } } }" % SHOP


def create(server: Server, **data: Any) -> dict[str, Any]:
    """A new shop, created by a client."""
    return server.gql(CREATE, {"data": data}).ok()["petShopMutation"]["create"]


def shops(server: Server) -> list[dict[str, Any]]:
    return server.gql(SHOPS).ok()["petShopQuery"]["queryListByWrapper"]


def refused(answer: Answer, code: str, field: str, model: str = "demo.PetShop") -> None:
    """The write was refused with `code`, naming `model` and `field`, and nothing returned."""
    assert answer.status == 200 and answer.data is None and answer.success is False
    assert answer.codes == [code], answer.body
    [message] = answer.messages
    assert (message["code"], message["model"], message["field"]) == (code, model, field)
    assert model in message["message"] and field in message["message"]


# ── ids ─────────────────────────────────────────────────────────────────────
@pytest.mark.parametrize("identifier", ["-5", "0", "42", str(2**63 - 1)])
def test_a_client_cannot_choose_the_id_of_a_new_record(server: Server, identifier: str) -> None:
    answer = server.gql(CREATE, {"data": {"id": identifier, "name": "Chosen"}})
    refused(answer, "ID_NOT_ALLOWED", "id")
    assert shops(server) == []
    literal = server.gql('mutation { petShopMutation { create(data: {id: "%s", name: "Lit"}) '
                         '{ id } } }' % identifier)
    refused(literal, "ID_NOT_ALLOWED", "id")
    assert shops(server) == []
    first, second = create(server, name="First"), create(server, name="Second")
    assert int(second["id"]) == int(first["id"]) + 1   # the database still numbers them


def test_a_null_id_on_create_means_a_new_record(server: Server) -> None:
    shop = create(server, id=None, name="Fresh", optVersion=None, createDate=None)
    assert shop["id"].isdigit() and shop["optVersion"] == "0"


def test_nested_new_records_follow_the_same_rules(server: Server) -> None:
    answer = server.gql(CREATE, {"data": {"name": "Nest",
                                          "items": [{"itemName": "Bowl", "createUid": "1"}]}})
    refused(answer, "FIELD_NOT_WRITABLE", "create_uid", model="demo.PetItem")
    owner = server.gql(CREATE, {"data": {"name": "Nest", "owner": {"name": "Dana",
                                                                    "writeDate": "2020-01-01"}}})
    refused(owner, "FIELD_NOT_WRITABLE", "write_date", model="demo.PetOwner")
    assert shops(server) == []


# ── audit fields and the version ─────────────────────────────────────────────
@pytest.mark.parametrize(("name", "field", "value"), [
    ("createDate", "create_date", "2001-01-01T00:00:00"),
    ("writeDate", "write_date", "2001-01-01T00:00:00"),
    ("createUid", "create_uid", "7"),
    ("writeUid", "write_uid", "7"),
    ("optVersion", "opt_version", "5"),
])
def test_a_client_cannot_write_audit_fields_or_a_version_on_create(
        server: Server, name: str, field: str, value: str) -> None:
    refused(server.gql(CREATE, {"data": {"name": "Audited", name: value}}),
            "FIELD_NOT_WRITABLE", field)
    assert shops(server) == []


@pytest.mark.parametrize(("name", "field", "value"), [
    ("createDate", "create_date", "2001-01-01T00:00:00"),
    ("writeDate", "write_date", "2001-01-01T00:00:00"),
    ("createUid", "create_uid", "7"),
    ("writeUid", "write_uid", "7"),
])
def test_a_client_names_the_record_to_update_but_cannot_write_its_audit_fields(
        server: Server, name: str, field: str, value: str) -> None:
    shop = create(server, name="Audited")
    answer = server.gql(UPDATE, {"data": {"id": shop["id"], "optVersion": "0",
                                          "name": "Changed", name: value}})
    refused(answer, "FIELD_NOT_WRITABLE", field)
    assert shops(server) == [shop]
    updated = server.gql(UPDATE, {"data": {"id": shop["id"], "optVersion": "0",
                                           "name": "Changed"}}).ok()
    assert updated["petShopMutation"]["update"]["name"] == "Changed"


# ── read-only fields ────────────────────────────────────────────────────────
def test_a_read_only_field_is_refused_on_create(server: Server) -> None:
    answer = server.gql(CREATE, {"data": {"name": "Early", "closedOn": "2024-01-01"}})
    refused(answer, "FIELD_NOT_WRITABLE", "closed_on")
    cleared = server.gql(CREATE, {"data": {"name": "Early", "closedOn": None}})
    refused(cleared, "FIELD_NOT_WRITABLE", "closed_on")
    assert shops(server) == []


def test_a_read_only_field_is_refused_on_update_and_kept(server: Server) -> None:
    shop = create(server, name="Kept")
    hacked = server.gql('mutation($id: Long) { petShopMutation { update(data: {id: $id, '
                        'optVersion: "0", closedOn: "1999-12-31"}) { closedOn } } }',
                        {"id": shop["id"]})
    refused(hacked, "FIELD_NOT_WRITABLE", "closed_on")
    through_proxy = server.gql(
        'mutation($id: Long) { openShopMutation { update(data: {id: $id, optVersion: "0", '
        'closedOn: "1999-12-31"}) { closedOn } } }', {"id": shop["id"]})
    refused(through_proxy, "FIELD_NOT_WRITABLE", "closed_on", model="demo.OpenShop")
    assert shops(server) == [shop]


def test_back_end_code_writes_a_read_only_field_that_a_client_cannot(server: Server) -> None:
    shop = create(server, name="Closing")
    sneaky = server.gql(CLOSE, {"data": {"id": shop["id"], "optVersion": "0",
                                         "closedOn": "1999-12-31"}})
    refused(sneaky, "FIELD_NOT_WRITABLE", "closed_on")
    audit = server.gql(CLOSE, {"data": {"id": shop["id"], "optVersion": "0",
                                        "writeUid": "3"}})
    refused(audit, "FIELD_NOT_WRITABLE", "write_uid")
    closed = server.gql(CLOSE, {"data": {"id": shop["id"], "optVersion": "0"}}).ok()
    closed = closed["petShopMutation"]["close"]
    assert closed["status"] == "CLOSED" and closed["closedOn"] is not None
    assert closed["optVersion"] == "1"


# ── deletes ─────────────────────────────────────────────────────────────────
def test_a_delete_with_a_stale_version_is_refused(server: Server) -> None:
    shop = create(server, name="Versioned")
    server.gql(UPDATE, {"data": {"id": shop["id"], "optVersion": "0", "name": "V1"}}).ok()
    stale = server.gql(DELETE, {"list": [{"id": shop["id"], "optVersion": "0"}]})
    assert stale.data is None and stale.codes == ["OPTIMISTIC_LOCK"]
    [message] = stale.messages
    assert message["model"] == "demo.PetShop" and shop["id"] in message["message"]
    assert [s["name"] for s in shops(server)] == ["V1"]
    current = server.gql(DELETE, {"list": [{"id": shop["id"], "optVersion": "1"}]}).ok()
    assert current["petShopMutation"]["delete"] == [{"id": shop["id"]}]
    assert shops(server) == []


def test_a_batch_delete_with_one_stale_version_deletes_nothing(server: Server) -> None:
    fresh, changed, plain = (create(server, name=n) for n in ("Fresh", "Changed", "Plain"))
    server.gql(UPDATE, {"data": {"id": changed["id"], "optVersion": "0", "name": "C1"}}).ok()
    answer = server.gql(DELETE, {"list": [{"id": fresh["id"], "optVersion": "0"},
                                          {"id": changed["id"], "optVersion": "0"},
                                          {"id": plain["id"]}]})
    assert answer.data is None and answer.codes == ["OPTIMISTIC_LOCK"]
    assert changed["id"] in answer.messages[0]["message"]
    assert fresh["id"] not in answer.messages[0]["message"]
    assert len(shops(server)) == 3


def test_a_delete_without_a_version_deletes_whatever_version_is_stored(server: Server) -> None:
    shop = create(server, name="Unversioned")
    server.gql(UPDATE, {"data": {"id": shop["id"], "optVersion": "0", "name": "V1"}}).ok()
    deleted = server.gql(DELETE, {"list": [{"id": shop["id"]}]}).ok()
    assert deleted["petShopMutation"]["delete"] == [{"id": shop["id"]}]
    assert shops(server) == []


def test_a_delete_of_a_missing_record_with_a_version_is_not_found(server: Server) -> None:
    shop = create(server, name="Here")
    answer = server.gql(DELETE, {"list": [{"id": shop["id"], "optVersion": "0"},
                                          {"id": "987654", "optVersion": "0"}]})
    assert answer.data is None and answer.codes == ["RECORD_NOT_FOUND"]
    assert len(shops(server)) == 1


def test_a_delete_naming_a_record_twice_deletes_it_once(server: Server) -> None:
    first, second = create(server, name="Twice"), create(server, name="Once")
    deleted = server.gql(DELETE, {"list": [{"id": first["id"]}, {"id": second["id"]},
                                           {"id": first["id"]}]}).ok()
    assert deleted["petShopMutation"]["delete"] == [{"id": first["id"]}, {"id": second["id"]}]
    assert shops(server) == []


def test_a_delete_naming_a_record_twice_with_two_versions_is_refused(server: Server) -> None:
    shop = create(server, name="Twice")
    answer = server.gql(DELETE, {"list": [{"id": shop["id"], "optVersion": "0"},
                                          {"id": shop["id"], "optVersion": "1"}]})
    refused(answer, "DUPLICATE_ID", "id")
    assert len(shops(server)) == 1


# ── the demo's close action ─────────────────────────────────────────────────
def test_closing_a_missing_shop_is_not_found(server: Server) -> None:
    answer = server.gql(CLOSE, {"data": {"id": "987654", "optVersion": "0"}})
    refused(answer, "RECORD_NOT_FOUND", "id")


def test_closing_with_a_stale_version_is_an_optimistic_lock(server: Server) -> None:
    shop = create(server, name="Stale")
    server.gql(UPDATE, {"data": {"id": shop["id"], "optVersion": "0", "name": "S1"}}).ok()
    answer = server.gql(CLOSE, {"data": {"id": shop["id"], "optVersion": "0"}})
    assert answer.data is None and answer.codes == ["OPTIMISTIC_LOCK"]
    assert [s["name"] for s in shops(server)] == ["S1"]


def test_closing_writes_only_what_closing_means(server: Server) -> None:
    shop = create(server, name="Only status")
    closed = server.gql(CLOSE, {"data": {"id": shop["id"], "optVersion": "0",
                                         "name": "Renamed on the way"}}).ok()
    assert closed["petShopMutation"]["close"]["status"] == "CLOSED"
    assert [s["name"] for s in shops(server)] == ["Only status"]
