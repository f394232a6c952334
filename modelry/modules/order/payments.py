"""Paying an order: `start_payment` (a customer starts paying through a provider) and
`complete_manually` (an operator marks an order paid by hand, confirming with their
password; the completion is applied as a `paid` callback of provider "manual", through
the very path provider callbacks take, so it is logged, settles the money and notifies the
merchant like any payment)."""
from __future__ import annotations

from datetime import UTC
from typing import Any

from modelry import DataError, confirm_password, function, transaction
from modelry.modules.order import clock, states
from modelry.modules.order.applying import decide_and_apply, record_transition
from modelry.modules.order.callbacks import CallbackDecision, OrderSnapshot
from modelry.modules.order.errors import OrderError
from modelry.modules.order.models import Order
from modelry.modules.order.payment_models import ManualCompletion, PaymentAttempt
from modelry.modules.order.providers.base import KIND_PAID, ProviderEvent
from modelry.modules.order.providers.local import event_body
from modelry.modules.order.receiving import apply_event, provider_for

MANUAL = "manual"                       # the provider code of manual completions
ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
ORDER_NOT_PAYABLE = "ORDER_NOT_PAYABLE"  # paid, refunded or closed: no new attempt
PROVIDER_UNKNOWN = "PROVIDER_UNKNOWN"
MANUAL_COMPLETION_INVALID = "MANUAL_COMPLETION_INVALID"


@function(open_level="API", type="CREATE", namespace="order.PaymentAttempt")
def start_payment(order_reference: str, provider: str) -> PaymentAttempt:
    """A customer starts paying order `order_reference` through `provider`: a pending
    attempt, and the order moves to PENDING (a failed order may be tried again)."""
    with transaction():
        order = find_order(order_reference)
        if provider_for(provider) is None:
            raise DataError(f"order.PaymentAttempt: no active order.ProviderConfig has code "
                            f"{provider!r}", code=PROVIDER_UNKNOWN,
                            model="order.PaymentAttempt", field="provider")
        if order.status.value not in states.PAYABLE_STATES:
            raise OrderError(ORDER_NOT_PAYABLE, f"order.Order {order_reference!r} is "
                                                f"{order.status.value}: it cannot be paid",
                             field="status")
        order, decision = decide_and_apply(order_reference, _submit)
        if not decision.accepted:
            raise OrderError(decision.code or ORDER_NOT_PAYABLE, decision.message,
                             field="status")
        record_transition(order, decision, provider=provider,
                          why=f"payment started with {provider}")
        Order.update_where({"id": order.id}, provider=provider)
        return PaymentAttempt(order=order.id, provider=provider,
                              provider_reference=order.reference,
                              started_at=clock.utc_now()).create()


def _submit(order: OrderSnapshot | None) -> CallbackDecision:
    assert order is not None                    # found above, and orders are never deleted
    try:
        return CallbackDecision(True, transition=states.transition(order.state, states.SUBMIT))
    except OrderError as exc:
        return CallbackDecision(False, exc.code, f"order {order.reference!r}: {exc.message}")


@function(open_level="API", type="CREATE", namespace="order.ManualCompletion")
def complete_manually(reference: str, note: str, evidence: str,
                      password: str) -> ManualCompletion:
    """Mark order `reference` paid by hand, with a note and the evidence of the payment;
    `password` is the acting operator's, checked again. Applied as a `paid` event of
    provider "manual": `code`, `outcome` and `status_after` tell what it did."""
    who = confirm_password(password)
    for name, text in (("note", note), ("evidence", evidence)):
        if not isinstance(text, str) or not text.strip() or len(text) > 512:
            raise DataError(f"order.ManualCompletion: {name} must be 1 to 512 characters",
                            code=MANUAL_COMPLETION_INVALID, model="order.ManualCompletion",
                            field=name)
    with transaction():
        order = find_order(reference)
        now = clock.utc_now()
        completion = ManualCompletion(order=order.id, who=who, note=note, evidence=evidence,
                                      created=now).create()
        event = ProviderEvent(f"{MANUAL}-{completion.id}", reference, KIND_PAID, order.amount,
                              order.currency, now.replace(tzinfo=UTC))
        answer = apply_event(MANUAL, {}, event_body(event).decode("utf-8"), event)
        ManualCompletion.update_where({"id": completion.id}, callback=answer.callback,
                                      code=answer.code, outcome=answer.outcome,
                                      status_after=answer.status)
        return ManualCompletion.query_one(id=completion.id)


def find_order(reference: str) -> Any:
    """The order with `reference`; ORDER_NOT_FOUND naming it otherwise."""
    order = Order.query_one(reference=reference) if isinstance(reference, str) else None
    if order is None:
        raise DataError(f"no order.Order has reference {reference!r}", code=ORDER_NOT_FOUND,
                        model="order.Order", field="reference")
    return order

