"""The janitor on each database: a payment whose callback was lost is settled from the
provider's answer, through the callback path (logged, attempt closed, merchant notified);
pending payments, young attempts and mismatching answers change nothing."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from modelry.boot import App
from modelry.modules.order import clock
from modelry.modules.order.janitor import requery_due, requery_payments
from modelry.modules.order.models import Order, OrderStatus, ProviderConfig, StatusLog
from modelry.modules.order.payment_models import AttemptStatus, Notification, PaymentAttempt
from modelry.modules.order.payments import start_payment
from modelry.modules.order.providers.local import LocalProvider
from tests.modules.order.conftest import REFERENCE

AMOUNT = Decimal("12.50")


def _started(app: App, remote: LocalProvider, amount: Decimal = AMOUNT) -> None:
    with app.transaction():
        start_payment(REFERENCE, "remote")
    remote.open(REFERENCE, amount, "EUR")


def _janitor(app: App) -> int:
    with app.transaction():
        return requery_payments()


def _order() -> Order:
    return Order.query_one(reference=REFERENCE)


def test_a_lost_paid_callback_is_settled_by_the_janitor(shop: App,
                                                        remote: LocalProvider) -> None:
    _started(shop, remote)
    remote.pay(REFERENCE)                                   # its callback is lost
    assert _janitor(shop) == 1
    assert _order().status is OrderStatus.PAID
    log = StatusLog.query_list(sort="-id", limit=1)[0]
    assert (log.event, log.why, log.who) == ("pay", "janitor: remote says paid", None)
    attempt = PaymentAttempt.query_one()
    assert attempt.status is AttemptStatus.PAID and attempt.last_queried_at is not None
    assert Notification.query_one().kind == "paid"
    assert _janitor(shop) == 0                              # nothing left to ask about


def test_pending_then_failed_then_paid(shop: App, remote: LocalProvider) -> None:
    _started(shop, remote)
    assert _janitor(shop) == 0 and _order().status is OrderStatus.PENDING
    assert PaymentAttempt.query_one().last_queried_at is not None
    remote.fail(REFERENCE)
    assert _janitor(shop) == 1 and _order().status is OrderStatus.FAILED
    assert PaymentAttempt.query_one().status is AttemptStatus.FAILED
    remote.pay(REFERENCE)                                   # retried at the provider
    assert _janitor(shop) == 1 and _order().status is OrderStatus.PAID
    assert [log.event for log in StatusLog.query_list(sort="id")] == ["submit", "fail", "pay"]


def test_young_attempts_wait_for_the_configured_time(shop: App, remote: LocalProvider,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with shop.transaction():
        ProviderConfig.update_where({"code": "remote"}, requery_after_seconds=600)
    _started(shop, remote)
    remote.pay(REFERENCE)
    assert _janitor(shop) == 0 and _order().status is OrderStatus.PENDING
    later = clock.utc_now() + timedelta(seconds=601)
    monkeypatch.setattr(clock, "utc_now", lambda: later)
    assert _janitor(shop) == 1 and _order().status is OrderStatus.PAID


def test_a_mismatching_answer_is_kept_as_the_attempts_error(shop: App,
                                                            remote: LocalProvider) -> None:
    _started(shop, remote, amount=Decimal("1.00"))
    remote.pay(REFERENCE)
    assert _janitor(shop) == 0 and _order().status is OrderStatus.PENDING
    error = PaymentAttempt.query_one().last_error
    assert error.startswith("CALLBACK_AMOUNT_MISMATCH") and "12.50" in error


def test_the_janitor_is_scheduled_every_five_minutes(shop: App, remote: LocalProvider) -> None:
    (scheduled,) = [s for s in shop.registry.behaviours.schedules
                    if s.target is requery_due]
    assert scheduled.owner == "order"
    _started(shop, remote)
    remote.pay(REFERENCE)
    with shop.transaction():
        requery_due(clock.utc_now())
    assert _order().status is OrderStatus.PAID
