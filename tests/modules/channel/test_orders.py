"""Direct-recharge orders end to end on each database: accepted with a hold and a fee
snapshot, sent by a worker to the fake supplier, settled in one linked batch (the cost to
the supplier, the agent's share, the platform's margin); failed over to the next channel;
failed with the hold released; a timeout queried, never failed; refused with nothing
written when funds or channels are short; a callback applied once."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from modelry import DataError
from modelry.modules.account.models import Transfer
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.fulfilling import order_number, requery_submitted
from modelry.modules.channel.orders import (OrderShare, OrderStatus, RechargeAttempt,
                                            RechargeOrder)
from tests.modules.channel.conftest import Shop, impatient, posted, run_tasks


def _place(shop: Shop, number: str, amount: str = "100", target: str = "13800000000"):
    with shop.app.transaction():
        return place_order("shop-1", number, "mobile-cn", target, Decimal(amount))


def _order(number: str):
    return RechargeOrder.query_one(merchant_order_no=number)


def test_an_order_is_held_sent_and_settled_with_every_share(shop: Shop) -> None:
    order = _place(shop, "A-1")
    assert (order.status, order.merchant_price, order.cost, order.platform_profit) == \
        (OrderStatus.CREATED, Decimal("98.50"), Decimal("97.00"), Decimal("1.00"))
    [share] = OrderShare.query_list(order=order.id)
    assert (share.level, share.sells_at, share.buys_at, share.profit) == \
        (1, Decimal("98.50"), Decimal("98.00"), Decimal("0.50"))
    assert posted("m1") == 1000                      # held, not posted yet
    run_tasks(shop.app)
    done = _order("A-1")
    assert (done.status, done.supplier_reference) == \
        (OrderStatus.SUCCEEDED, f"T-{order_number(order)}")
    assert (posted("m1"), posted("a1"), posted("sup"), posted("channel:revenue")) == \
        (Decimal("901.50"), Decimal("0.50"), Decimal("97.00"), Decimal("1.00"))
    assert posted("channel:clearing") == 0
    assert sorted(t.key for t in Transfer.query_list() if t.key.startswith("recharge-")) == \
        sorted(f"recharge-{order.id}{end}" for end in ("", "-post", "-cost", "-share-1",
                                                       "-profit"))


def test_the_same_order_number_answers_the_same_order_or_a_conflict(shop: Shop) -> None:
    first = _place(shop, "A-1")
    assert _place(shop, "A-1").id == first.id
    with pytest.raises(DataError) as refused:
        _place(shop, "A-1", amount="50")
    assert (refused.value.code, refused.value.field) == ("DUPLICATE_ORDER_NO",
                                                         "merchant_order_no")
    assert RechargeOrder.count() == 1


def test_a_failed_channel_falls_back_to_the_next(shop: Shop) -> None:
    shop.supplier.script["13811111111"] = ["fail", "succeed"]
    order = _place(shop, "B-1", target="13811111111")
    run_tasks(shop.app)
    done = _order("B-1")
    assert (done.status, done.channel_id, done.cost, done.platform_profit) == \
        (OrderStatus.SUCCEEDED, shop.dear.id, Decimal("97.50"), Decimal("0.50"))
    assert [(a.channel_id, a.status.value) for a in
            RechargeAttempt.query_list(order=order.id, sort="number")] == \
        [(shop.cheap.id, "FAILED"), (shop.dear.id, "SUCCEEDED")]
    assert posted("sup") == Decimal("97.50") and posted("a1") == Decimal("0.50")


def test_when_every_channel_fails_the_hold_is_released(shop: Shop) -> None:
    shop.supplier.script["13822222222"] = ["fail"]
    _place(shop, "C-1", target="13822222222")
    run_tasks(shop.app)
    assert _order("C-1").status is OrderStatus.FAILED
    assert posted("m1") == 1000 and posted("sup") == 0 and posted("a1") == 0


def test_an_unanswered_order_is_queried_not_failed(shop: Shop) -> None:
    shop.supplier.script["13833333333"] = ["timeout"]
    with impatient(shop):
        _place(shop, "D-1", target="13833333333")
        run_tasks(shop.app)
    assert _order("D-1").status is OrderStatus.SUBMITTED
    with shop.app.transaction():
        requery_submitted(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
                          + dt.timedelta(minutes=5))
    run_tasks(shop.app)
    assert _order("D-1").status is OrderStatus.SUCCEEDED
    assert posted("m1") == Decimal("901.50")


@pytest.mark.parametrize(("amount", "code"), [("100000", "NO_CHANNEL"),
                                              ("1020", "INSUFFICIENT_FUNDS"),
                                              ("-5", "AMOUNT_INVALID")])
def test_a_refused_order_writes_nothing(shop: Shop, amount: str, code: str) -> None:
    with pytest.raises(DataError) as refused:
        _place(shop, "E-1", amount=amount)
    assert refused.value.code == code
    assert RechargeOrder.count() == 0 and OrderShare.count() == 0
    assert posted("m1") == 1000
