"""The payment provider interface: verify a callback's signature, parse its event, and query
the status of a payment.

A provider is anything with these three methods (a `Protocol`, so a provider need not
import modelry). `verify` is always called before `parse`: a body whose signature does not
verify is never read.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

# Kinds of a provider event (a callback).
KIND_PAID = "paid"
KIND_FAILED = "failed"
KIND_REFUNDED = "refunded"
EVENT_KINDS = (KIND_PAID, KIND_FAILED, KIND_REFUNDED)

# Statuses of a payment, as a query answers them.
STATUS_PENDING = "pending"     # started, neither paid nor failed yet
STATUS_PAID = "paid"           # paid (possibly refunded in part or in full since)
STATUS_FAILED = "failed"
STATUS_CLOSED = "closed"       # closed at the provider, so it can no longer be paid
STATUS_UNKNOWN = "unknown"     # the provider has no payment with that reference
STATUSES = (STATUS_PENDING, STATUS_PAID, STATUS_FAILED, STATUS_CLOSED, STATUS_UNKNOWN)


@dataclass(frozen=True)
class ProviderEvent:
    """One event a provider reports: `event_id` is unique per provider (the key that makes a
    redelivered callback a duplicate); `reference` is the order's reference; `amount` is
    what was paid, failed, or refunded by this event (one part of a refund)."""

    event_id: str
    reference: str
    kind: str
    amount: Decimal
    currency: str
    occurred_at: datetime


@dataclass(frozen=True)
class ProviderStatus:
    """A payment's status at the provider, as `query` answers it; `refunded` is the total
    refunded so far."""

    reference: str
    status: str
    amount: Decimal | None = None
    currency: str | None = None
    refunded: Decimal = Decimal(0)


@runtime_checkable
class PaymentProvider(Protocol):
    """What the order module needs of a payment provider."""

    code: str

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether the callback's signature is valid (and, if the provider signs a time,
        recent); never raises for a bad signature."""
        ...

    def parse(self, body: bytes) -> ProviderEvent:
        """The event of a verified callback body; raises ProviderError (CALLBACK_MALFORMED)
        when the body is not a valid event."""
        ...

    def query(self, reference: str) -> ProviderStatus:
        """The payment's current status at the provider."""
        ...


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of HTTP header `name` in `headers`, matched case-insensitively."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None
