"""The optimistic lock through GraphQL: optVersion required, stale versions refused with an
error that names the model, nothing written; a good version increments."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.graphql.conftest import Answer, Server

UPDATE = """mutation($data: PetShopInput!) { petShopMutation { update(data: $data) {
  id name income optVersion tags { name } items { itemName } } } }"""
READ = """{ petShopQuery { queryOne(query: {code: "S001"}) {
  id name income optVersion tags { name } items { itemName } } } }"""


def read(server: Server) -> dict[str, Any]:
    return server.gql(READ).ok()["petShopQuery"]["queryOne"]


def update(server: Server, **data: Any) -> Answer:
    return server.gql(UPDATE, {"data": data})


def test_update_without_opt_version_is_refused(sample_server: Server) -> None:
    before = read(sample_server)
    answer = update(sample_server, id=before["id"], name="No version")
    assert answer.status == 200
    assert answer.data is None and answer.success is False
    [error] = answer.errors
    assert error["extensions"]["code"] == "OPT_VERSION_REQUIRED"
    assert error["path"] == ["petShopMutation", "update"]
    [message] = answer.messages
    assert (message["code"], message["model"], message["field"]) == (
        "OPT_VERSION_REQUIRED", "demo.PetShop", "opt_version")
    null_version = update(sample_server, id=before["id"], name="No version", optVersion=None)
    assert null_version.codes == ["OPT_VERSION_REQUIRED"]
    assert read(sample_server) == before


def test_a_stale_version_is_an_error_and_writes_nothing(sample_server: Server) -> None:
    before = read(sample_server)
    assert before["optVersion"] == "0"
    answer = update(sample_server, id=before["id"], optVersion="7", name="Stale",
                    income="1", tags=[], items=[])
    assert answer.data is None and answer.success is False
    assert answer.codes == ["OPTIMISTIC_LOCK"]
    [message] = answer.messages
    assert message["code"] == "OPTIMISTIC_LOCK" and message["model"] == "demo.PetShop"
    assert "demo.PetShop" in message["message"] and "optVersion 7" in message["message"]
    assert message["path"] == ["petShopMutation", "update"]
    assert read(sample_server) == before       # neither the fields nor the relations moved


def test_the_right_version_increments(sample_server: Server) -> None:
    shop = read(sample_server)
    first = update(sample_server, id=shop["id"], optVersion="0", name="First").ok()
    assert first["petShopMutation"]["update"]["optVersion"] == "1"
    second = update(sample_server, id=shop["id"], optVersion="1", income="5.5").ok()
    assert second["petShopMutation"]["update"]["optVersion"] == "2"
    assert (second["petShopMutation"]["update"]["name"],
            second["petShopMutation"]["update"]["income"]) == ("First", "5.5000")
    replayed = update(sample_server, id=shop["id"], optVersion="1", name="Replayed")
    assert replayed.codes == ["OPTIMISTIC_LOCK"]
    assert read(sample_server)["name"] == "First"
    assert read(sample_server)["optVersion"] == "2"


def test_two_front_ends_editing_the_same_shop(sample_server: Server) -> None:
    alice = read(sample_server)
    bob = read(sample_server)
    update(sample_server, id=alice["id"], optVersion=alice["optVersion"], name="Alice's").ok()
    lost = update(sample_server, id=bob["id"], optVersion=bob["optVersion"], name="Bob's")
    assert lost.codes == ["OPTIMISTIC_LOCK"]
    reloaded = read(sample_server)
    assert (reloaded["name"], reloaded["optVersion"]) == ("Alice's", "1")
    update(sample_server, id=reloaded["id"], optVersion=reloaded["optVersion"],
           name="Bob's").ok()
    assert read(sample_server)["name"] == "Bob's"


def test_concurrent_updates_with_one_version_let_exactly_one_through(
        sample_server: Server) -> None:
    shop = read(sample_server)

    def attempt(number: int) -> dict[str, Any]:
        with httpx.Client(base_url=sample_server.url, timeout=60) as client:
            response = client.post("/graphql", json={"query": UPDATE, "variables": {"data": {
                "id": shop["id"], "optVersion": "0", "name": f"Writer {number}"}}})
        assert response.status_code == 200
        assert "Traceback" not in response.text
        return response.json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, range(8)))
    winners = [a for a in answers if a["extensions"]["success"]]
    losers = [a for a in answers if not a["extensions"]["success"]]
    assert len(winners) == 1, answers
    assert {e["extensions"]["code"] for a in losers for e in a["errors"]} == {"OPTIMISTIC_LOCK"}
    final = read(sample_server)
    assert final["optVersion"] == "1"
    assert final["name"] == winners[0]["data"]["petShopMutation"]["update"]["name"]


def test_models_without_the_lock_update_without_a_version(sample_server: Server) -> None:
    item = sample_server.gql('{ petItemQuery { queryOne(query: {itemName: "Item 1.1"}) '
                             '{ id } } }').ok()["petItemQuery"]["queryOne"]
    updated = sample_server.gql('mutation($data: PetItemInput!) { petItemMutation { '
                                'update(data: $data) { itemName stock } } }',
                                {"data": {"id": item["id"], "stock": 100}}).ok()
    assert updated["petItemMutation"]["update"] == {"itemName": "Item 1.1", "stock": 100}
