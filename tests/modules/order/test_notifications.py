"""Merchant notifications on each database: each applied paid, failed, refunded or closed
transition queues one (in its transaction); the worker POSTs it to the merchant's URL,
signed, retrying until the merchant answers 2xx; a task run twice sends once."""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from modelry import directives
from modelry.boot import App
from modelry.modules.order.models import Merchant
from modelry.modules.order.notifying import plain, send_notification
from modelry.modules.order.payment_models import Notification, NotificationStatus
from modelry.modules.order.receiving import receive_callback
from tests.modules.order.conftest import signed
from tests.receiver import Receiver


class MerchantServer(Receiver):
    """A merchant's notify endpoint: keeps what it received; answers `codes` in turn."""

    def events(self) -> list[str]:
        return [json.loads(body)["event_id"] for _, body in self.received]


@pytest.fixture
def merchant(shop: App) -> Iterator[MerchantServer]:
    server = MerchantServer()
    with shop.transaction():
        Merchant(code="shop-1", name="Shop", notify_url=server.url, secret="m3rchant").create()
    yield server
    server.close()


def _drain(app: App) -> None:
    worker = app.tasks.worker()
    with directives.backend_scope():
        while worker.run_once(10):
            pass


def _receive(app: App, *callback: Any) -> None:
    with app.transaction():
        receive_callback("local", *callback)


def test_each_transition_is_notified_once_signed(shop: App, merchant: MerchantServer) -> None:
    _receive(shop, *signed("ev-1"))
    _receive(shop, *signed("ev-1"))                       # redelivered: nothing new
    _receive(shop, *signed("r-1", "refunded", "2.50"))
    assert Notification.count(status=NotificationStatus.QUEUED) == 2
    _drain(shop)
    notes = Notification.query_list(sort="id")
    assert [(n.kind, n.status) for n in notes] == [("paid", NotificationStatus.SENT),
                                                   ("refunded", NotificationStatus.SENT)]
    assert merchant.events() == [n.event_id for n in notes]
    headers, body = merchant.received[0]
    assert headers["X-Order-Event-Id"] == notes[0].event_id
    assert headers["X-Order-Signature"] == hmac.new(b"m3rchant", body,
                                                    hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert (payload["order"], payload["kind"], payload["status"], payload["amount"],
            payload["currency"]) == ("A-1", "paid", "PAID", "12.50", "EUR")


def test_a_task_run_twice_sends_once(shop: App, merchant: MerchantServer) -> None:
    _receive(shop, *signed("ev-1"))
    (note,) = Notification.query_list()
    with shop.transaction():
        shop.enqueue(send_notification, note.id)          # a second task for the same one
    _drain(shop)
    assert merchant.events() == [note.event_id]
    assert Notification.query_one(id=note.id).status is NotificationStatus.SENT


def test_a_refused_notification_is_retried_until_sent(shop: App,
                                                      merchant: MerchantServer) -> None:
    merchant.codes.extend([500, 503])
    _receive(shop, *signed("ev-1"))
    Task = shop.registry.model("base.Task").cls
    for _ in range(3):
        with shop.transaction():                          # skip the backoff
            Task.update_where({"state__ne": "done"},
                              run_after=datetime.now(UTC) - timedelta(seconds=1))
        _drain(shop)
    (note,) = Notification.query_list()
    assert note.status is NotificationStatus.SENT
    assert merchant.events() == [note.event_id] * 3       # at least once: the same event id
    (task,) = Task.query_list()
    assert (task.state.value, task.attempts) == ("done", 3)


def test_without_a_notify_url_nothing_is_sent(shop: App) -> None:
    _receive(shop, *signed("ev-1"))
    _drain(shop)
    assert Notification.query_one().status is NotificationStatus.NO_ENDPOINT


def test_a_rolled_back_transition_queues_nothing(shop: App, merchant: MerchantServer) -> None:
    with pytest.raises(RuntimeError), shop.transaction():
        receive_callback("local", *signed("ev-1"))
        raise RuntimeError("the caller's transaction fails")
    _drain(shop)
    assert Notification.count() == 0 and merchant.received == []


@pytest.mark.parametrize(("stored", "shown"), [("12.5000", "12.50"), ("1", "1.00"),
                                               ("0.0050", "0.005"), ("7.1234", "7.1234")])
def test_amounts_read_as_money(stored: str, shown: str) -> None:
    assert plain(Decimal(stored)) == shown
