"""Webhooks (base.Webhook, for every module): written in the caller's transaction once per
event id, posted by a worker as signed JSON, retried until the receiver answers 2xx, never
posted again once sent; a rolled-back transaction sends nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from modelry import ModelryError, directives
from modelry.boot import App
from modelry.modules.base.webhooks import (Webhook, WebhookStatus, deliver_webhook,
                                           send_webhook)
from tests.receiver import Receiver

SECRET = b"receiver-secret"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    served = Receiver()
    yield served
    served.close()


@pytest.fixture
def base_app(make_app) -> Iterator[App]:
    app = make_app(["base"])
    with app.activate(), directives.backend_scope():
        yield app


def _drain(app: App) -> None:
    worker = app.tasks.worker()
    while worker.run_once(10):
        pass


def _due_now(app: App) -> None:
    """Make retries due at once (instead of after their backoff)."""
    table = app.data.table(app.registry.model("base.Task"))
    with app.engine.begin() as connection:
        connection.execute(sa.update(table).values(
            run_after=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)))


def test_an_event_is_sent_once_signed(base_app: App, receiver: Receiver) -> None:
    with base_app.transaction():
        first = send_webhook(receiver.url, "order-1-paid", {"order": "A-1", "amount": "12.50"},
                             SECRET, headers={"X-Key-Id": "mk_1"})
        again = send_webhook(receiver.url, "order-1-paid", {"order": "changed"}, SECRET)
    assert again.id == first.id and Webhook.count() == 1
    _drain(base_app)
    [(headers, body)] = receiver.received
    assert json.loads(body) == {"amount": "12.50", "order": "A-1"}
    assert headers["X-Event-Id"] == "order-1-paid" and headers["X-Key-Id"] == "mk_1"
    assert headers["X-Signature"] == hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    assert Webhook.query_by_id(first.id).status is WebhookStatus.SENT
    with base_app.transaction():
        deliver_webhook(first.id)                 # a task run twice: not posted again
    _drain(base_app)
    assert len(receiver.received) == 1


def test_a_refusal_is_retried_until_accepted(base_app: App, receiver: Receiver) -> None:
    receiver.codes.extend([500, 503])
    with base_app.transaction():
        hook = send_webhook(receiver.url, "bill-7", {"bill": 7})
    for _ in range(3):
        _drain(base_app)
        _due_now(base_app)
    [task] = base_app.registry.model("base.Task").cls.query_list(fun="deliverWebhook")
    assert (Webhook.query_by_id(hook.id).status, task.attempts, len(receiver.received)) == \
        (WebhookStatus.SENT, 3, 3)
    assert "HTTP 503" in task.last_error
    assert "X-Signature" not in receiver.received[0][0]


def test_a_rolled_back_event_is_never_sent(base_app: App, receiver: Receiver) -> None:
    with pytest.raises(RuntimeError), base_app.transaction():
        send_webhook(receiver.url, "ghost", {"x": 1})
        raise RuntimeError("rolled back")
    _drain(base_app)
    assert Webhook.count() == 0 and receiver.received == []
    with pytest.raises(ModelryError) as refused, base_app.transaction():
        send_webhook("ftp://example.com", "bad", {})
    assert refused.value.code == "WEBHOOK_FAILED"
