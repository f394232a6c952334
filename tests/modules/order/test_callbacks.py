"""Callback checks: a callback whose signature, order, currency or amount does not match is
rejected with its code; refunds come in parts within what was paid; duplicates and late
messages are accepted as no-ops."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from modelry.modules.order import errors, states
from modelry.modules.order.callbacks import (
    CallbackDecision,
    OrderSnapshot,
    check_callback,
    check_status,
    receive_callback,
    refund_check,
)
from modelry.modules.order.errors import OrderError
from modelry.modules.order.providers.base import ProviderEvent, ProviderStatus
from modelry.modules.order.providers.local import LocalProvider
from tests.modules.order.helpers import START, Clock, provider

ORDER = OrderSnapshot("A-1", states.PENDING, Decimal("12.50"), "EUR")


def _event(kind: str = "paid", amount: str = "12.50", currency: str = "EUR",
           reference: str = "A-1") -> ProviderEvent:
    return ProviderEvent("ev-1", reference, kind, Decimal(amount), currency, START)


def _rejected(decision: CallbackDecision, code: str) -> None:
    assert (decision.accepted, decision.code, decision.transition) == (False, code, None)
    assert decision.message


def test_matching_paid_callback_pays() -> None:
    decision = check_callback(ORDER, _event())
    assert decision.accepted and decision.code is None
    assert decision.transition == states.Transition("PENDING", "pay", "PAID", states.APPLIED)


def test_amount_compares_as_a_number() -> None:
    assert check_callback(ORDER, _event(amount="12.5")).accepted


def test_second_paid_is_accepted_as_a_no_op() -> None:
    decision = check_callback(replace(ORDER, state=states.PAID), _event())
    assert decision.accepted and decision.transition is not None
    assert (decision.transition.after, decision.transition.applied) == ("PAID", False)


def test_failed_after_paid_is_accepted_as_a_no_op() -> None:
    decision = check_callback(replace(ORDER, state=states.PAID), _event("failed"))
    assert decision.accepted and decision.transition is not None
    assert (decision.transition.outcome, decision.transition.after) == (states.STALE, "PAID")


def test_bad_signature_is_rejected_before_anything_else() -> None:
    decision = check_callback(None, None, signature_valid=False)
    _rejected(decision, errors.CALLBACK_BAD_SIGNATURE)


def test_unknown_order_is_rejected() -> None:
    decision = check_callback(None, _event(reference="B-9"))
    _rejected(decision, errors.CALLBACK_UNKNOWN_ORDER)
    assert "'B-9'" in decision.message


@pytest.mark.parametrize("kind", ["paid", "failed"])
def test_amount_mismatch_is_rejected(kind: str) -> None:
    decision = check_callback(ORDER, _event(kind, amount="1.25"))
    _rejected(decision, errors.CALLBACK_AMOUNT_MISMATCH)
    assert "1.25 EUR" in decision.message and "12.50 EUR" in decision.message


@pytest.mark.parametrize("kind", ["paid", "failed", "refunded"])
def test_currency_mismatch_is_rejected(kind: str) -> None:
    decision = check_callback(replace(ORDER, state=states.PAID), _event(kind, currency="USD"))
    _rejected(decision, errors.CALLBACK_CURRENCY_MISMATCH)
    assert "USD" in decision.message and "EUR" in decision.message


def test_paid_on_a_closed_order_is_an_illegal_transition() -> None:
    decision = check_callback(replace(ORDER, state=states.CLOSED), _event())
    _rejected(decision, errors.ORDER_ILLEGAL_TRANSITION)
    assert "from CLOSED to PAID" in decision.message and "'A-1'" in decision.message


@pytest.mark.parametrize("state", ["CREATED", "PENDING", "FAILED", "CLOSED"])
def test_refund_of_an_unpaid_order_is_an_illegal_transition(state: str) -> None:
    decision = check_callback(replace(ORDER, state=state), _event("refunded", amount="1"))
    _rejected(decision, errors.ORDER_ILLEGAL_TRANSITION)
    assert f"from {state} to REFUNDED" in decision.message


@pytest.mark.parametrize(("state", "refunded", "amount", "after", "new_total"), [
    ("PAID", "0", "2.50", "PARTIALLY_REFUNDED", "2.50"),
    ("PAID", "0", "12.50", "REFUNDED", "12.50"),
    ("PARTIALLY_REFUNDED", "2.50", "5", "PARTIALLY_REFUNDED", "7.50"),
    ("PARTIALLY_REFUNDED", "2.50", "10.00", "REFUNDED", "12.50"),
])
def test_refund_parts(state: str, refunded: str, amount: str, after: str,
                      new_total: str) -> None:
    order = replace(ORDER, state=state, refunded=Decimal(refunded))
    decision = check_callback(order, _event("refunded", amount=amount))
    assert decision.accepted and decision.transition is not None
    assert (decision.transition.after, decision.transition.applied) == (after, True)
    assert decision.refunded_after == Decimal(new_total)


@pytest.mark.parametrize(("state", "refunded", "amount"), [
    ("PAID", "0", "12.51"), ("PARTIALLY_REFUNDED", "10", "2.51"), ("REFUNDED", "12.50", "1"),
])
def test_refund_past_what_was_paid_is_rejected(state: str, refunded: str,
                                               amount: str) -> None:
    order = replace(ORDER, state=state, refunded=Decimal(refunded))
    _rejected(check_callback(order, _event("refunded", amount=amount)),
              errors.REFUND_EXCEEDS_PAID)


def test_refund_check_in_parts() -> None:
    first = refund_check(Decimal(100), Decimal(0), Decimal(30))
    assert (first.refunded_after, first.remaining, first.event) == (30, 70, "refund_partial")
    last = refund_check(Decimal(100), first.refunded_after, Decimal(70))
    assert (last.refunded_after, last.remaining, last.event) == (100, 0, "refund")
    with pytest.raises(OrderError) as caught:
        refund_check(Decimal(100), Decimal(30), Decimal("70.01"))
    assert caught.value.code == errors.REFUND_EXCEEDS_PAID
    assert str(caught.value) == ("cannot refund 70.01: 30 of the 100 paid is refunded "
                                 "already, 70 remains")


@pytest.mark.parametrize("amount", [Decimal(0), Decimal(-1), Decimal("NaN"), 5, 5.0])
def test_refund_check_refuses_non_positive_or_non_decimal(amount: object) -> None:
    with pytest.raises(OrderError) as caught:
        refund_check(Decimal(100), Decimal(0), amount)  # type: ignore[arg-type]
    assert caught.value.code == errors.REFUND_AMOUNT_INVALID


# -- raw callbacks through a provider ---------------------------------------------------


@pytest.fixture
def local() -> LocalProvider:
    remote = provider(Clock())
    remote.open("A-1", Decimal("12.50"), "EUR")
    return remote


def _find(reference: str) -> OrderSnapshot | None:
    return ORDER if reference == ORDER.reference else None


def test_receive_signed_callback(local: LocalProvider) -> None:
    headers, body = local.callback(local.pay("A-1"))
    decision = receive_callback(local, headers, body, _find)
    assert decision.accepted and decision.transition is not None
    assert decision.transition.after == "PAID"
    assert decision.event is not None and decision.event.event_id == "local-1"


def test_receive_tampered_callback_does_not_parse(local: LocalProvider) -> None:
    headers, body = local.callback(local.pay("A-1"))
    _rejected(receive_callback(local, headers, body + b" ", _find),
              errors.CALLBACK_BAD_SIGNATURE)
    _rejected(receive_callback(local, {}, b"not even json", _find),
              errors.CALLBACK_BAD_SIGNATURE)


def test_receive_signed_garbage_is_malformed(local: LocalProvider) -> None:
    body = b'{"kind": "paid"}'
    decision = receive_callback(local, local.sign(body), body, _find)
    _rejected(decision, errors.CALLBACK_MALFORMED)
    assert "'local'" in decision.message


def test_receive_signed_callback_for_an_unknown_order(local: LocalProvider) -> None:
    local.open("B-2", Decimal("12.50"), "EUR")
    headers, body = local.callback(local.pay("B-2"))
    _rejected(receive_callback(local, headers, body, _find), errors.CALLBACK_UNKNOWN_ORDER)


# -- the janitor's status answers -------------------------------------------------------


@pytest.mark.parametrize(("status", "after"), [
    ("paid", "PAID"), ("failed", "FAILED"), ("closed", "CLOSED"),
])
def test_status_settles_an_open_order(status: str, after: str) -> None:
    decision = check_status(ORDER, ProviderStatus("A-1", status, Decimal("12.50"), "EUR"))
    assert decision is not None and decision.accepted and decision.transition is not None
    assert (decision.transition.after, decision.transition.applied) == (after, True)


@pytest.mark.parametrize("status", ["pending", "unknown"])
def test_pending_or_unknown_status_decides_nothing(status: str) -> None:
    assert check_status(ORDER, ProviderStatus("A-1", status)) is None


@pytest.mark.parametrize(("amount", "currency", "code"), [
    ("12.49", "EUR", errors.CALLBACK_AMOUNT_MISMATCH),
    ("12.50", "USD", errors.CALLBACK_CURRENCY_MISMATCH),
])
def test_status_with_other_money_is_rejected(amount: str, currency: str, code: str) -> None:
    decision = check_status(ORDER, ProviderStatus("A-1", "paid", Decimal(amount), currency))
    assert decision is not None
    _rejected(decision, code)
