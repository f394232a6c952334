"""The demo's channel sample: loaded once; its orders go through the sandbox suppliers on
the real path (shared, failed over, routed past a refusing channel, failed and released),
and the merchant's balance and the agent's shares follow."""
from __future__ import annotations

from decimal import Decimal

from modelry.modules.channel.orders import OrderStatus, RechargeOrder
from modelry.modules.channel.sample import load_sample_data
from tests.modules.channel.conftest import posted


def test_the_sample_orders_run_through_the_sandbox(make_app) -> None:
    app = make_app(["channel"])
    with app.activate():
        with app.transaction():
            assert load_sample_data() == 3
            assert load_sample_data() == 0
        got = {o.merchant_order_no: (o.status, o.cost)
               for o in RechargeOrder.query_list()}
        assert got == {
            "E-1001": (OrderStatus.SUCCEEDED, Decimal("97.00")),
            "E-1002": (OrderStatus.SUCCEEDED, Decimal("48.75")),
            "E-1003": (OrderStatus.SUCCEEDED, Decimal("85.80")),
            "E-1004": (OrderStatus.FAILED, Decimal("29.25"))}
        # 98.50 + 49.25 + 86.68 charged; the agent keeps 0.5 % of each face value
        assert posted("shop-east") == Decimal("5000") - Decimal("234.43")
        assert posted("agent-east") == Decimal("0.50") + Decimal("0.25") + Decimal("0.44")
