"""The one path every change of an order's status takes, whoever asks for it: a provider
callback, an operator completing an order by hand or refunding it, the janitor acting on
the provider's answer, a customer starting to pay.

1. `decide_and_apply`: read the order, decide (a pure function of its snapshot, from
   `callbacks` or `states`), and carry an applied decision out by a compare-and-set on the
   status it was decided from (and the refunded total, for a refund). Two changes racing
   on one order cannot both apply: the loser's update matches no row, and it reads the
   order again and decides afresh (usually a no-op now).
2. `record_transition`: for an applied transition, in the same transaction, one
   `order.StatusLog` row (who, why), the order's payment attempts brought up to date, the
   money moved (`settlement`: `settle` when paid, `reverse` per refund part) and the
   merchant's notification queued (`notifying`).
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from modelry import current_user_id
from modelry.modules.order import clock, notifying, settlement, states
from modelry.modules.order.callbacks import CallbackDecision, OrderSnapshot
from modelry.modules.order.errors import OrderError
from modelry.modules.order.models import Order, StatusLog
from modelry.modules.order.payment_models import AttemptStatus, PaymentAttempt

ORDER_CONTENDED = "ORDER_CONTENDED"      # the order kept changing under the change
MAX_ATTEMPTS = 20           # compare-and-set rounds; each lost one means the order moved

Decide = Callable[[OrderSnapshot | None], CallbackDecision]

# What an applied transition makes of the order's open payment attempts.
_ATTEMPT_AFTER = {states.PAY: AttemptStatus.PAID, states.FAIL: AttemptStatus.FAILED,
                  states.CLOSE: AttemptStatus.CLOSED}
_OPEN_ATTEMPTS = [AttemptStatus.PENDING, AttemptStatus.FAILED]


def snapshot(order: Any) -> OrderSnapshot:
    """The order as the pure checks see it."""
    return OrderSnapshot(order.reference, order.status.value, order.amount, order.currency,
                         order.refunded)


def decide_and_apply(reference: str, decide: Decide) -> tuple[Any, CallbackDecision]:
    """The order with `reference` (or None) and `decide`'s decision on it; an applied
    decision has been carried out by a compare-and-set on the order."""
    for _ in range(MAX_ATTEMPTS):
        order = Order.query_one(reference=reference)
        decision = decide(None if order is None else snapshot(order))
        transition = decision.transition
        if not decision.accepted or transition is None or not transition.applied:
            return order, decision
        where: dict[str, Any] = {"id": order.id, "status": transition.before}
        values: dict[str, Any] = {"status": transition.after}
        if decision.refunded_after is not None:
            where["refunded"] = order.refunded
            values["refunded"] = decision.refunded_after
        if Order.update_where(where, **values) == 1:
            return order, decision
    raise OrderError(ORDER_CONTENDED, f"order.Order {reference!r} changed {MAX_ATTEMPTS} "
                                      "times while a change was applied", field="status")


def record_transition(order: Any, decision: CallbackDecision, *, why: str,
                      provider: str | None, callback: int | None = None,
                      when: Any = None) -> Any:
    """Log an applied transition and carry out what it entails (module docstring, step 2);
    the `order.StatusLog` row, or None when the decision applied nothing."""
    transition = decision.transition
    if not decision.accepted or transition is None or not transition.applied:
        return None
    log = StatusLog(order=order.id, from_state=transition.before, to_state=transition.after,
                    event=transition.event, who=current_user_id(), callback=callback,
                    why=why[:256], changed_at=when or clock.utc_now()).create()
    attempt_after = _ATTEMPT_AFTER.get(transition.event)
    if attempt_after is not None:
        PaymentAttempt.update_where({"order": order.id, "status__in": _OPEN_ATTEMPTS},
                                    status=attempt_after)
    if transition.event == states.PAY:
        settlement.run(settlement.PAID, order, order.amount, provider, log.id)
    elif decision.refunded_after is not None:
        part: Decimal = decision.refunded_after - order.refunded
        settlement.run(settlement.REFUNDED, order, part, provider, log.id)
    notifying.queue(order, transition.event, transition.after, log.id)
    return log
