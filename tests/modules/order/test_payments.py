"""`start_payment` and `complete_manually` on each database: an attempt moves the order to
PENDING through the state machine; a manual completion, password confirmed, is applied as a
"manual" callback (logged, attempt closed, merchant notified) and refused with a code
otherwise."""
from __future__ import annotations

import pytest

from modelry import DataError, ModelryError, PasswordNotConfirmed
from modelry.boot import App
from modelry.modules.order.models import Callback, Order, OrderStatus, StatusLog
from modelry.modules.order.payment_models import (AttemptStatus, ManualCompletion,
                                                  Notification, PaymentAttempt)
from modelry.modules.order.payments import complete_manually, start_payment
from modelry.modules.order.receiving import receive_callback
from tests.modules.order.conftest import PASSWORD, REFERENCE, operator, signed


def _order() -> Order:
    return Order.query_one(reference=REFERENCE)


def test_start_payment_moves_the_order_to_pending_and_records_the_attempt(shop: App) -> None:
    with shop.transaction():
        attempt = start_payment(REFERENCE, "local")
    assert (attempt.provider, attempt.provider_reference, attempt.status) == \
        ("local", REFERENCE, AttemptStatus.PENDING)
    assert attempt.started_at is not None and attempt.last_queried_at is None
    assert (_order().status, _order().provider) == (OrderStatus.PENDING, "local")
    (log,) = StatusLog.query_list()
    assert (log.from_state, log.to_state, log.event, log.why) == (
        OrderStatus.CREATED, OrderStatus.PENDING, "submit", "payment started with local")
    assert Notification.count() == 0                     # nothing to tell the merchant yet
    with shop.transaction():
        receive_callback("local", *signed("ev-1"))
    assert PaymentAttempt.query_one(id=attempt.id).status is AttemptStatus.PAID


def test_start_payment_refuses_an_unknown_order_provider_or_a_paid_order(shop: App) -> None:
    for reference, provider, code in [("NO-SUCH", "local", "ORDER_NOT_FOUND"),
                                      (REFERENCE, "paypal", "PROVIDER_UNKNOWN")]:
        with pytest.raises(DataError) as refused, shop.transaction():
            start_payment(reference, provider)
        assert refused.value.code == code
    with shop.transaction():
        receive_callback("local", *signed("ev-1"))
    with pytest.raises(ModelryError, match="PAID") as refused, shop.transaction():
        start_payment(REFERENCE, "local")
    assert (refused.value.code, refused.value.model) == ("ORDER_NOT_PAYABLE", "order.Order")
    assert PaymentAttempt.count() == 0


def test_a_manual_completion_takes_the_callback_path(shop: App) -> None:
    ops = operator(shop)
    with shop.transaction():
        start_payment(REFERENCE, "local")
    with shop.acting_as(ops), shop.transaction():
        done = complete_manually(REFERENCE, "paid at the counter", "receipt 0042", PASSWORD)
    assert (done.who, done.note, done.evidence, done.code, done.outcome, done.status_after) \
        == (ops, "paid at the counter", "receipt 0042", "ok", "applied", "PAID")
    assert _order().status is OrderStatus.PAID
    callback = Callback.query_one(id=done.callback_id)
    assert (callback.provider, callback.event_id, callback.kind, callback.result_code) == \
        ("manual", f"manual-{done.id}", "paid", "ok")
    log = StatusLog.query_list(sort="-id", limit=1)[0]
    assert (log.event, log.who, log.callback_id) == ("pay", ops, callback.id)
    assert PaymentAttempt.query_list()[0].status is AttemptStatus.PAID
    (note,) = Notification.query_list()
    assert (note.kind, note.merchant, note.payload["status"]) == ("paid", "shop-1", "PAID")
    # a second completion, or the provider's late callback, pays nothing twice
    with shop.acting_as(ops), shop.transaction():
        again = complete_manually(REFERENCE, "twice", "receipt 0042", PASSWORD)
        late = receive_callback("local", *signed("ev-1"))
    assert (again.outcome, late.outcome) == ("duplicate", "duplicate")
    assert StatusLog.count(event="pay") == 1 and Notification.count() == 1


def test_a_manual_completion_needs_the_operators_password(shop: App) -> None:
    ops = operator(shop)
    with shop.acting_as(ops), pytest.raises(PasswordNotConfirmed), shop.transaction():
        complete_manually(REFERENCE, "paid", "receipt", "wrong")
    with pytest.raises(PasswordNotConfirmed), shop.transaction():   # nobody signed in
        complete_manually(REFERENCE, "paid", "receipt", PASSWORD)
    with shop.acting_as(ops), pytest.raises(DataError) as refused, shop.transaction():
        complete_manually(REFERENCE, "paid", "  ", PASSWORD)
    assert (refused.value.code, refused.value.field) == ("MANUAL_COMPLETION_INVALID",
                                                         "evidence")
    assert ManualCompletion.count() == 0 and _order().status is OrderStatus.CREATED


def test_a_manual_completion_of_a_closed_order_is_recorded_and_refused(shop: App) -> None:
    ops = operator(shop)
    with shop.transaction():
        Order.update_where({"reference": REFERENCE}, status=OrderStatus.CLOSED)
    with shop.acting_as(ops), shop.transaction():
        done = complete_manually(REFERENCE, "paid late", "receipt", PASSWORD)
    assert (done.code, done.outcome, done.status_after) == \
        ("ORDER_ILLEGAL_TRANSITION", None, "CLOSED")
    assert _order().status is OrderStatus.CLOSED and StatusLog.count() == 0
