"""Providers post callbacks over HTTP: `POST /api/order/callbacks/local` with the signed
body pays the order (200); a redelivery is answered the same and changes nothing; a bad
signature is a 400 with its code and changes nothing."""
from __future__ import annotations

from starlette.testclient import TestClient

from modelry.boot import App
from modelry.modules.order.models import Callback, Order, OrderStatus
from tests.modules.order.conftest import REFERENCE, signed

URL = "/api/order/callbacks/local"


def test_a_signed_callback_over_http_pays_the_order_once(shop: App) -> None:
    headers, body = signed("ev-http-1")
    client = TestClient(shop.asgi)            # no lifespan: the fixture closes the app
    first = client.post(URL, content=body, headers=headers)
    again = client.post(URL, content=body, headers=headers)
    forged = client.post(URL, content=body.replace("12.50", "1.00"), headers=headers)
    assert first.status_code == 200 and first.json()["status"] == "PAID"
    assert (first.json()["code"], first.json()["outcome"]) == ("ok", "applied")
    assert again.status_code == 200 and again.json() == first.json()
    assert (forged.status_code, forged.json()["code"]) == (400, "CALLBACK_BAD_SIGNATURE")
    assert Order.query_one(reference=REFERENCE).status is OrderStatus.PAID
    assert Callback.count(event_id="ev-http-1") == 1
