"""`refund_order`: an operator gives back part (or all) of what an order was paid.

The order is locked first, so concurrent refunds of one order queue and each one sees what
the others refunded: all of them together never exceed what was paid
(`callbacks.refund_check`, REFUND_EXCEEDS_PAID). The provider whose callback paid the
order is asked to refund first when it can (a `refund(reference, amount)` method returning
the refund's event, as the local provider has): a refusal is recorded (`order.Refund`,
status REFUSED) and changes nothing. The refund's event is then applied through the path of
every callback (`receiving.apply_event`: logged, the money moved back, the merchant
notified); when the provider later calls back with that event, it is a redelivery. Without
such a provider (an order completed by hand, say) the event is the operator's own
(provider "operator").
"""
from __future__ import annotations

import uuid
from datetime import UTC
from decimal import Decimal
from typing import Any

from modelry import DataError, current_user_id, function, transaction
from modelry.modules.order import clock, states
from modelry.modules.order.callbacks import refund_check
from modelry.modules.order.errors import OrderError, ProviderError
from modelry.modules.order.models import Callback, Order
from modelry.modules.order.payment_models import Refund, RefundStatus
from modelry.modules.order.payments import MANUAL, find_order
from modelry.modules.order.providers.base import KIND_PAID, KIND_REFUNDED, ProviderEvent
from modelry.modules.order.providers.local import event_body
from modelry.modules.order.receiving import OK, apply_event, provider_for

OPERATOR = "operator"           # the provider code of refunds no provider carried out
REFUND_INVALID = "REFUND_INVALID"


@function(open_level="API", type="CREATE", namespace="order.Refund")
def refund_order(reference: str, amount: Decimal, reason: str) -> Refund:
    """Refund `amount` of paid order `reference`, for `reason`; parts add up to at most
    what was paid. The refund's `status` is REFUNDED, or REFUSED (by the provider)."""
    if not isinstance(reason, str) or not reason.strip() or len(reason) > 512:
        raise DataError("order.Refund: reason must be 1 to 512 characters",
                        code=REFUND_INVALID, model="order.Refund", field="reason")
    with transaction():
        (order,) = Order.lock([find_order(reference).id])
        if order.status.value not in states.PAID_STATES:
            states.transition(order.status.value, states.REFUND)     # names both states
        refund_check(order.amount, order.refunded, amount)
        record = dict(order=order.id, amount=amount, reason=reason, who=current_user_id())
        paid_by = _paid_by(order)
        provider = provider_for(paid_by) if paid_by else None
        refunding = getattr(provider, "refund", None)
        if refunding is None:
            code = OPERATOR
            event = ProviderEvent(f"{OPERATOR}-{uuid.uuid4().hex}", reference, KIND_REFUNDED,
                                  amount, order.currency, clock.utc_now().replace(tzinfo=UTC))
        else:
            code = paid_by
            try:
                event = refunding(reference, amount)
            except ProviderError as refused:
                return Refund(status=RefundStatus.REFUSED, message=refused.message[:512],
                              **record).create()
        answer = apply_event(code, {}, event_body(event).decode("utf-8"), event)
        if answer.code != OK:
            raise OrderError(answer.code, answer.message or "", field="amount")
        return Refund(status=RefundStatus.REFUNDED, event_id=event.event_id,
                      **record).create()


def _paid_by(order: Any) -> str | None:
    """The provider that took the order's money: the one whose callback paid it (none for
    a manual completion: that money never went through a provider), else the order's."""
    paid = Callback.query_one(order=order.id, kind=KIND_PAID, outcome=states.APPLIED)
    if paid is None:
        return order.provider                 # paid on the janitor's query
    return None if paid.provider == MANUAL else paid.provider
