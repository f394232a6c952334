"""The demo's order sample on the order module alone: the local provider, one order paid
by a signed callback (logged), one waiting for its payment; loaded once."""
from __future__ import annotations

from modelry.boot import App
from modelry.modules.order.models import Order, OrderStatus, StatusLog
from modelry.modules.order.sample import load_sample_data


def test_the_sample_pays_one_order_and_leaves_one_pending(order_app: App) -> None:
    with order_app.transaction():
        assert load_sample_data(item=None) == 1
        assert load_sample_data(item=None) == 0
    status = {o.reference: o.status for o in Order.query_list()}
    assert status == {"DEMO-1": OrderStatus.PAID, "DEMO-2": OrderStatus.PENDING}
    assert [log.to_state for log in StatusLog.query_list(sort="id")] == \
        [OrderStatus.PENDING, OrderStatus.PAID]
