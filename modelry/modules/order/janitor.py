"""The janitor: asks the provider about payments left open, and applies its answer.

A callback can be lost (the provider gave up, the network dropped it). Every five minutes
(`requery_due`, scheduled) the janitor takes the payment attempts still PENDING or FAILED
(a failed payment may be retried at the provider, and its `paid` callback lost) that
started longer ago than their provider's `requery_after_seconds`, and not more than
`GIVE_UP_AFTER` ago; it asks the provider (`query`) once per order, and applies the answer
through the path every change takes (`callbacks.check_status`, then `applying`): a paid
answer pays the order (logged, settled, notified) exactly as the lost callback would have.
Each order is settled in its own savepoint: one that fails (its `last_error` says why) does
not stop the others.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from modelry import ModelryError, function, schedule, transaction
from modelry.modules.order import clock
from modelry.modules.order.applying import decide_and_apply, record_transition
from modelry.modules.order.callbacks import CallbackDecision, OrderSnapshot, check_status
from modelry.modules.order.models import ProviderConfig
from modelry.modules.order.payment_models import AttemptStatus, PaymentAttempt
from modelry.modules.order.providers.base import ProviderStatus
from modelry.modules.order.receiving import provider_for

GIVE_UP_AFTER = dt.timedelta(days=7)    # an attempt older than this is not asked about
BATCH = 1_000                           # attempts per provider per run
_OPEN = [AttemptStatus.PENDING, AttemptStatus.FAILED]
# The attempt's status after the provider's answer (unknown: left as it is).
_ATTEMPT_STATUS = {"pending": AttemptStatus.PENDING, "paid": AttemptStatus.PAID,
                   "failed": AttemptStatus.FAILED, "closed": AttemptStatus.CLOSED}


@schedule("*/5 * * * *")
@function(namespace="order.PaymentAttempt")
def requery_due(due: dt.datetime) -> None:
    """The scheduled run of `requery_payments`."""
    requery_payments()


@function(open_level="API", type="UPDATE", namespace="order.PaymentAttempt")
def requery_payments(limit: int = BATCH) -> int:
    """Ask the providers about open payment attempts and apply their answers; how many
    orders changed status."""
    now = clock.utc_now()
    changed = 0
    for config in ProviderConfig.query_list(active=True, sort="id"):
        provider = provider_for(config.code)
        if provider is None:
            continue
        attempts = PaymentAttempt.query_list(
            provider=config.code, status__in=_OPEN, started_at__ge=now - GIVE_UP_AFTER,
            started_at__le=now - dt.timedelta(seconds=config.requery_after_seconds),
            sort="id", limit=limit)
        asked: set[int] = set()
        for attempt in attempts:
            if attempt.order_id not in asked:
                asked.add(attempt.order_id)
                changed += _requery(provider, attempt, now)
    return changed


def _requery(provider: Any, attempt: Any, now: dt.datetime) -> int:
    """Ask about one attempt and apply the answer to its order; 1 when the order changed."""
    error: str | None = None
    applied = False
    try:
        status = provider.query(attempt.provider_reference)
    except Exception as exc:  # noqa: BLE001 - any provider failure is this attempt's error
        status, error = None, f"{provider.code} query failed: {exc}"
    if status is not None:
        try:
            with transaction():
                applied = apply_status(provider.code, attempt.provider_reference, status,
                                       why=f"janitor: {provider.code} says {status.status}")
        except ModelryError as exc:
            error = f"{exc.code}: {exc.message}"
    values: dict[str, Any] = {"last_queried_at": now, "last_error": (error or "")[:512] or None}
    after = None if status is None else _ATTEMPT_STATUS.get(status.status)
    if after is not None and not applied and error is None:
        values["status"] = after
    PaymentAttempt.update_where({"id": attempt.id}, **values)
    return int(applied)


def apply_status(code: str, reference: str, status: ProviderStatus, *, why: str) -> bool:
    """Apply provider `code`'s answer about order `reference` through the path every change
    takes; whether a transition applied. A rejected answer (its amount or currency is not
    the order's) raises its code."""
    def decide(order: OrderSnapshot | None) -> CallbackDecision:
        if order is None:
            return CallbackDecision(True)
        return check_status(order, status) or CallbackDecision(True)

    order, decision = decide_and_apply(reference, decide)
    if not decision.accepted:
        raise ModelryError(decision.message, code=decision.code or "STATUS_REJECTED",
                           model="order.Order")
    return record_transition(order, decision, provider=code, why=why) is not None
