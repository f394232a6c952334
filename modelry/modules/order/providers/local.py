"""A local payment provider for tests and the demo: HMAC-SHA256 signed JSON callbacks and
an in-memory "remote" state that `query` answers from.

Signature: the provider signs ``f"{timestamp}.".encode() + body`` with HMAC-SHA256 under a
shared secret and sends two headers, `X-Local-Timestamp` (Unix seconds) and
`X-Local-Signature` (the lowercase hex digest). `verify` recomputes the digest and compares
with `hmac.compare_digest` (constant time), and accepts the timestamp only within
`tolerance` of its clock, either side: the timestamp is inside the signed string, so it
cannot be changed without the secret, and a captured callback replayed outside the window
is refused. A replay *inside* the window verifies; it is then a duplicate provider event id,
which the order module ignores (the unique constraint on `order.Callback`).

Body: a JSON object ``{"event_id", "reference", "kind", "amount", "currency",
"occurred_at"}``; the amount is a decimal string (never a JSON float), `occurred_at` an ISO
8601 time with its UTC offset.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from modelry.modules.order.errors import ProviderError
from modelry.modules.order.providers.base import (
    EVENT_KINDS,
    KIND_FAILED,
    KIND_PAID,
    KIND_REFUNDED,
    STATUS_CLOSED,
    STATUS_FAILED,
    STATUS_PAID,
    STATUS_PENDING,
    STATUS_UNKNOWN,
    ProviderEvent,
    ProviderStatus,
    header,
)

TIMESTAMP_HEADER = "X-Local-Timestamp"
SIGNATURE_HEADER = "X-Local-Signature"
DEFAULT_TOLERANCE = timedelta(minutes=5)
PROVIDER_REFUSED = "PROVIDER_REFUSED"   # the remote state does not allow that change
_FIELDS = ("event_id", "reference", "kind", "amount", "currency", "occurred_at")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class RemotePayment:
    """A payment as the provider holds it."""

    reference: str
    amount: Decimal
    currency: str
    status: str = STATUS_PENDING
    refunded: Decimal = Decimal(0)


class LocalProvider:
    """The local HMAC-SHA256 test provider; `clock` is its notion of now (an aware datetime)
    for signing, checking the window, and stamping events."""

    def __init__(self, secret: bytes, *, code: str = "local",
                 tolerance: timedelta = DEFAULT_TOLERANCE,
                 clock: Callable[[], datetime] = _utc_now) -> None:
        if not secret:
            raise ValueError("the local provider needs a non-empty secret")
        self.code = code
        self.tolerance = tolerance
        self.clock = clock
        self._secret = secret
        self.payments: dict[str, RemotePayment] = {}
        self._events = 0

    # -- the provider interface --------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether `body` carries a valid signature made within the tolerance window."""
        stamp = header(headers, TIMESTAMP_HEADER)
        signature = header(headers, SIGNATURE_HEADER)
        if stamp is None or signature is None or not stamp.isascii() or not stamp.isdigit():
            return False
        try:
            signed_at = datetime.fromtimestamp(int(stamp), UTC)
        except (OverflowError, OSError, ValueError):   # past the platform's time range
            return False
        if abs(self.clock() - signed_at) > self.tolerance:
            return False
        expected = self._digest(stamp, body)
        return hmac.compare_digest(expected, signature.encode("ascii", "replace"))

    def parse(self, body: bytes) -> ProviderEvent:
        """The event in a (verified) callback body; ProviderError when it is not one."""
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ProviderError(f"callback body is not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ProviderError("callback body is not a JSON object")
        missing = [name for name in _FIELDS if not isinstance(data.get(name), str)]
        if missing:
            raise ProviderError(f"callback body lacks string field(s) {', '.join(missing)}",
                                field=missing[0])
        if data["kind"] not in EVENT_KINDS:
            raise ProviderError(f"callback kind {data['kind']!r} is not one of "
                                f"{', '.join(EVENT_KINDS)}", field="kind")
        return ProviderEvent(data["event_id"], data["reference"], data["kind"],
                             _amount(data["amount"]), data["currency"],
                             _time(data["occurred_at"]))

    def query(self, reference: str) -> ProviderStatus:
        """The payment's status in the remote state (STATUS_UNKNOWN if there is none)."""
        payment = self.payments.get(reference)
        if payment is None:
            return ProviderStatus(reference, STATUS_UNKNOWN)
        return ProviderStatus(reference, payment.status, payment.amount, payment.currency,
                              payment.refunded)

    # -- the remote side, driven by tests ----------------------------------------------

    def open(self, reference: str, amount: Decimal, currency: str) -> RemotePayment:
        """Start a pending payment for an order (the customer is sent to pay)."""
        if reference in self.payments:
            raise ProviderError(f"payment {reference!r} is already open",
                                code=PROVIDER_REFUSED)
        payment = RemotePayment(reference, amount, currency)
        self.payments[reference] = payment
        return payment

    def pay(self, reference: str) -> ProviderEvent:
        """The customer pays (also after a failed try); the `paid` event to call back."""
        payment = self._payment(reference, STATUS_PENDING, STATUS_FAILED)
        payment.status = STATUS_PAID
        return self._event(payment, KIND_PAID, payment.amount)

    def fail(self, reference: str) -> ProviderEvent:
        """The customer's payment fails; the `failed` event to call back."""
        payment = self._payment(reference, STATUS_PENDING)
        payment.status = STATUS_FAILED
        return self._event(payment, KIND_FAILED, payment.amount)

    def refund(self, reference: str, amount: Decimal) -> ProviderEvent:
        """Refund part of a paid payment; the `refunded` event (with this part's amount)."""
        payment = self._payment(reference, STATUS_PAID)
        if not Decimal(0) < amount <= payment.amount - payment.refunded:
            raise ProviderError(f"cannot refund {amount} of payment {reference!r}: "
                                f"{payment.refunded} of {payment.amount} refunded already",
                                code=PROVIDER_REFUSED)
        payment.refunded += amount
        return self._event(payment, KIND_REFUNDED, amount)

    def close(self, reference: str) -> ProviderStatus:
        """Close an unpaid payment so that it can no longer be paid; returns the status
        after (a paid payment stays paid: closing comes too late)."""
        payment = self.payments.get(reference)
        if payment is not None and payment.status in (STATUS_PENDING, STATUS_FAILED):
            payment.status = STATUS_CLOSED
        return self.query(reference)

    # -- helpers the tests use to sign and build callbacks -----------------------------

    def sign(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        """The headers that sign `body` at `timestamp` (Unix seconds; default: now)."""
        stamp = str(int(self.clock().timestamp()) if timestamp is None else timestamp)
        return {TIMESTAMP_HEADER: stamp,
                SIGNATURE_HEADER: self._digest(stamp, body).decode("ascii")}

    def callback(self, event: ProviderEvent, *,
                 timestamp: int | None = None) -> tuple[dict[str, str], bytes]:
        """The signed callback (headers, body) that reports `event`."""
        body = event_body(event)
        return self.sign(body, timestamp=timestamp), body

    def _digest(self, stamp: str, body: bytes) -> bytes:
        message = stamp.encode("ascii") + b"." + body
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest().encode("ascii")

    def _payment(self, reference: str, *allowed: str) -> RemotePayment:
        payment = self.payments.get(reference)
        if payment is None or payment.status not in allowed:
            status = "no payment" if payment is None else payment.status
            raise ProviderError(f"payment {reference!r} is {status}, not "
                                f"{' or '.join(allowed)}", code=PROVIDER_REFUSED)
        return payment

    def _event(self, payment: RemotePayment, kind: str, amount: Decimal) -> ProviderEvent:
        self._events += 1
        return ProviderEvent(f"{self.code}-{self._events}", payment.reference, kind, amount,
                             payment.currency, self.clock())


def event_body(event: ProviderEvent) -> bytes:
    """The JSON callback body that reports `event` (the amount as a decimal string)."""
    data: dict[str, Any] = {"event_id": event.event_id, "reference": event.reference,
                            "kind": event.kind, "amount": str(event.amount),
                            "currency": event.currency,
                            "occurred_at": event.occurred_at.isoformat()}
    return json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ProviderError(f"callback amount {text!r} is not a number",
                            field="amount") from None
    if not amount.is_finite() or amount < 0:
        raise ProviderError(f"callback amount {text!r} is not a finite amount >= 0",
                            field="amount")
    return amount


def _time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ProviderError(f"callback occurred_at {text!r} is not an ISO 8601 time",
                            field="occurred_at") from None
    if moment.tzinfo is None:
        raise ProviderError(f"callback occurred_at {text!r} has no UTC offset",
                            field="occurred_at")
    return moment
