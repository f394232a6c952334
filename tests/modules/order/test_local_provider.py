"""The local test provider: HMAC-SHA256 signatures over the timestamp and the body, a
tolerance window against replay, JSON event bodies, and an in-memory remote state."""
from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest

from modelry.modules.order import errors
from modelry.modules.order.errors import ProviderError
from modelry.modules.order.providers.base import PaymentProvider, ProviderStatus
from modelry.modules.order.providers.local import (
    PROVIDER_REFUSED,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    LocalProvider,
    event_body,
)
from tests.modules.order.helpers import SECRET, START, Clock, provider


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def local(clock: Clock) -> LocalProvider:
    remote = provider(clock)
    remote.open("A-1", Decimal("12.50"), "EUR")
    return remote


def _paid_callback(local: LocalProvider) -> tuple[dict[str, str], bytes]:
    return local.callback(local.pay("A-1"))


def test_is_a_payment_provider(local: LocalProvider) -> None:
    assert isinstance(local, PaymentProvider)


def test_valid_signature_verifies_and_parses(local: LocalProvider) -> None:
    headers, body = _paid_callback(local)
    assert local.verify(headers, body)
    event = local.parse(body)
    assert (event.event_id, event.reference, event.kind, event.amount, event.currency,
            event.occurred_at) == ("local-1", "A-1", "paid", Decimal("12.50"), "EUR", START)


def test_headers_match_case_insensitively(local: LocalProvider) -> None:
    headers, body = _paid_callback(local)
    assert local.verify({name.lower(): value for name, value in headers.items()}, body)


def test_signature_is_hex_hmac_sha256_of_timestamp_dot_body(local: LocalProvider) -> None:
    headers, body = _paid_callback(local)
    stamp = headers[TIMESTAMP_HEADER]
    assert stamp == str(int(START.timestamp()))
    assert headers[SIGNATURE_HEADER] == hmac.new(SECRET, stamp.encode() + b"." + body,
                                                 hashlib.sha256).hexdigest()


def test_amount_travels_as_a_decimal_string(local: LocalProvider) -> None:
    _, body = _paid_callback(local)
    assert json.loads(body)["amount"] == "12.50"


def test_tampered_body_is_refused(local: LocalProvider) -> None:
    headers, body = _paid_callback(local)
    assert not local.verify(headers, body.replace(b"12.50", b"1250.00"))


def test_tampered_signature_is_refused(local: LocalProvider) -> None:
    headers, body = _paid_callback(local)
    signature = headers[SIGNATURE_HEADER]
    flipped = ("1" if signature[0] == "0" else "0") + signature[1:]
    assert not local.verify({**headers, SIGNATURE_HEADER: flipped}, body)
    assert not local.verify({**headers, SIGNATURE_HEADER: signature.upper()}, body)
    assert not local.verify({**headers, SIGNATURE_HEADER: "ü" * 64}, body)


def test_tampered_timestamp_is_refused(local: LocalProvider) -> None:
    headers, body = _paid_callback(local)
    moved = str(int(headers[TIMESTAMP_HEADER]) + 1)      # still inside the window
    assert not local.verify({**headers, TIMESTAMP_HEADER: moved}, body)


@pytest.mark.parametrize("stamp", ["", "abc", "-5", "1.5", "٣٣", "9" * 40])
def test_malformed_timestamp_is_refused(local: LocalProvider, stamp: str) -> None:
    headers, body = _paid_callback(local)
    assert not local.verify({**headers, TIMESTAMP_HEADER: stamp}, body)


@pytest.mark.parametrize("missing", [TIMESTAMP_HEADER, SIGNATURE_HEADER])
def test_missing_header_is_refused(local: LocalProvider, missing: str) -> None:
    headers, body = _paid_callback(local)
    del headers[missing]
    assert not local.verify(headers, body)


def test_other_secret_is_refused(local: LocalProvider, clock: Clock) -> None:
    headers, body = _paid_callback(local)
    assert not LocalProvider(b"another secret", clock=clock).verify(headers, body)


@pytest.mark.parametrize(("delay", "verifies"), [
    (0, True), (300, True), (301, False), (3600, False), (-300, True), (-301, False),
])
def test_replay_outside_the_window_is_refused(local: LocalProvider, clock: Clock,
                                              delay: int, verifies: bool) -> None:
    headers, body = _paid_callback(local)            # signed at START
    clock.advance(delay)                             # delivered (or replayed) later
    assert local.verify(headers, body) is verifies


@pytest.mark.parametrize(("body", "field"), [
    (b"not json", None),
    (b"[1, 2]", None),
    (b'{"event_id": "e"}', "reference"),
    (b'{"event_id":"e","reference":"A-1","kind":"paid","amount":12.5,"currency":"EUR",'
     b'"occurred_at":"2026-01-05T12:00:00+00:00"}', "amount"),
    (b'{"event_id":"e","reference":"A-1","kind":"lost","amount":"1","currency":"EUR",'
     b'"occurred_at":"2026-01-05T12:00:00+00:00"}', "kind"),
    (b'{"event_id":"e","reference":"A-1","kind":"paid","amount":"NaN","currency":"EUR",'
     b'"occurred_at":"2026-01-05T12:00:00+00:00"}', "amount"),
    (b'{"event_id":"e","reference":"A-1","kind":"paid","amount":"-1","currency":"EUR",'
     b'"occurred_at":"2026-01-05T12:00:00+00:00"}', "amount"),
    (b'{"event_id":"e","reference":"A-1","kind":"paid","amount":"1","currency":"EUR",'
     b'"occurred_at":"yesterday"}', "occurred_at"),
    (b'{"event_id":"e","reference":"A-1","kind":"paid","amount":"1","currency":"EUR",'
     b'"occurred_at":"2026-01-05T12:00:00"}', "occurred_at"),
])
def test_malformed_body_is_a_provider_error(local: LocalProvider, body: bytes,
                                            field: str | None) -> None:
    with pytest.raises(ProviderError) as caught:
        local.parse(body)
    assert (caught.value.code, caught.value.field) == (errors.CALLBACK_MALFORMED, field)


def test_event_body_round_trips(local: LocalProvider) -> None:
    event = local.pay("A-1")
    assert local.parse(event_body(event)) == event


def test_remote_state_answers_queries(local: LocalProvider) -> None:
    assert local.query("A-1") == ProviderStatus("A-1", "pending", Decimal("12.50"), "EUR")
    assert local.query("nope").status == "unknown"
    assert local.fail("A-1").kind == "failed"
    assert local.query("A-1").status == "failed"
    assert local.pay("A-1").kind == "paid"              # a retry after the failure
    refund = local.refund("A-1", Decimal("2.50"))
    assert (refund.kind, refund.amount) == ("refunded", Decimal("2.50"))
    assert local.query("A-1") == ProviderStatus("A-1", "paid", Decimal("12.50"), "EUR",
                                                Decimal("2.50"))
    assert local.close("A-1").status == "paid"          # too late to close


@pytest.mark.parametrize("step", ["pay twice", "refund pending", "refund too much",
                                  "pay closed", "open twice"])
def test_remote_state_refuses_impossible_changes(local: LocalProvider, step: str) -> None:
    with pytest.raises(ProviderError) as caught:
        if step == "pay twice":
            local.pay("A-1")
            local.pay("A-1")
        elif step == "refund pending":
            local.refund("A-1", Decimal(1))
        elif step == "refund too much":
            local.pay("A-1")
            local.refund("A-1", Decimal("12.51"))
        elif step == "pay closed":
            assert local.close("A-1").status == "closed"
            local.pay("A-1")
        else:
            local.open("A-1", Decimal(1), "EUR")
    assert caught.value.code == PROVIDER_REFUSED


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        LocalProvider(b"")
