"""Webhooks: an event told to another system over HTTP, at least once, with its own event
id, for every module (a merchant told its order's final status, a partner told a bill).

`send_webhook(url, event_id, payload, secret=None)` runs in the caller's transaction: it
writes a `base.Webhook` (unique `event_id`: a second call with the same id is a no-op and
answers the first) and queues `deliver_webhook` (an async function: the task row is the
outbox, committed with the event or not at all). The delivery POSTs the payload as JSON
(keys sorted) with `X-Event-Id` and, when a secret was given, `X-Signature`: the hex
HMAC-SHA256 of the body, computed when the event is written, so no secret is stored. A
2xx answer marks it SENT; anything else fails the task and the worker retries it (10
tries, 30 s, 60 s, ... apart); a SENT webhook is never posted again. A crash between the
POST and the commit posts it again: receivers deduplicate by the event id.
"""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import json
import urllib.error
import urllib.request
from typing import Any

from modelry import Model, ModelryError, fields, function

EVENT_HEADER = "X-Event-Id"
SIGNATURE_HEADER = "X-Signature"
TIMEOUT = 10.0              # seconds the receiver has to answer
WEBHOOK_FAILED = "WEBHOOK_FAILED"


class WebhookStatus(enum.Enum):
    """QUEUED until the receiver answered 2xx, then SENT."""

    QUEUED = "QUEUED"
    SENT = "SENT"


class Webhook(Model, model="base.Webhook", display_name="Webhook"):
    """One event to tell `url`, once per `event_id`; `signature` signs `body` exactly as it
    is sent. Its delivery's tries and last error are its task's (`base.Task`)."""

    event_id = fields.String(size=128, required=True, unique=True, readonly=True)
    url = fields.String(size=512, required=True, readonly=True)
    body = fields.Text(required=True, readonly=True, help="the JSON sent, as sent")
    signature = fields.String(size=64, readonly=True)
    headers = fields.Json(readonly=True, help="more headers to send, e.g. a key id")
    status = fields.Enum(WebhookStatus, required=True, default=WebhookStatus.QUEUED,
                         readonly=True, index=True)
    sent_at = fields.DateTime(readonly=True)


def body_of(payload: dict[str, Any]) -> bytes:
    """The JSON a payload is sent as: keys sorted, no spaces, UTF-8, decimals as text."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def send_webhook(url: str, event_id: str, payload: dict[str, Any], secret: bytes | None = None,
                 headers: dict[str, str] | None = None) -> Webhook:
    """Write the event and queue its delivery (in the caller's transaction); an event id
    written before answers that webhook and queues nothing."""
    if not url.startswith(("http://", "https://")):
        raise ModelryError(f"base.Webhook {event_id!r}: {url!r} is not an http(s) URL",
                           code=WEBHOOK_FAILED, model="base.Webhook", field="url")
    earlier = Webhook.query_one(event_id=event_id)
    if earlier is not None:
        return earlier
    body = body_of(payload)
    signature = None if secret is None else hmac.new(secret, body, hashlib.sha256).hexdigest()
    hook = Webhook(event_id=event_id, url=url, body=body.decode("utf-8"), signature=signature,
                   headers=headers or None).create()
    deliver_webhook(hook.id)
    return hook


@function(namespace="base.Webhook", async_=True, max_attempts=10, backoff=30, timeout=60)
def deliver_webhook(webhook: int) -> None:
    """POST one webhook unless it was sent already; fails (to be retried) unless 2xx."""
    hook = Webhook.query_by_id(webhook)
    if hook is None or hook.status is not WebhookStatus.QUEUED:
        return
    headers = {"Content-Type": "application/json", EVENT_HEADER: hook.event_id,
               **(hook.headers or {})}
    if hook.signature:
        headers[SIGNATURE_HEADER] = hook.signature
    post(hook.url, hook.body.encode("utf-8"), headers)
    Webhook.update_where({"id": hook.id, "status": WebhookStatus.QUEUED},
                         status=WebhookStatus.SENT,
                         sent_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))


def post(url: str, body: bytes, headers: dict[str, str]) -> None:
    """POST `body` to `url`; WEBHOOK_FAILED unless the answer is 2xx."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310
            code = answer.status
    except urllib.error.HTTPError as refused:
        code = refused.code
    except (urllib.error.URLError, OSError) as down:
        raise ModelryError(f"base.Webhook to {url}: {down}", code=WEBHOOK_FAILED,
                           model="base.Webhook") from None
    if not 200 <= code < 300:
        raise ModelryError(f"base.Webhook to {url}: answered HTTP {code}",
                           code=WEBHOOK_FAILED, model="base.Webhook")
