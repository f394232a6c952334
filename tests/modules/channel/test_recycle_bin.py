"""The channels' recycle bin (issue 17; `archived="retired"`), on each database: a retired
channel leaves the GraphQL lists, comes back in them when the filter names `retired`, and
still resolves from the orders that used it; a supplier's late report for an order sent
over it still applies; restoring it puts it back in the lists."""
from __future__ import annotations

from decimal import Decimal

from starlette.testclient import TestClient

from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.operating import restore_channel, retire_channel
from modelry.modules.channel.orders import OrderStatus, RechargeAttempt, RechargeOrder
from tests.functions.helpers import Client
from tests.modules.channel.conftest import Shop, run_tasks

LIST = '''query($rsql: String) { channelQuery {
  queryPage(page: {currentPage: 1, size: 10}, queryWrapper: {rsql: $rsql}) {
    content { code retired } totalElements }
  countByWrapper(queryWrapper: {rsql: $rsql}) } }'''


def _listed(client: Client, rsql: str | None = None) -> tuple[list[str], int]:
    data = client.gql(LIST, {"rsql": rsql}).ok()["channelQuery"]
    assert data["queryPage"]["totalElements"] == data["countByWrapper"]
    return sorted(c["code"] for c in data["queryPage"]["content"]), data["countByWrapper"]


def test_a_retired_channel_leaves_the_lists_unless_asked_for(shop: Shop) -> None:
    client = Client(shop.app)
    assert _listed(client) == (["fake-any", "fake-fixed"], 2)
    with shop.app.transaction():
        retire_channel("fake-fixed")
    assert _listed(client) == (["fake-any"], 1)
    assert _listed(client, "code=like=fake") == (["fake-any"], 1)
    assert _listed(client, "retired==true") == (["fake-fixed"], 1)
    assert _listed(client, "retired=in=(true,false)") == (["fake-any", "fake-fixed"], 2)
    with shop.app.transaction():
        restore_channel("fake-fixed")
    assert _listed(client) == (["fake-any", "fake-fixed"], 2)


def test_an_order_still_shows_its_retired_channel(shop: Shop) -> None:
    with shop.app.transaction():
        order = place_order("shop-1", "R-1", "mobile-cn", "13800000000", Decimal("100"))
        retire_channel("fake-fixed")
    assert order.channel_id == shop.cheap.id
    data = Client(shop.app).gql('query($id: Long) { rechargeOrderQuery { '
                                'queryOne(query: {id: $id}) { channel { code retired } } '
                                'queryPage { content { channel { code } } } } '
                                'channelQuery { queryOne(query: {code: "fake-fixed"}) { code } } }',
                                {"id": str(order.id)}).ok()
    assert data["rechargeOrderQuery"]["queryOne"]["channel"] == {"code": "fake-fixed",
                                                                 "retired": True}
    assert data["rechargeOrderQuery"]["queryPage"]["content"] == [
        {"channel": {"code": "fake-fixed"}}]
    assert data["channelQuery"]["queryOne"] == {"code": "fake-fixed"}


def test_a_late_report_over_a_retired_channel_still_applies(shop: Shop) -> None:
    shop.supplier.script["13855555555"] = ["pending"]
    with shop.app.transaction():
        order = place_order("shop-1", "R-2", "mobile-cn", "13855555555", Decimal("100"))
    run_tasks(shop.app)
    with shop.app.transaction():
        retire_channel("fake-fixed")
    [sent] = RechargeAttempt.query_list(order=order.id, kind="submit")
    answer = TestClient(shop.app.asgi).post("/api/channel/suppliers/fake/callback",
                                            data=shop.supplier.callback(sent.supplier_number,
                                                                        "SUCCESS"))
    assert answer.status_code == 200, answer.text
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.SUCCEEDED
