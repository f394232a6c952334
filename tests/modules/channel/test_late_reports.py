"""Reports that come late (found by the fault scheduler): each submission is sent as a
number of its own, so a late FAIL of an earlier submission never fails the current one; a
supplier's success after the order failed is never charged but kept for an operator; an
order that never settles cannot starve the queries of the others."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from modelry.modules.channel import fulfilling
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.fulfilling import order_number, requery_submitted
from modelry.modules.channel.orders import OrderStatus, RechargeAttempt, RechargeOrder
from tests.modules.channel.conftest import Shop, posted, run_tasks

def _numbers(order: object) -> list[str]:
    return [a.supplier_number for a in RechargeAttempt.query_list(
        order=order.id, kind="submit", sort="number")]


def test_a_late_fail_of_an_earlier_submission_leaves_the_current_one(shop: Shop) -> None:
    shop.supplier.script["13811111111"] = ["fail", "hang_up"]
    with shop.app.transaction():
        order = place_order("shop-1", "X-1", "mobile-cn", "13811111111", Decimal("100"))
    run_tasks(shop.app)                       # failed on the first channel, rerouted, unheard
    first, second = _numbers(order)
    assert (first, second) == (order_number(order), f"{order_number(order)}-2")
    assert shop.supplier.call_back(first, "FAIL").status_code == 200
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.SUBMITTED
    assert shop.supplier.call_back(second, "SUCCESS").status_code == 200
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.SUCCEEDED
    assert posted("sup") == Decimal("97.50")


def test_a_success_after_the_order_failed_is_kept_not_charged(shop: Shop) -> None:
    shop.supplier.script["13822222222"] = ["fail"]
    with shop.app.transaction():
        order = place_order("shop-1", "Y-1", "mobile-cn", "13822222222", Decimal("100"))
    run_tasks(shop.app)
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.FAILED
    assert shop.supplier.call_back(_numbers(order)[-1], "SUCCESS").status_code == 200
    [late] = RechargeAttempt.query_list(order=order.id, kind="late")
    assert late.status.value == "SUCCEEDED" and "not charged" in late.message
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.FAILED
    assert posted("m1") == 1000 and posted("sup") == 0


def test_an_order_that_never_settles_cannot_starve_the_others(
        shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fulfilling, "REQUERY_BATCH", 1)
    shop.supplier.script["13800000001"] = ["garbage"]     # the supplier never has it
    shop.supplier.script["13800000002"] = ["hang_up"]     # done, unheard
    with shop.app.transaction():
        place_order("shop-1", "S-1", "mobile-cn", "13800000001", Decimal("100"))
    run_tasks(shop.app)
    with shop.app.transaction():
        second = place_order("shop-1", "S-2", "mobile-cn", "13800000002", Decimal("100"))
    run_tasks(shop.app)
    for _ in range(3):
        with shop.app.transaction():
            requery_submitted(fulfilling.utc_now() + dt.timedelta(hours=1))
        run_tasks(shop.app)
    assert RechargeOrder.query_by_id(second.id).status is OrderStatus.SUCCEEDED
