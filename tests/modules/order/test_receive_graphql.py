"""`receiveCallback` through GraphQL (in-process, as anonymous granted the module): one call
pays the order and answers "ok"; a tampered one answers its code, not an error."""
from __future__ import annotations

from modelry.boot import App
from modelry.modules.order.models import Order, OrderStatus, StatusLog
from tests.functions.helpers import Client
from tests.modules.order.conftest import REFERENCE, signed

RECEIVE = """mutation($p: String!, $h: JSON!, $b: String!) { callbackMutation {
  receiveCallback(provider: $p, headers: $h, body: $b) {
    code outcome order status redelivered } } }"""


def test_receive_callback_through_graphql(shop: App) -> None:
    client = Client(shop)
    headers, body = signed("ev-1")
    tampered = client.gql(RECEIVE, {"p": "local", "h": headers, "b": body + " "}).ok()
    assert tampered["callbackMutation"]["receiveCallback"]["code"] == "CALLBACK_BAD_SIGNATURE"
    answer = client.gql(RECEIVE, {"p": "local", "h": headers, "b": body}).ok()
    assert answer["callbackMutation"]["receiveCallback"] == {
        "code": "ok", "outcome": "applied", "order": REFERENCE, "status": "PAID",
        "redelivered": False}
    assert Order.query_one(reference=REFERENCE).status is OrderStatus.PAID
    assert StatusLog.count() == 1


def test_the_order_model_and_the_sort_key_input_share_the_schema(shop: App) -> None:
    """`order.Order` is named like the built-in sort key input `Order`: its types take the
    module's prefix (`OrderOrder`), and both work in one query."""
    data = Client(shop).gql(
        """query($orders: [Order!]) { __type(name: "OrderOrder") { name }
             orderQuery { queryPage(page: {size: 5, sort: {orders: $orders}}) {
               content { __typename reference status } } } }""",
        {"orders": [{"field": "reference", "direction": "DESC"}]}).ok()
    assert data["__type"] == {"name": "OrderOrder"}
    assert data["orderQuery"]["queryPage"]["content"] == [
        {"__typename": "OrderOrder", "reference": REFERENCE, "status": "CREATED"}]
