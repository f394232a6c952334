"""What happens to an order after it is created: payment attempts, manual completions,
refunds, and the notifications its merchant is sent. Read-only to clients: only the
module's functions write them."""
from __future__ import annotations

import enum

from modelry import Model, fields


class AttemptStatus(enum.Enum):
    """A payment attempt as the module last learned it (callback, janitor or operator)."""

    PENDING = "PENDING"
    PAID = "PAID"
    FAILED = "FAILED"
    CLOSED = "CLOSED"


class RefundStatus(enum.Enum):
    """REFUNDED: applied to the order (and to the ledger); REFUSED: the provider said no,
    nothing changed."""

    REFUNDED = "REFUNDED"
    REFUSED = "REFUSED"


class NotificationStatus(enum.Enum):
    """QUEUED until sent; SENT once the merchant answered 2xx; NO_ENDPOINT when the
    merchant has no notify URL (kept, never sent)."""

    QUEUED = "QUEUED"
    SENT = "SENT"
    NO_ENDPOINT = "NO_ENDPOINT"


class PaymentAttempt(Model, model="order.PaymentAttempt", display_name="Payment attempt"):
    """A customer started paying an order through a provider; the janitor asks the
    provider about attempts left pending or failed."""

    order = fields.ManyToOne("order.Order", required=True, on_delete="RESTRICT", index=True,
                             readonly=True)
    provider = fields.String(size=32, required=True, readonly=True)
    provider_reference = fields.String(size=128, required=True, readonly=True,
                                       help="what the provider calls the payment")
    status = fields.Enum(AttemptStatus, required=True, default=AttemptStatus.PENDING,
                         index=True, readonly=True)
    started_at = fields.DateTime(required=True, readonly=True)
    last_queried_at = fields.DateTime(readonly=True, help="when the janitor last asked")
    last_error = fields.String(size=512, readonly=True,
                               help="why the janitor's last try could not settle it")


class ManualCompletion(Model, model="order.ManualCompletion",
                       display_name="Manual completion"):
    """An operator marked an order paid by hand (password confirmed again); applied like a
    provider callback of provider "manual" (`callback`), with its answer."""

    order = fields.ManyToOne("order.Order", required=True, on_delete="RESTRICT", index=True,
                             readonly=True)
    who = fields.BigInteger(required=True, readonly=True, help="the operator's user id")
    note = fields.String(size=512, required=True, readonly=True)
    evidence = fields.String(size=512, required=True, readonly=True,
                             help="what proves the payment: a bank reference, a receipt")
    created = fields.DateTime(required=True, readonly=True)
    callback = fields.ManyToOne("order.Callback", on_delete="RESTRICT", readonly=True)
    code = fields.String(size=40, readonly=True, help='"ok" or why it changed nothing')
    outcome = fields.String(size=16, readonly=True, help="applied, duplicate or stale")
    status_after = fields.String(size=32, readonly=True)


class Refund(Model, model="order.Refund", display_name="Refund"):
    """A part of an order's payment given back, at an operator's request; all of them
    together never exceed what was paid."""

    order = fields.ManyToOne("order.Order", required=True, on_delete="RESTRICT", index=True,
                             readonly=True)
    amount = fields.Money(required=True, readonly=True)
    reason = fields.String(size=512, required=True, readonly=True)
    who = fields.BigInteger(readonly=True, help="the operator's user id")
    status = fields.Enum(RefundStatus, required=True, readonly=True)
    event_id = fields.String(size=128, readonly=True, help="the refund's provider event")
    message = fields.String(size=512, readonly=True, help="why it was refused")


class Notification(Model, model="order.Notification", display_name="Merchant notification"):
    """One change of an order told to its merchant, once per `event_id` (the merchant
    deduplicates by it too: delivery is at least once)."""

    event_id = fields.String(size=96, required=True, unique=True, readonly=True)
    order = fields.ManyToOne("order.Order", required=True, on_delete="RESTRICT", index=True,
                             readonly=True)
    merchant = fields.String(size=64, required=True, readonly=True)
    kind = fields.String(size=16, required=True, readonly=True,
                         help="paid, failed, refunded or closed")
    payload = fields.Json(required=True, readonly=True)
    status = fields.Enum(NotificationStatus, required=True,
                         default=NotificationStatus.QUEUED, readonly=True)
    sent_at = fields.DateTime(readonly=True)
