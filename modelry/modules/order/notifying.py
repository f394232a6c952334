"""Merchant notifications: each applied paid, failed, refunded or closed transition is told
to the order's merchant, at least once.

`queue` runs in the transaction that applies the transition: it writes an
`order.Notification` (unique event id) and queues `send_notification` (an async function,
so the task row is the outbox: committed with the transition or not at all). The task
POSTs the payload as JSON to the merchant's `notify_url`, with the headers
`X-Order-Event-Id` and, when the merchant has a secret, `X-Order-Signature` (hex
HMAC-SHA256 of the body). A 2xx answer marks the notification SENT; anything else fails
the task, which the worker retries. A SENT notification is never sent again, even when its
task runs twice; a crash between the POST and the commit sends it again, so the merchant
deduplicates by the event id.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any

from modelry import ModelryError, function
from modelry.modules.base import webhooks
from modelry.modules.order import clock, states
from modelry.modules.order.models import Merchant
from modelry.modules.order.payment_models import Notification, NotificationStatus

EVENT_HEADER = "X-Order-Event-Id"
SIGNATURE_HEADER = "X-Order-Signature"
NOTIFY_FAILED = "NOTIFY_FAILED"
# The transitions the merchant hears of, and the kind of notification each one is.
KINDS = {states.PAY: "paid", states.FAIL: "failed", states.CLOSE: "closed",
         states.REFUND_PARTIAL: "refunded", states.REFUND: "refunded"}


def queue(order: Any, event: str, status: str, transition: int) -> None:
    """Record and queue the notification of an applied transition (none for `submit`)."""
    kind = KINDS.get(event)
    if kind is None:
        return
    event_id = f"order-{order.id}-{transition}"
    payload = {"event_id": event_id, "kind": kind, "order": order.reference,
               "merchant": order.merchant, "status": status, "amount": plain(order.amount),
               "currency": order.currency, "item": order.item,
               "occurred_at": clock.utc_now().isoformat() + "Z"}
    note = Notification(event_id=event_id, order=order.id, merchant=order.merchant,
                        kind=kind, payload=payload).create()
    send_notification(note.id)


def plain(amount: Decimal) -> str:
    """An amount as a merchant reads it: "12.50", not the column's "12.5000" (cents kept,
    finer digits only when they matter)."""
    cents = amount.quantize(Decimal("0.01"))
    return str(cents) if cents == amount else format(amount.normalize(), "f")


@function(namespace="order.Notification", async_=True, max_attempts=8, backoff=30,
          timeout=60)
def send_notification(notification: int) -> None:
    """POST one notification to its merchant unless it was sent already."""
    note = Notification.query_one(id=notification)
    if note is None or note.status is not NotificationStatus.QUEUED:
        return
    merchant = Merchant.query_one(code=note.merchant)
    if merchant is None or not merchant.notify_url:
        Notification.update_where({"id": note.id, "status": NotificationStatus.QUEUED},
                                  status=NotificationStatus.NO_ENDPOINT)
        return
    body = json.dumps(note.payload, separators=(",", ":"), sort_keys=True).encode("utf-8")
    headers = {"Content-Type": "application/json", EVENT_HEADER: note.event_id}
    if merchant.secret:
        headers[SIGNATURE_HEADER] = hmac.new(merchant.secret.encode("utf-8"), body,
                                             hashlib.sha256).hexdigest()
    post(merchant.notify_url, body, headers)
    Notification.update_where({"id": note.id, "status": NotificationStatus.QUEUED},
                              status=NotificationStatus.SENT, sent_at=clock.utc_now())


def post(url: str, body: bytes, headers: dict[str, str]) -> None:
    """POST `body` to `url` (`base.webhooks.post`: WEBHOOK_FAILED unless the answer is
    2xx); NOTIFY_FAILED for a notify URL that is not http(s)."""
    if not url.startswith(("http://", "https://")):
        raise ModelryError(f"order.Merchant notify_url {url!r} is not an http(s) URL",
                           code=NOTIFY_FAILED, model="order.Merchant", field="notify_url")
    webhooks.post(url, body, headers)
