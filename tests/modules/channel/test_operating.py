"""Operator tools on each database: a manual completion takes the supplier-success path
(password again, a note, logged, the amount unchanged); a refund gives every movement
back; the merchant is notified of final statuses once, signed; a retired channel is never
routed to; a supplier's mapping is checked and dry-run with its secret masked."""
from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import pytest

from modelry import DataError, ModelryError
from modelry.core.security.identity import Identity, acting
from modelry.modules.channel import signing
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.fulfilling import order_number
from modelry.modules.channel.merchants import Merchant, MerchantKey
from modelry.modules.channel.operating import (check_supplier, complete_order,
                                               dry_run_supplier, place_test_order,
                                               refund_order, retire_channel)
from modelry.modules.channel.orders import (OrderShare, OrderStatus, RechargeAttempt,
                                            RechargeOrder)
from modelry.modules.channel.suppliers import Channel, Supplier
from tests.functions.helpers import Client
from tests.modules.channel.conftest import Shop, posted, run_tasks
from tests.modules.channel.fake_supplier import SECRET
from tests.receiver import Receiver
from tests.security.conftest import make_user

PASSWORD = "op3rator!"


def _pending(shop: Shop, number: str = "M-1") -> object:
    shop.supplier.script["13855555555"] = ["pending"]
    with shop.app.transaction():
        order = place_order("shop-1", number, "mobile-cn", "13855555555", Decimal("100"))
    run_tasks(shop.app)
    return order


def test_a_manual_completion_takes_the_success_path(shop: Shop) -> None:
    order = _pending(shop)
    ops = Identity(user_id=make_user(shop.app, "ops", PASSWORD), login="ops")
    with acting(ops), pytest.raises(ModelryError) as wrong, shop.app.transaction():
        complete_order(order_number(order), "paid at the counter", "guess")
    assert wrong.value.code == "PASSWORD_NOT_CONFIRMED"
    with acting(ops), shop.app.transaction():
        done = complete_order(order_number(order), "paid at the counter", PASSWORD)
    assert (done.status, done.amount, done.supplier_reference) == \
        (OrderStatus.SUCCEEDED, Decimal(100), "manual")
    manual = RechargeAttempt.query_one(order=order.id, kind="manual")
    assert manual.request["who"] == ops.user_id and posted("a1") == Decimal("0.50")
    with acting(ops), pytest.raises(DataError) as twice, shop.app.transaction():
        complete_order(order_number(order), "again", PASSWORD)
    assert twice.value.code == "ORDER_STATE"


def test_a_refund_gives_every_movement_back(shop: Shop) -> None:
    with shop.app.transaction():
        order = place_order("shop-1", "F-1", "mobile-cn", "13800000000", Decimal("100"))
    run_tasks(shop.app)
    assert posted("m1") == Decimal("901.50")
    with shop.app.transaction():
        refunded = refund_order(order_number(order), "the number was wrong")
    assert refunded.status is OrderStatus.REFUNDED
    assert (posted("m1"), posted("a1"), posted("sup"), posted("channel:revenue"),
            posted("channel:clearing")) == (1000, 0, 0, 0, 0)
    with pytest.raises(DataError) as again, shop.app.transaction():
        refund_order(order_number(order), "twice")
    assert again.value.code == "ORDER_STATE"


@pytest.fixture
def merchant_url(shop: Shop) -> Iterator[Receiver]:
    served = Receiver()
    with shop.app.transaction():
        Merchant.update_where({"id": shop.merchant.id}, notify_url=served.url)
        MerchantKey(merchant=shop.merchant.id, key_id="mk_notifications01",
                    secret=signing.secret_text(b"k" * 32)).create()
    yield served
    served.close()


def test_final_statuses_are_notified_once_signed(shop: Shop, merchant_url: Receiver) -> None:
    shop.supplier.script["13822222222"] = ["fail"]
    with shop.app.transaction():
        won = place_order("shop-1", "N-1", "mobile-cn", "13800000000", Decimal("100"))
        place_order("shop-1", "N-2", "mobile-cn", "13822222222", Decimal("50"))
    run_tasks(shop.app)
    run_tasks(shop.app)                               # the webhooks queued by the outcomes
    seen = {json.loads(body)["merchant_order_no"]: (headers, json.loads(body))
            for headers, body in merchant_url.received}
    assert {k: v[1]["status"] for k, v in seen.items()} == {"N-1": "SUCCEEDED",
                                                            "N-2": "FAILED"}
    headers, payload = seen["N-1"]
    assert headers["X-Event-Id"] == f"recharge-{won.id}-succeeded"
    assert headers["X-Key-Id"] == "mk_notifications01" and payload["price"] == "98.50"
    assert len(merchant_url.received) == 2


def test_a_retired_channel_is_never_routed_to(shop: Shop) -> None:
    with shop.app.transaction():
        retire_channel("fake-fixed")
        order = place_order("shop-1", "G-1", "mobile-cn", "13800000000", Decimal("100"))
    assert order.channel_id == shop.dear.id and order.cost == Decimal("97.50")


def test_a_suppliers_mapping_is_checked_and_dry_run_masked(shop: Shop) -> None:
    with shop.app.transaction():
        assert check_supplier("fake") == []
        preview = dry_run_supplier("fake", "submit", target="13900000000",
                                   amount=Decimal(50))
        Supplier.update_where({"code": "fake"}, mapping={"submit": {"url": "x"}})
        problems = check_supplier("fake")
    assert preview["fields"]["mobile"] == "13900000000" and preview["fields"]["face"] == "50"
    assert SECRET not in json.dumps(preview)
    assert problems and all(isinstance(p, str) for p in problems)
    assert RechargeOrder.count() == 0


def test_a_test_order_tests_one_channel_and_shares_nothing(shop: Shop) -> None:
    shop.supplier.script["13866666666"] = ["fail"]
    with shop.app.transaction():
        Channel.update_where({"id": shop.dear.id}, enabled=False)
        tried = place_test_order("shop-1", "mobile-cn", "13866666666", Decimal("100"),
                                 channel="fake-any")
    assert (tried.test, tried.channel_id, tried.cost) == (True, shop.dear.id,
                                                          Decimal("97.50"))
    run_tasks(shop.app)
    assert RechargeOrder.query_by_id(tried.id).status is OrderStatus.FAILED   # no fallback
    assert OrderShare.count(order=tried.id) == 0
    with pytest.raises(DataError) as refused, shop.app.transaction():
        place_order("shop-1", "X-1", "mobile-cn", "13800000000", Decimal(100),
                    only_channel="fake-any")
    assert refused.value.code == "ORDER_INVALID"


def test_a_client_cannot_save_a_broken_mapping(shop: Shop) -> None:
    answer = Client(shop.app).gql(
        'mutation($m: JSON) { supplierMutation { update(data: {id: "%s", mapping: $m}) '
        '{ id } } }' % Supplier.query_one(code="fake").id,
        {"m": {"submit": {"url": "{order.nothing}"}}})
    assert answer.codes == ["MAPPING_INVALID"]
    assert Supplier.query_one(code="fake").mapping["submit"]["method"] == "POST"
