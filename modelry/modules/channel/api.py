"""The merchant API and supplier callbacks over HTTP.

Merchants sign each request (`signing`: key id, timestamp, nonce, HMAC-SHA256 of the body):
- `POST /api/channel/orders` with `{"merchant_order_no", "product", "target", "amount"}`
  places a direct-recharge order (`place_order`) and answers it;
- `POST /api/channel/orders/query` with `{"merchant_order_no"}` answers the order.

A request whose signature does not verify, whose timestamp is outside the window, whose key
is unknown or inactive, or that comes from an address outside the merchant's `ip_ranges`,
is answered 401 with its code; a nonce seen before is a replay (NONCE_REPLAYED, 401). Each
nonce is kept (`channel.RequestNonce`, unique per key) in a transaction of its own before
the order is placed, so a replay is refused even when the first request was.

Suppliers post callbacks to `POST /api/channel/suppliers/{code}/callback` (JSON or a form),
read and verified through the supplier's declared mapping (a coded supplier's: by its
provider's `callback`, see `providers`), and applied through the same path as every
outcome (`fulfilling.apply_outcome`).
"""
from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from modelry import (DataError, HttpRequest, HttpResponse, ModelryError, UniqueViolation,
                     endpoint, transaction)
from modelry.modules.channel import mapping, providers, signing
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.fulfilling import apply_outcome
from modelry.modules.channel.merchants import Merchant, MerchantKey, MerchantStatus
from modelry.modules.channel.orders import RechargeAttempt, RechargeOrder, RequestNonce
from modelry.modules.channel.suppliers import Channel, Supplier
from modelry.modules.channel.views import order_view

WINDOW = 300                    # seconds a signed request stays valid


def _refused(code: str, message: str, status: int = 401) -> HttpResponse:
    return HttpResponse.json({"code": code, "message": message}, status)


def _signer(request: HttpRequest) -> Any:
    """The merchant that signed `request` (SignatureError / DataError otherwise)."""
    keys: dict[str, Any] = {}

    def secret_of(key_id: str) -> bytes | None:
        key = MerchantKey.query_one(key_id=key_id, active=True)
        keys[key_id] = key
        return None if key is None else signing.secret_bytes(key.secret)

    signed = signing.verify(request.headers, request.body, secret_of, now=int(time.time()),
                            window=WINDOW)
    merchant = Merchant.query_by_id(keys[signed.key_id].merchant_id)
    if merchant.status is not MerchantStatus.ACTIVE:
        raise DataError(f"channel.Merchant {merchant.code!r} is {merchant.status.value}",
                        code="MERCHANT_NOT_ACTIVE", model="channel.Merchant", field="status")
    ranges = [r.strip() for r in (merchant.ip_ranges or "").split(",") if r.strip()]
    if not signing.ip_allowed(request.client, ranges):
        raise DataError(f"channel.Merchant {merchant.code!r}: address {request.client} is "
                        "not allowed", code="IP_NOT_ALLOWED", model="channel.Merchant",
                        field="ip_ranges")
    try:
        with transaction():
            RequestNonce(key_id=signed.key_id, nonce=signed.nonce,
                         seen_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
                         ).create()
    except UniqueViolation:
        raise DataError("channel.RequestNonce: this nonce was used before (a replay)",
                        code="NONCE_REPLAYED", model="channel.RequestNonce",
                        field="nonce") from None
    return merchant


def _signed(answer: Callable[[Any, dict[str, Any]], HttpResponse]
            ) -> Callable[[HttpRequest], HttpResponse]:
    """An endpoint answering `answer(merchant, body)` for requests the merchant signed,
    and 401 with the code for the others."""
    @functools.wraps(answer)
    def handle(request: HttpRequest) -> HttpResponse:
        try:
            merchant = _signer(request)
        except ModelryError as error:
            return _refused(error.code, error.message)
        body = request.json()
        if not isinstance(body, dict):
            return _refused("BAD_REQUEST", "the body is a JSON object", 400)
        return answer(merchant, body)
    return handle


@endpoint("/orders")
@_signed
def place(merchant: Any, body: dict[str, Any]) -> HttpResponse:
    """Place a direct-recharge order."""
    order = place_order(merchant.code, str(body.get("merchant_order_no") or ""),
                        str(body.get("product") or ""), str(body.get("target") or ""),
                        body.get("amount"))
    return HttpResponse.json(order_view(order))


@endpoint("/orders/query")
@_signed
def query(merchant: Any, body: dict[str, Any]) -> HttpResponse:
    """Answer one of the merchant's orders."""
    order = RechargeOrder.query_one(merchant=merchant.id,
                                    merchant_order_no=str(body.get("merchant_order_no")))
    if order is None:
        return _refused("ORDER_NOT_FOUND", "no order with that number", 404)
    return HttpResponse.json(order_view(order))


@endpoint("/suppliers/{code}/callback")
def supplier_callback(request: HttpRequest) -> HttpResponse:
    """A supplier's report of an order, applied once through the one path."""
    supplier = Supplier.query_one(code=request.path_params["code"])
    if supplier is None:
        return _refused("SUPPLIER_NOT_FOUND", "no such supplier", 404)
    if providers.is_coded(supplier):
        report = providers.provider_for(supplier).callback(request.headers, request.body)
        number, outcome = report.number, report.outcome
        ack = HttpResponse(200, report.ack.encode("utf-8"), media_type=report.media_type)
    else:
        number, outcome = mapping.read_callback(supplier.mapping, _fields(request),
                                                supplier.secret or "")
        ack = HttpResponse(200, mapping.callback_ack(supplier.mapping).encode("utf-8"),
                           media_type="text/plain")
    channels = [c.id for c in Channel.query_list(supplier=supplier.id)]
    sent = RechargeAttempt.query_list(supplier_number=number, kind="submit",
                                      channel__in=channels, limit=1) if channels else []
    if not sent:
        return _refused("ORDER_NOT_FOUND", f"no order {number!r} with this supplier", 404)
    # reported for the channel it was sent over: a late report of an earlier submission
    # never decides the current one
    apply_outcome(sent[0].order_id, outcome, channel=sent[0].channel_id)
    return ack


def _fields(request: HttpRequest) -> dict[str, str]:
    """A callback's fields, from a JSON object or a form."""
    if "json" in request.headers.get("content-type", ""):
        value = request.json()
        return {str(k): "" if v is None else str(v) for k, v in value.items()} \
            if isinstance(value, dict) else {}
    return dict(parse_qsl(request.text(), keep_blank_values=True))
