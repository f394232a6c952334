"""The signed merchant API and supplier callbacks over HTTP: a signed order is placed and
answered; a bad signature, an old timestamp, an unknown key, a replayed nonce and an
address outside the merchant's ranges are refused (401, with their code) with nothing
written; a supplier's callback is verified by its mapping and applied once."""
from __future__ import annotations

import time
from decimal import Decimal

import pytest
from starlette.testclient import TestClient

from modelry.modules.channel import signing
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.fulfilling import order_number
from modelry.modules.channel.merchants import Merchant, MerchantKey
from modelry.modules.channel.orders import OrderStatus, RechargeOrder
from tests.modules.channel.conftest import Shop, posted, run_tasks

ORDER = {"merchant_order_no": "W-1", "product": "mobile-cn", "target": "13800000000",
         "amount": "100"}


@pytest.fixture
def keyed(shop: Shop) -> tuple[Shop, str, bytes]:
    key_id, secret = signing.new_key()
    with shop.app.transaction():
        MerchantKey(merchant=shop.merchant.id, key_id=key_id,
                    secret=signing.secret_text(secret)).create()
    return shop, key_id, secret


def _post(shop: Shop, path: str, body: dict, key_id: str, secret: bytes,
          **signed: object) -> object:
    raw = signing.canonical_body(body)
    headers = signing.sign_headers(secret, key_id, raw, **signed)
    return TestClient(shop.app.asgi).post(path, content=raw, headers=headers)


def test_a_signed_order_is_placed_and_queried(keyed: tuple[Shop, str, bytes]) -> None:
    shop, key_id, secret = keyed
    placed = _post(shop, "/api/channel/orders", ORDER, key_id, secret)
    assert placed.status_code == 200, placed.text
    assert {k: placed.json()[k] for k in ("merchant_order_no", "price", "status")} == \
        {"merchant_order_no": "W-1", "price": "98.50", "status": "CREATED"}
    run_tasks(shop.app)
    asked = _post(shop, "/api/channel/orders/query", {"merchant_order_no": "W-1"}, key_id,
                  secret)
    assert asked.json()["status"] == "SUCCEEDED"
    missing = _post(shop, "/api/channel/orders/query", {"merchant_order_no": "nope"},
                    key_id, secret)
    assert (missing.status_code, missing.json()["code"]) == (404, "ORDER_NOT_FOUND")


def test_refused_requests_write_nothing(keyed: tuple[Shop, str, bytes]) -> None:
    shop, key_id, secret = keyed
    client = TestClient(shop.app.asgi)
    raw = signing.canonical_body(ORDER)
    good = signing.sign_headers(secret, key_id, raw, nonce="nonce-0001")
    cases = {
        "SIGNATURE_INVALID": (raw.replace(b"100", b"200"), good),
        "TIMESTAMP_OUTSIDE_WINDOW": (raw, signing.sign_headers(
            secret, key_id, raw, timestamp=int(time.time()) - 3600)),
        "KEY_UNKNOWN": (raw, signing.sign_headers(secret, "mk_unknownunknown1", raw)),
        "SIGNATURE_MISSING": (raw, {}),
    }
    for code, (body, headers) in cases.items():
        answer = client.post("/api/channel/orders", content=body, headers=headers)
        assert (answer.status_code, answer.json()["code"]) == (401, code), code
    assert RechargeOrder.count() == 0
    assert client.post("/api/channel/orders", content=raw, headers=good).status_code == 200
    replay = client.post("/api/channel/orders", content=raw, headers=good)
    assert (replay.status_code, replay.json()["code"]) == (401, "NONCE_REPLAYED")
    assert RechargeOrder.count() == 1
    with shop.app.transaction():
        Merchant.update_where({"id": shop.merchant.id}, ip_ranges="10.0.0.0/8")
    fenced = _post(shop, "/api/channel/orders", {**ORDER, "merchant_order_no": "W-2"},
                   key_id, secret)
    assert (fenced.status_code, fenced.json()["code"]) == (401, "IP_NOT_ALLOWED")
    assert RechargeOrder.count() == 1


def test_a_supplier_callback_is_verified_and_applied_once(shop: Shop) -> None:
    shop.supplier.script["13800000000"] = ["pending"]
    with shop.app.transaction():
        order = place_order("shop-1", "CB-1", "mobile-cn", "13800000000", Decimal("100"))
    run_tasks(shop.app)
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.SUBMITTED
    form = shop.supplier.callback(order_number(order), "SUCCESS")
    forged = shop.supplier.post_callback({**form, "state": "FAIL"})
    assert forged.status_code == 400 and forged.json()["code"] == "CALLBACK_BAD_SIGNATURE"
    first = shop.supplier.call_back(order_number(order), "SUCCESS")      # it calls back twice
    again = shop.supplier.call_back(order_number(order), "SUCCESS")
    assert (first.status_code, first.text, again.text) == (200, "success", "success")
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.SUCCEEDED
    assert posted("m1") == Decimal("901.50") and posted("a1") == Decimal("0.50")
