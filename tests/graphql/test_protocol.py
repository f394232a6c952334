"""Oinone's protocol over HTTP: the envelope, messages, `variables.requestStrategy` (and its
alias `oio`), and one transaction per request (a failure writes nothing)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.graphql.conftest import Answer, Server

CREATE = """mutation($data: PetShopInput!) { petShopMutation { create(data: $data) {
  id name code } } }"""
MESSAGE_KEYS = {"level", "message", "code", "model", "field", "path"}
INVALID = {"code": "x" * 40, "taxRate": "1.23456"}   # no name, code too long, scale too fine


def shop_count(server: Server) -> int:
    return server.gql("{ petShopQuery { countByWrapper } }").ok()["petShopQuery"][
        "countByWrapper"]


def create(server: Server, data: dict[str, Any], **strategy: Any) -> Answer:
    variables: dict[str, Any] = {"data": data}
    if strategy:
        variables["requestStrategy"] = strategy
    return server.gql(CREATE, variables)


def test_success_envelope(server: Server) -> None:
    answer = create(server, {"name": "Fine"})
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert set(answer.body) == {"data", "extensions"}
    assert answer.body["extensions"] == {"success": True, "messages": []}
    assert answer.data["petShopMutation"]["create"]["name"] == "Fine"


def test_failure_envelope_and_messages(server: Server) -> None:
    answer = create(server, INVALID)
    assert answer.status == 200
    assert set(answer.body) == {"data", "errors", "extensions"}
    assert answer.data is None
    assert answer.success is False
    [error] = answer.errors
    assert error["path"] == ["petShopMutation", "create"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["model"] == "demo.PetShop"
    assert error["locations"][0]["line"] == 1
    messages = answer.messages
    for message in messages:
        assert set(message) == MESSAGE_KEYS
        assert message["level"] == "ERROR"
        assert message["model"] == "demo.PetShop"
        assert message["path"] == ["petShopMutation", "create"]
    assert [(m["field"], m["code"]) for m in messages] == [
        ("name", "REQUIRED"), ("code", "STRING_TOO_LONG"), ("tax_rate", "VALUE_ERROR")]
    assert all(m["message"].startswith(f"demo.PetShop.{m['field']}: ") for m in messages)
    assert shop_count(server) == 0


def test_only_validate_returns_the_validation_errors_and_writes_nothing(
        server: Server) -> None:
    answer = create(server, INVALID, onlyValidate=True)
    assert answer.data is None and answer.success is False
    assert [m["code"] for m in answer.messages] == ["REQUIRED", "STRING_TOO_LONG", "VALUE_ERROR"]
    assert shop_count(server) == 0


@pytest.mark.parametrize("key", ["requestStrategy", "oio"])
def test_only_validate_of_a_valid_create_writes_nothing(server: Server, key: str) -> None:
    answer = server.gql(CREATE, {"data": {"name": "Dry run", "code": "DRY",
                                          "owner": {"name": "Nobody"},
                                          "items": [{"itemName": "Ghost item"}]},
                                 key: {"onlyValidate": True}})
    assert answer.status == 200
    assert answer.body == {"data": None, "extensions": {"success": True, "messages": []}}
    assert shop_count(server) == 0
    counts = server.gql("{ petOwnerQuery { countByWrapper } petItemQuery { countByWrapper } }"
                        ).ok()
    assert counts == {"petOwnerQuery": {"countByWrapper": 0},
                      "petItemQuery": {"countByWrapper": 0}}
    for_real = create(server, {"name": "Dry run", "code": "DRY"}).ok()
    assert for_real["petShopMutation"]["create"]["code"] == "DRY"   # the code was never taken


def test_only_validate_of_an_update_and_a_delete(sample_server: Server) -> None:
    shop = sample_server.gql('{ petShopQuery { queryOne(query: {code: "S001"}) '
                             '{ id name optVersion } } }').ok()["petShopQuery"]["queryOne"]
    strategy = {"requestStrategy": {"onlyValidate": True}}
    updated = sample_server.gql(
        'mutation($data: PetShopInput!) { petShopMutation { update(data: $data) { name } } }',
        {"data": {"id": shop["id"], "optVersion": shop["optVersion"], "name": "Renamed"},
         **strategy})
    assert updated.body["data"] is None and updated.success is True
    deleted = sample_server.gql(
        'mutation($list: [PetShopInput!]!) { petShopMutation { delete(dataList: $list) '
        '{ id } } }', {"list": [{"id": shop["id"]}], **strategy})
    assert deleted.body["data"] is None and deleted.success is True
    again = sample_server.gql('{ petShopQuery { queryOne(query: {code: "S001"}) '
                              '{ id name optVersion } } }').ok()["petShopQuery"]["queryOne"]
    assert again == shop


def test_only_validate_of_a_query_returns_no_data(sample_server: Server) -> None:
    answer = sample_server.gql("{ petShopQuery { countByWrapper } }",
                               {"oio": {"onlyValidate": True}})
    assert answer.body == {"data": None, "extensions": {"success": True, "messages": []}}


def test_return_when_error_keeps_only_the_first_error(server: Server) -> None:
    completed = create(server, INVALID, checkStrategy="RETURN_WHEN_COMPLETED")
    assert len(completed.messages) == 3
    first_only = create(server, INVALID, checkStrategy="RETURN_WHEN_ERROR")
    assert first_only.data is None and first_only.success is False
    assert len(first_only.errors) == 1
    assert [(m["field"], m["code"]) for m in first_only.messages] == [("name", "REQUIRED")]
    lower_case = server.gql(CREATE, {"data": INVALID,
                                     "oio": {"checkStrategy": "return_when_error"}})
    assert len(lower_case.messages) == 1
    two_failures = server.gql("""query { petShopQuery {
        a: queryPage(queryWrapper: {rsql: "nope==1"}) { totalElements }
        b: countByWrapper(queryWrapper: {rsql: "code=="}) } }""",
                              {"requestStrategy": {"checkStrategy": "RETURN_WHEN_ERROR"}})
    assert len(two_failures.errors) == 1 and len(two_failures.messages) == 1
    assert two_failures.codes == ["RSQL_UNKNOWN_FIELD"]
    assert shop_count(server) == 0


@pytest.mark.parametrize("level", ["DEBUG", "INFO", "SUCCESS", "WARN", "ERROR", "warn"])
def test_msg_level_keeps_errors_at_every_level(server: Server, level: str) -> None:
    answer = create(server, INVALID, msgLevel=level)
    assert answer.success is False
    assert [m["level"] for m in answer.messages] == ["ERROR"] * 3


def test_bad_request_strategies_are_refused(server: Server) -> None:
    for strategy, code in [({"msgLevel": "LOUD"}, "BAD_STRATEGY"),
                           ({"checkStrategy": "SOMETIMES"}, "BAD_STRATEGY"),
                           ("onlyValidate", "BAD_STRATEGY")]:
        answer = server.gql(CREATE, {"data": {"name": "Never"}, "requestStrategy": strategy})
        assert answer.status == 400
        assert answer.data is None and answer.success is False
        assert answer.codes == [code]
        assert answer.messages[0]["code"] == code
    assert shop_count(server) == 0


def test_a_failing_second_create_leaves_nothing_written(server: Server) -> None:
    answer = server.gql("""mutation { petShopMutation {
        first: create(data: {name: "First", code: "DUP", owner: {name: "Owner"},
                             items: [{itemName: "Bowl"}], tags: [{name: "new tag"}]}) { id }
        second: create(data: {name: "Second", code: "DUP"}) { id } } }""")
    assert answer.data is None and answer.success is False
    assert answer.codes == ["UNIQUE_VIOLATION"]
    assert answer.errors[0]["path"] == ["petShopMutation", "second"]
    assert answer.messages[0]["model"] == "demo.PetShop"
    counts = server.gql("{ petShopQuery { countByWrapper } petOwnerQuery { countByWrapper } "
                        "petItemQuery { countByWrapper } petTagQuery { countByWrapper } }").ok()
    assert {k: v["countByWrapper"] for k, v in counts.items()} == {
        "petShopQuery": 0, "petOwnerQuery": 0, "petItemQuery": 0, "petTagQuery": 0}


def test_a_failure_in_a_later_root_field_undoes_the_earlier_ones(sample_server: Server) -> None:
    before = sample_server.gql('{ petShopQuery { queryOne(query: {code: "S001"}) '
                               '{ id name optVersion } } }').ok()["petShopQuery"]["queryOne"]
    answer = sample_server.gql("""mutation($id: Long, $version: Long) {
        a: petShopMutation { update(data: {id: $id, optVersion: $version, name: "Changed"})
                             { optVersion } }
        b: petItemMutation { create(data: {itemName: "Ok"}) { id } }
        c: petShopMutation { update(data: {id: $id, optVersion: $version, name: "Again"})
                             { optVersion } } }""",
                               {"id": before["id"], "version": before["optVersion"]})
    assert answer.data is None
    assert answer.codes == ["OPTIMISTIC_LOCK"]       # the second update holds a stale version
    assert answer.errors[0]["path"] == ["c", "update"]
    after = sample_server.gql('{ petShopQuery { queryOne(query: {code: "S001"}) '
                              '{ id name optVersion } } petItemQuery { countByWrapper } }').ok()
    assert after["petShopQuery"]["queryOne"] == before
    assert after["petItemQuery"]["countByWrapper"] == 20


def test_operation_name_picks_the_operation(sample_server: Server) -> None:
    document = """query Count { petShopQuery { countByWrapper } }
                  mutation Make { petShopMutation { create(data: {name: "Made"}) { name } } }"""
    counted = sample_server.gql(document, operationName="Count").ok()
    assert counted == {"petShopQuery": {"countByWrapper": 5}}
    made = sample_server.gql(document, operationName="Make").ok()
    assert made == {"petShopMutation": {"create": {"name": "Made"}}}
    unnamed = sample_server.gql(document)
    assert unnamed.status == 400 and unnamed.codes == ["BAD_REQUEST"]
    unknown = sample_server.gql(document, operationName="Nope")
    assert unknown.status == 400 and unknown.codes == ["BAD_REQUEST"]
    assert shop_count(sample_server) == 6


CLOSE = """mutation($data: PetShopInput!) { petShopMutation { close(data: $data) {
  status } } }"""


@pytest.mark.parametrize(("level", "shown"), [("ERROR", []), ("WARN", []),
                                              ("SUCCESS", ["SUCCESS"]), ("DEBUG", ["SUCCESS"])])
def test_business_messages_are_shown_from_msg_level_up(server: Server, level: str,
                                                       shown: list[str]) -> None:
    shop = server.gql('mutation { petShopMutation { create(data: {name: "Corner"}) '
                      "{ id optVersion } } }").ok()["petShopMutation"]["create"]
    answer = server.gql(CLOSE, {"data": {"id": shop["id"], "optVersion": shop["optVersion"]},
                                "requestStrategy": {"msgLevel": level}})
    assert answer.status == 200 and answer.success is True
    assert answer.data == {"petShopMutation": {"close": {"status": "CLOSED"}}}
    assert [m["level"] for m in answer.messages] == shown
    if shown:
        assert answer.messages[0] == {"level": "SUCCESS", "message": "shop Corner is closed",
                                      "code": None, "model": "demo.PetShop", "field": None,
                                      "path": None}


def test_messages_outside_a_request_are_dropped() -> None:
    from modelry import messages
    messages.info("nobody listens")  # no error, nothing kept
    with messages.collecting([]) as sink:
        messages.warn("careful", code="CAREFUL", field="name")
    assert sink == [{"level": "WARN", "message": "careful", "code": "CAREFUL", "model": None,
                     "field": "name", "path": None}]
