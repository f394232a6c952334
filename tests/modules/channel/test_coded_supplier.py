"""A supplier whose API needs code, on each database: "Acme" signs a JSON body by SHA-256
of the body and the secret in a header (no mapping can say so), so its `channel.Supplier`
is of kind "acme-json", a provider registered with `register_supplier_kind`. Orders over
it take the mapped path's every step: sent by the worker outside a transaction and logged
(what the provider sent, what it got, the secret masked), settled in the same linked
ledger batch, failed over to the next channel, queried after a timeout or an error, never
failed on one; its callbacks over HTTP verified by the provider and applied once. A kind
not registered is refused when a client saves it; a coded supplier needs no mapping."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from modelry import DataError, DeclarationError
from modelry.modules.channel import mapping, transport
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.fulfilling import order_number, requery_submitted
from modelry.modules.channel.mapping import PreparedRequest, SupplierOutcome
from modelry.modules.channel.operating import check_supplier, dry_run_supplier
from modelry.modules.channel.orders import OrderStatus, RechargeAttempt, RechargeOrder
from modelry.modules.channel.providers import (SUPPLIER_KINDS, CallbackReport, SupplierCall,
                                               SupplierError, register_supplier_kind)
from modelry.modules.channel.suppliers import Supplier
from tests.functions.helpers import Client
from tests.modules.channel.conftest import Shop, posted, run_tasks

ACME_SECRET = "acme-0123456789"
SIGNATURE = "x-acme-signature"
RESULTS = {"done": mapping.SUCCEEDED, "rejected": mapping.FAILED,
           "accepted": mapping.PENDING}


def acme_sign(body: bytes, secret: str) -> str:
    """Acme's rule: hex SHA-256 of the body, then the secret."""
    return hashlib.sha256(body + secret.encode()).hexdigest()


def _read(answer: Mapping[str, Any]) -> SupplierOutcome:
    raw = str(answer.get("result"))
    return SupplierOutcome(RESULTS.get(raw, mapping.UNKNOWN), answer.get("id"),
                           answer.get("note"), raw)


class AcmeProvider:
    """Acme's API, in code: each request a JSON body signed in a header."""

    def __init__(self, supplier: Any) -> None:
        self.secret = supplier.secret or ""

    def _post(self, call: SupplierCall, path: str, payload: dict[str, str]
              ) -> SupplierOutcome:
        body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json",
                   SIGNATURE: acme_sign(body, call.secret)}
        call.request = {"url": f"{call.endpoint}/{path}", "headers": headers,
                        "body": payload}
        answer = transport.send(PreparedRequest("POST", f"{call.endpoint}/{path}", headers,
                                                body, payload), call.timeout)
        if answer is None:
            return SupplierOutcome(mapping.UNKNOWN, None, "no answer in time", None)
        call.response = answer[1].decode()
        return _read(json.loads(answer[1]))

    def submit(self, call: SupplierCall) -> SupplierOutcome:
        return self._post(call, "orders", {"ref": call.number, "msisdn": call.target,
                                           "value": format(call.amount, "f")})

    def query(self, call: SupplierCall) -> SupplierOutcome:
        return self._post(call, "orders/status", {"ref": call.number})

    def callback(self, headers: Mapping[str, str], body: bytes) -> CallbackReport:
        given = headers.get(SIGNATURE, "")
        if not hmac.compare_digest(given.encode(), acme_sign(body, self.secret).encode()):
            raise SupplierError(mapping.CALLBACK_BAD_SIGNATURE, "Acme's signature does "
                                "not match the body", field=SIGNATURE)
        report = json.loads(body)
        return CallbackReport(report["ref"], _read(report), ack='{"received":true}',
                              media_type="application/json")


register_supplier_kind("acme-json", AcmeProvider)


@dataclass
class AcmeUpstream:
    """Acme's side: it checks each signature, and does what `script[target]` says of each
    submission in turn ("done", "rejected", "accepted", "timeout": done but no answer,
    "reset": the connection breaks); `state[number]` is what a status request answers."""

    script: dict[str, list[str]] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)

    def send(self, request: PreparedRequest, timeout: float) -> tuple[int, bytes] | None:
        assert request.headers[SIGNATURE] == acme_sign(request.body, ACME_SECRET)
        payload = json.loads(request.body)
        number = payload["ref"]
        if request.url.endswith("/orders/status"):
            return 200, json.dumps({"ref": number, "result": self.state.get(number, "none"),
                                    "id": f"AC-{number}"}).encode()
        planned = self.script.get(payload["msisdn"])
        step = planned.pop(0) if planned else "done"
        self.state[number] = {"timeout": "done", "reset": "done"}.get(step, step)
        if step == "timeout":
            return None
        if step == "reset":
            raise ConnectionResetError("connection reset by peer")
        return 200, json.dumps({"ref": number, "result": step, "id": f"AC-{number}",
                                "note": f"acme says {step}"}).encode()


@pytest.fixture
def acme(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> AcmeUpstream:
    """The test shop with its supplier turned into a coded Acme supplier (no mapping)."""
    upstream = AcmeUpstream()
    monkeypatch.setitem(transport.SEND, "send", upstream.send)
    with shop.app.transaction():
        Supplier.update_where({"code": "fake"}, kind="acme-json", mapping=None,
                              secret=ACME_SECRET, endpoint="https://acme.test/api")
    return upstream


def _place(shop: Shop, number: str, target: str = "13800000000") -> Any:
    with shop.app.transaction():
        return place_order("shop-1", number, "mobile-cn", target, Decimal("100"))


def _attempts(order: Any) -> list[Any]:
    return RechargeAttempt.query_list(order=order.id, sort="number")


def test_a_coded_supplier_settles_like_a_mapped_one(shop: Shop, acme: AcmeUpstream) -> None:
    order = _place(shop, "K-1")
    run_tasks(shop.app)
    done = RechargeOrder.query_by_id(order.id)
    assert (done.status, done.supplier_reference) == \
        (OrderStatus.SUCCEEDED, f"AC-{order_number(order)}")
    assert (posted("m1"), posted("a1"), posted("sup"), posted("channel:revenue"),
            posted("channel:clearing")) == \
        (Decimal("901.50"), Decimal("0.50"), Decimal("97.00"), Decimal("1.00"), 0)
    [attempt] = _attempts(order)
    assert (attempt.kind, attempt.status.value, attempt.message) == \
        ("submit", "SUCCEEDED", "acme says done")
    assert attempt.request["url"] == "https://acme.test/api/orders"
    assert attempt.request["body"] == {"ref": order_number(order), "msisdn": "13800000000",
                                       "value": "100"}
    assert json.loads(attempt.response)["result"] == "done"
    assert attempt.duration_ms is not None and ACME_SECRET not in json.dumps(attempt.request)


def test_a_failure_falls_back_to_the_next_channel(shop: Shop, acme: AcmeUpstream) -> None:
    acme.script["13811111111"] = ["rejected", "done"]
    order = _place(shop, "K-2", target="13811111111")
    run_tasks(shop.app)
    done = RechargeOrder.query_by_id(order.id)
    assert (done.status, done.channel_id, done.cost) == \
        (OrderStatus.SUCCEEDED, shop.dear.id, Decimal("97.50"))
    assert [(a.channel_id, a.status.value, a.supplier_number) for a in _attempts(order)] == \
        [(shop.cheap.id, "FAILED", order_number(order)),
         (shop.dear.id, "SUCCEEDED", f"{order_number(order)}-2")]
    assert posted("sup") == Decimal("97.50") and posted("m1") == Decimal("901.50")


@pytest.mark.parametrize("step", ["timeout", "reset"])
def test_no_answer_is_queried_never_failed(shop: Shop, acme: AcmeUpstream, step: str
                                          ) -> None:
    acme.script["13833333333"] = [step]
    order = _place(shop, "K-3", target="13833333333")
    run_tasks(shop.app)
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.SUBMITTED
    [sent] = _attempts(order)
    assert sent.status.value == "UNKNOWN" and posted("m1") == 1000
    assert sent.message == ("no answer in time" if step == "timeout" else
                            "ConnectionResetError: connection reset by peer")
    with shop.app.transaction():
        requery_submitted(dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
                          + dt.timedelta(minutes=5))
    run_tasks(shop.app)
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.SUCCEEDED
    [_, asked] = _attempts(order)
    assert (asked.kind, asked.status.value, asked.request["body"]) == \
        ("query", "SUCCEEDED", {"ref": order_number(order)})
    assert posted("m1") == Decimal("901.50") and posted("sup") == Decimal("97.00")


def test_a_callback_is_verified_by_the_provider_and_applied_once(
        shop: Shop, acme: AcmeUpstream) -> None:
    acme.script["13800000000"] = ["accepted"]
    order = _place(shop, "K-4")
    run_tasks(shop.app)
    assert RechargeOrder.query_by_id(order.id).status is OrderStatus.SUBMITTED
    client = TestClient(shop.app.asgi)
    url = "/api/channel/suppliers/fake/callback"
    body = json.dumps({"ref": order_number(order), "result": "done",
                       "id": "AC-77"}).encode()
    forged = client.post(url, content=body, headers={SIGNATURE: acme_sign(body, "guess")})
    assert (forged.status_code, forged.json()["code"]) == (400, "CALLBACK_BAD_SIGNATURE")
    signed = {SIGNATURE: acme_sign(body, ACME_SECRET), "Content-Type": "application/json"}
    first = client.post(url, content=body, headers=signed)
    again = client.post(url, content=body, headers=signed)
    assert (first.status_code, first.json(), again.status_code, again.json()) == \
        (200, {"received": True}, 200, {"received": True})
    done = RechargeOrder.query_by_id(order.id)
    assert (done.status, done.supplier_reference) == (OrderStatus.SUCCEEDED, "AC-77")
    assert (posted("m1"), posted("a1"), posted("sup")) == \
        (Decimal("901.50"), Decimal("0.50"), Decimal("97.00"))
    stranger = json.dumps({"ref": "RC9999999999", "result": "done"}).encode()
    unknown = client.post(url, content=stranger,
                          headers={SIGNATURE: acme_sign(stranger, ACME_SECRET)})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "ORDER_NOT_FOUND")


def test_operators_check_and_preview_a_coded_supplier(shop: Shop, acme: AcmeUpstream
                                                      ) -> None:
    with shop.app.transaction():
        assert check_supplier("fake") == []
        preview = dry_run_supplier("fake", "submit", target="13900000000",
                                   amount=Decimal(50))
        Supplier.update_where({"code": "fake"}, kind="gone")
        problems = check_supplier("fake")
    assert (preview["kind"], preview["number"], preview["target"], preview["amount"],
            preview["secret"]) == ("acme-json", "RC0000000001", "13900000000", "50",
                                   mapping.MASK)
    assert ACME_SECRET not in json.dumps(preview)
    assert len(problems) == 1 and problems[0].startswith(
        "kind: 'gone' is not a registered supplier kind (one of mapping, acme-json")


SAVE = ('mutation($d: SupplierInput!) { supplierMutation { %s(data: $d) '
        '{ id kind } } }')


def test_a_client_saves_a_coded_supplier_without_a_mapping_and_no_unknown_kind(
        shop: Shop) -> None:
    client = Client(shop.app)
    made = client.gql(SAVE % "create", {"d": {
        "code": "acme", "name": "Acme", "endpoint": "https://acme.test", "kind": "acme-json",
        "secret": ACME_SECRET, "ledgerAccount": "sup"}}).ok()
    assert made["supplierMutation"]["create"]["kind"] == "acme-json"
    refused = client.gql(SAVE % "update", {"d": {"id": made["supplierMutation"]["create"][
        "id"], "kind": "acme-xml"}})
    assert refused.codes == ["SUPPLIER_KIND_UNKNOWN"]
    assert Supplier.query_one(code="acme").kind == "acme-json"
    no_mapping = client.gql(SAVE % "create", {"d": {
        "code": "plain", "name": "Plain", "endpoint": "https://plain.test",
        "ledgerAccount": "sup"}})
    assert no_mapping.codes == ["MAPPING_INVALID"] and Supplier.count(code="plain") == 0


def test_a_kind_that_builds_no_provider_is_refused(shop: Shop,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(SUPPLIER_KINDS, "half", lambda supplier: object())
    with shop.app.transaction():
        Supplier.update_where({"code": "fake"}, kind="half")
        with pytest.raises(DataError) as refused:
            dry_run_supplier("fake")
    assert (refused.value.code, refused.value.field) == ("SUPPLIER_PROVIDER_INVALID", "kind")


def test_a_kind_is_registered_once() -> None:
    register_supplier_kind("acme-json", AcmeProvider)            # the same: nothing
    for kind in ("acme-json", "mapping"):
        with pytest.raises(DeclarationError) as taken:
            register_supplier_kind(kind, lambda supplier: AcmeProvider(supplier))
        assert (taken.value.code, taken.value.field) == ("SUPPLIER_KIND_TAKEN", "kind")
