"""`receive_callback` on each database: a paid callback pays the order and logs it; a
redelivered event answers its first answer and changes nothing; a second `paid` event is a
no-op; tampered, mismatched, unknown and illegal callbacks are recorded with their code and
change nothing."""
from __future__ import annotations

from decimal import Decimal

import pytest

from modelry import DataError
from modelry.boot import App
from modelry.modules.order.models import Callback, CallbackAnswer, Order, OrderStatus, StatusLog
from modelry.modules.order.providers.local import LocalProvider
from modelry.modules.order.receiving import create_order, receive_callback
from tests.modules.order.conftest import REFERENCE, answer_of, signed
from tests.modules.order.helpers import SECRET


def _order() -> Order:
    return Order.query_one(reference=REFERENCE)


def _receive(app: App, headers: dict[str, str], body: str,
             provider: str = "local") -> CallbackAnswer:
    with app.transaction():
        return receive_callback(provider, headers, body)


def test_a_paid_callback_pays_the_order_and_logs_it(shop: App) -> None:
    with shop.acting_as(7):
        answer = _receive(shop, *signed("ev-1"))
    assert (answer.code, answer.outcome, answer.status, answer.redelivered) == \
        ("ok", "applied", "PAID", False)
    assert _order().status is OrderStatus.PAID
    (log,) = StatusLog.query_list()
    assert (log.order_id, log.from_state, log.to_state, log.event, log.callback_id) == \
        (_order().id, OrderStatus.CREATED, OrderStatus.PAID, "pay", answer.callback)
    assert (log.who, log.why) == (7, "local callback ev-1 (paid)")
    assert log.changed_at is not None
    (callback,) = Callback.query_list()
    assert (callback.event_id, callback.signature_ok, callback.result_code, callback.kind,
            callback.order_id) == ("ev-1", True, "ok", "paid", _order().id)
    assert callback.body == signed("ev-1")[1]


def test_a_redelivered_callback_answers_the_first_answer_and_changes_nothing(
        shop: App) -> None:
    first = _receive(shop, *signed("ev-1"))
    before = _order()
    again = _receive(shop, *signed("ev-1"))      # signed again: a fresh delivery
    assert answer_of(again) == answer_of(first) and again.redelivered
    assert Callback.count() == 1 and StatusLog.count() == 1
    assert (_order().opt_version, _order().write_date) == (before.opt_version,
                                                           before.write_date)


def test_a_second_paid_event_is_a_no_op(shop: App) -> None:
    _receive(shop, *signed("ev-1"))
    second = _receive(shop, *signed("ev-2"))
    assert (second.code, second.outcome, second.status, second.redelivered) == \
        ("ok", "duplicate", "PAID", False)
    assert _order().status is OrderStatus.PAID
    assert Callback.count() == 2 and StatusLog.count() == 1


def test_a_tampered_callback_is_rejected_recorded_and_blocks_nothing(shop: App) -> None:
    headers, body = signed("ev-1")
    forged = body.replace("12.50", "0.01")
    answer = _receive(shop, headers, forged)
    assert (answer.code, answer.outcome, answer.order) == ("CALLBACK_BAD_SIGNATURE", None, None)
    (callback,) = Callback.query_list()
    assert (callback.event_id, callback.signature_ok, callback.result_code, callback.body) == \
        (None, False, "CALLBACK_BAD_SIGNATURE", forged)
    assert _order().status is OrderStatus.CREATED and StatusLog.count() == 0
    # the forged event id was not trusted: the genuine callback still pays
    assert _receive(shop, headers, body).outcome == "applied"


def test_an_unsigned_callback_is_rejected(shop: App) -> None:
    _, body = signed("ev-1")
    assert _receive(shop, {}, body).code == "CALLBACK_BAD_SIGNATURE"
    assert _order().status is OrderStatus.CREATED


@pytest.mark.parametrize(("kind", "amount", "currency", "reference", "code"), [
    ("paid", "12.49", "EUR", REFERENCE, "CALLBACK_AMOUNT_MISMATCH"),
    ("paid", "12.50", "USD", REFERENCE, "CALLBACK_CURRENCY_MISMATCH"),
    ("paid", "12.50", "EUR", "NO-SUCH", "CALLBACK_UNKNOWN_ORDER"),
    ("refunded", "1.00", "EUR", REFERENCE, "ORDER_ILLEGAL_TRANSITION"),
])
def test_a_mismatched_callback_is_rejected_recorded_and_changes_nothing(
        shop: App, kind: str, amount: str, currency: str, reference: str, code: str) -> None:
    callback = signed("ev-1", kind, amount, currency, reference)
    answer = _receive(shop, *callback)
    assert (answer.code, answer.outcome) == (code, None)
    assert code in answer.message or reference in answer.message
    (stored,) = Callback.query_list()
    assert (stored.event_id, stored.signature_ok, stored.result_code) == ("ev-1", True, code)
    assert _order().status is OrderStatus.CREATED and StatusLog.count() == 0
    again = _receive(shop, *callback)
    assert answer_of(again) == answer_of(answer) and again.redelivered
    assert Callback.count() == 1


def test_a_malformed_body_and_an_unknown_provider_are_rejected(shop: App) -> None:
    body = '{"event_id": "ev-1"}'
    answer = _receive(shop, LocalProvider(SECRET).sign(body.encode()), body)
    assert answer.code == "CALLBACK_MALFORMED"
    assert _receive(shop, *signed("ev-1"), provider="paypal").code == "PROVIDER_UNKNOWN"
    assert [(c.provider, c.event_id, c.result_code) for c in Callback.query_list(sort="id")] \
        == [("local", None, "CALLBACK_MALFORMED"), ("paypal", None, "PROVIDER_UNKNOWN")]
    assert _order().status is OrderStatus.CREATED


def test_refunds_in_parts_then_in_full(shop: App) -> None:
    _receive(shop, *signed("ev-1"))
    assert _receive(shop, *signed("r-1", "refunded", "5.00")).status == "PARTIALLY_REFUNDED"
    assert _receive(shop, *signed("r-2", "refunded", "8.00")).code == "REFUND_EXCEEDS_PAID"
    assert _receive(shop, *signed("r-3", "refunded", "7.50")).status == "REFUNDED"
    assert (_order().status, _order().refunded) == (OrderStatus.REFUNDED, Decimal("12.50"))
    assert [(log.from_state.value, log.to_state.value) for log in StatusLog.query_list(
        sort="id")] == [("CREATED", "PAID"), ("PAID", "PARTIALLY_REFUNDED"),
                        ("PARTIALLY_REFUNDED", "REFUNDED")]


def test_create_order_refuses_a_bad_amount_or_currency(order_app: App) -> None:
    with pytest.raises(DataError, match="positive") as refused, order_app.transaction():
        create_order("B-1", "shop-1", Decimal("-1"), "EUR")
    assert refused.value.code == "ORDER_INVALID"
    with pytest.raises(DataError, match="three-letter"), order_app.transaction():
        create_order("B-1", "shop-1", Decimal("1"), "euro")
    assert Order.count() == 0
