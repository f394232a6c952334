"""What a provider callback, or the provider's answer to a status query, may do to an order:
accepted with the transition it implies, or rejected with a code. Pure: the caller looks
the order up and carries the decision out.

The checks, in order (the first failure decides):

1. the signature (CALLBACK_BAD_SIGNATURE): an unsigned body is never parsed;
2. the body is an event (CALLBACK_MALFORMED);
3. an order has the event's reference (CALLBACK_UNKNOWN_ORDER);
4. the currency is the order's (CALLBACK_CURRENCY_MISMATCH);
5. a `paid` or `failed` event's amount is the order's amount (CALLBACK_AMOUNT_MISMATCH); a
   `refunded` event's amount is one part, and the parts refunded stay within what was paid
   (`refund_check`: REFUND_EXCEEDS_PAID);
6. the state machine allows the event (ORDER_ILLEGAL_TRANSITION); a duplicate or
   out-of-order event is *accepted* as a no-op (`transition.applied` is false).

A rejected callback changes nothing. Recognising a redelivered event by its provider event
id comes before all this, in the database (the unique constraint on `order.Callback`); the
state machine makes a duplicate `paid` harmless even without it, but a duplicate refund part
would count twice, so that constraint is what makes refunds idempotent.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from modelry.modules.order import errors, states
from modelry.modules.order.errors import OrderError, ProviderError
from modelry.modules.order.providers.base import (
    KIND_FAILED,
    KIND_PAID,
    KIND_REFUNDED,
    STATUS_CLOSED,
    STATUS_FAILED,
    STATUS_PAID,
    PaymentProvider,
    ProviderEvent,
    ProviderStatus,
)
from modelry.modules.order.states import Transition, transition

ZERO = Decimal(0)


@dataclass(frozen=True)
class OrderSnapshot:
    """What the checks need of an order: its reference, state, amount, currency, and the
    total refunded so far."""

    reference: str
    state: str
    amount: Decimal
    currency: str
    refunded: Decimal = ZERO


@dataclass(frozen=True)
class RefundCheck:
    """A refund part that fits: the refunded total after it, what remains refundable, and
    the event it is (`refund_partial`, or `refund` for the part that refunds in full)."""

    refunded_after: Decimal
    remaining: Decimal
    event: str


@dataclass(frozen=True)
class CallbackDecision:
    """The verdict on one callback or status answer. Accepted: `transition` says what to do
    (it may be a no-op) and, for a refund, `refunded_after` is the order's new refunded
    total. Rejected: `code` and `message` say why, and nothing is to change."""

    accepted: bool
    code: str | None = None
    message: str = ""
    event: ProviderEvent | None = None
    transition: Transition | None = None
    refunded_after: Decimal | None = None


def refund_check(paid: Decimal, refunded_so_far: Decimal, amount: Decimal) -> RefundCheck:
    """Whether `amount` may be refunded of `paid` when `refunded_so_far` already was: refunds
    come in parts, each > 0, and all of them together never exceed what was paid."""
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= ZERO:
        raise OrderError(errors.REFUND_AMOUNT_INVALID,
                         f"a refund must be a positive Decimal, not {amount!r}",
                         field="amount")
    remaining = paid - refunded_so_far
    if amount > remaining:
        raise OrderError(errors.REFUND_EXCEEDS_PAID,
                         f"cannot refund {amount}: {refunded_so_far} of the {paid} paid is "
                         f"refunded already, {remaining} remains", field="amount")
    after = refunded_so_far + amount
    event = states.REFUND if after == paid else states.REFUND_PARTIAL
    return RefundCheck(after, paid - after, event)


def check_callback(order: OrderSnapshot | None, event: ProviderEvent | None, *,
                   signature_valid: bool = True) -> CallbackDecision:
    """Whether a callback reporting `event` may apply to `order` (None: no order has the
    event's reference), and the transition it implies."""
    if not signature_valid:
        return _rejected(errors.CALLBACK_BAD_SIGNATURE,
                         "callback signature is missing, invalid or outside the time window",
                         event)
    if event is None:
        return _rejected(errors.CALLBACK_MALFORMED, "callback carries no event", event)
    if order is None:
        return _rejected(errors.CALLBACK_UNKNOWN_ORDER,
                         f"no order.Order has reference {event.reference!r} "
                         f"(event {event.event_id!r})", event)
    refund = event.kind == KIND_REFUNDED       # its amount is one part, checked below
    mismatch = _money_mismatch(order, f"event {event.event_id!r}", event.currency,
                               None if refund else event.amount, event)
    if mismatch is not None:
        return mismatch
    if refund:
        return _refund_decision(order, event)
    name = {KIND_PAID: states.PAY, KIND_FAILED: states.FAIL}[event.kind]
    return _decided(order, name, event)


def receive_callback(provider: PaymentProvider, headers: Mapping[str, str], body: bytes,
                     find_order: Callable[[str], OrderSnapshot | None]) -> CallbackDecision:
    """Verify, parse and check one raw callback; `find_order` looks an order up by its
    reference. The body is parsed only once its signature has verified."""
    if not provider.verify(headers, body):
        return check_callback(None, None, signature_valid=False)
    try:
        event = provider.parse(body)
    except ProviderError as exc:
        return _rejected(exc.code, f"callback of provider {provider.code!r}: {exc.message}",
                         None)
    return check_callback(find_order(event.reference), event)


def check_status(order: OrderSnapshot, status: ProviderStatus) -> CallbackDecision | None:
    """What the provider's status answer means for an order that can still be paid (asked by
    the janitor, and when the merchant closes): a decision for paid, failed and closed
    payments, None while it is pending or unknown. The callback's money checks apply."""
    name = {STATUS_PAID: states.PAY, STATUS_FAILED: states.FAIL,
            STATUS_CLOSED: states.CLOSE}.get(status.status)
    if name is None:
        return None
    mismatch = _money_mismatch(order, f"the provider's status of {order.reference!r}",
                               status.currency, status.amount, None)
    return mismatch if mismatch is not None else _decided(order, name, None)


def _money_mismatch(order: OrderSnapshot, what: str, currency: str | None,
                    amount: Decimal | None, event: ProviderEvent | None
                    ) -> CallbackDecision | None:
    """A rejection when `currency`, or `amount` unless None, is not the order's."""
    if currency != order.currency:
        return _rejected(errors.CALLBACK_CURRENCY_MISMATCH,
                         f"{what} is in {currency}, order {order.reference!r} in "
                         f"{order.currency}", event)
    if amount is not None and amount != order.amount:
        return _rejected(errors.CALLBACK_AMOUNT_MISMATCH,
                         f"{what} is for {amount} {currency}, order {order.reference!r} is "
                         f"for {order.amount} {order.currency}", event)
    return None


def _refund_decision(order: OrderSnapshot, event: ProviderEvent) -> CallbackDecision:
    if order.state not in states.PAID_STATES:
        return _decided(order, states.REFUND, event)      # illegal: nothing was paid
    try:
        check = refund_check(order.amount, order.refunded, event.amount)
    except OrderError as exc:
        return _rejected(exc.code, f"order {order.reference!r}, event {event.event_id!r}: "
                                   f"{exc.message}", event)
    decision = _decided(order, check.event, event)
    if not decision.accepted:
        return decision
    return CallbackDecision(True, event=event, transition=decision.transition,
                            refunded_after=check.refunded_after)


def _decided(order: OrderSnapshot, name: str, event: ProviderEvent | None) -> CallbackDecision:
    try:
        return CallbackDecision(True, event=event, transition=transition(order.state, name))
    except OrderError as exc:
        return _rejected(exc.code, f"order {order.reference!r}: {exc.message}", event)


def _rejected(code: str, message: str, event: ProviderEvent | None) -> CallbackDecision:
    return CallbackDecision(False, code, message, event)
