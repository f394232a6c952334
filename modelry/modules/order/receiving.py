"""`receive_callback`: a provider's callback, verified, recorded once per provider event id,
checked, and applied to its order at most once; and `create_order`.

The steps, in one transaction (the caller's, as a savepoint, or one of its own):

1. The provider is looked up by code (`order.ProviderConfig`, built by `PROVIDER_KINDS`).
   An unknown provider, a bad signature, or a signed body that is not an event is recorded
   *without* an event id (an unverified id is not trusted, so a forged callback cannot
   block the genuine one) and answered with its code.
2. A verified event already recorded for (provider, event id) answers the first answer,
   `redelivered`, and changes nothing.
3. `callbacks.check_callback` decides. A rejection (amount or currency mismatch, unknown
   order, illegal transition, refund past what was paid) is recorded with its code and
   changes nothing on the order; a duplicate or stale event is recorded as accepted.
4. An applied transition is a compare-and-set: `Order.update_where` on the status it was
   decided from (and the refunded total, for a refund). Two callbacks racing on one order
   cannot both apply: the loser's update matches no row, and it reads the order again and
   decides afresh (usually a no-op now). Each applied transition writes one
   `order.StatusLog` row, moves the money and queues the merchant's notification
   (`applying`: the same path as every other change of an order).
5. The callback row is inserted last, in a savepoint: when the same event raced in
   concurrently and won, the unique (provider, event_id) set refuses it, the savepoint
   rolls back whatever this attempt did to the order, and the retry answers as step 2.

Rejections are answers, never errors: a provider gets a code and no stack trace.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from modelry import DataError, UniqueViolation, function, transaction
from modelry.modules.order import errors
from modelry.modules.order.applying import decide_and_apply, record_transition
from modelry.modules.order.callbacks import CallbackDecision, check_callback
from modelry.modules.order.errors import ProviderError
from modelry.modules.order.models import (CALLBACK_KEY, Callback, CallbackAnswer, Order,
                                          ProviderConfig)
from modelry.modules.order.providers.base import PaymentProvider, ProviderEvent
from modelry.modules.order.providers.local import LocalProvider

OK = "ok"
PROVIDER_UNKNOWN = "PROVIDER_UNKNOWN"        # no active order.ProviderConfig has that code
CALLBACK_TOO_LARGE = "CALLBACK_TOO_LARGE"    # a body past MAX_BODY is not read or kept
ORDER_INVALID = "ORDER_INVALID"
MAX_BODY = 60_000           # characters; fits a TEXT column on every database

ProviderFactory = Callable[[Any], PaymentProvider]


def _local_provider(config: Any) -> PaymentProvider:
    return LocalProvider(config.secret.encode("utf-8"), code=config.code,
                         tolerance=timedelta(seconds=config.tolerance_seconds))


# How each kind of provider is built from its order.ProviderConfig row.
PROVIDER_KINDS: dict[str, ProviderFactory] = {"local": _local_provider}


def provider_for(code: str) -> PaymentProvider | None:
    """The active provider with this code, built from its settings, or None."""
    config = ProviderConfig.query_one(code=code, active=True)
    if config is None or config.kind not in PROVIDER_KINDS:
        return None
    return PROVIDER_KINDS[config.kind](config)


@function(open_level="API", type="CREATE", namespace="order.Order")
def create_order(reference: str, merchant: str, amount: Decimal, currency: str,
                 provider: str | None = None, payer: str | None = None,
                 item: str | None = None) -> Order:
    """A new order, CREATED, for `amount` (> 0) in `currency` (three capital letters);
    `payer` is the ledger account credited when it is paid, `item` what it buys."""
    try:
        positive = Decimal(amount).is_finite() and Decimal(amount) > 0
    except (InvalidOperation, TypeError, ValueError):
        positive = False
    if not positive:
        raise DataError(f"order.Order {reference!r}: the amount must be a positive decimal, "
                        f"not {amount!r}", code=ORDER_INVALID, model="order.Order",
                        field="amount")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()
            and currency.isupper()):
        raise DataError(f"order.Order {reference!r}: currency {currency!r} is not a "
                        "three-letter code", code=ORDER_INVALID, model="order.Order",
                        field="currency")
    return Order(reference=reference, merchant=merchant, amount=Decimal(amount),
                 currency=currency, provider=provider, payer=payer, item=item).create()


@function(open_level="API", type="CREATE", namespace="order.Callback")
def receive_callback(provider: str, headers: dict, body: str) -> CallbackAnswer:
    """Verify, record (once per provider event id), check and apply one provider callback;
    the answer carries "ok" or the rejection code (module docstring)."""
    headers = _plain_headers(headers)
    with transaction():               # the caller's (a savepoint), or one of its own
        if len(body) > MAX_BODY:
            return _unverified(provider, headers, None, CALLBACK_TOO_LARGE,
                               f"callback body of {len(body)} characters; at most {MAX_BODY}")
        found = provider_for(provider)
        if found is None:
            return _unverified(provider, headers, body, PROVIDER_UNKNOWN,
                               f"no active order.ProviderConfig has code {provider!r}")
        raw = body.encode("utf-8")
        if not found.verify(headers, raw):
            return _unverified(provider, headers, body, errors.CALLBACK_BAD_SIGNATURE,
                               "callback signature is missing, invalid or outside the "
                               "time window")
        try:
            event = found.parse(raw)
        except ProviderError as exc:
            return _unverified(provider, headers, body, exc.code,
                               f"callback of provider {provider!r}: {exc.message}",
                               signature_ok=True)
        return apply_event(provider, headers, body, event)


def apply_event(provider: str, headers: dict[str, str], body: str,
                event: ProviderEvent) -> CallbackAnswer:
    """Record a trusted event once per (provider, event id), check it and apply it (steps 2
    to 5 of the module docstring): the path of every callback, and of the events an
    operator's manual completion or refund makes."""
    try:
        with transaction():
            return _receive(provider, headers, body, event)
    except UniqueViolation as clash:
        if tuple(clash.fields) != CALLBACK_KEY:
            raise
    # the same event was recorded meanwhile (and this attempt rolled back): answer it
    with transaction():
        return _receive(provider, headers, body, event)


def _receive(provider: str, headers: dict[str, str], body: str,
             event: ProviderEvent) -> CallbackAnswer:
    """Steps 2 to 5 of the module docstring for a trusted event (in a savepoint)."""
    earlier = Callback.query_one(provider=provider, event_id=event.event_id)
    if earlier is not None:
        return _answer(earlier, event.reference, redelivered=True)
    order, decision = decide_and_apply(event.reference,
                                       lambda found: check_callback(found, event))
    transition = decision.transition
    callback = Callback(
        provider=provider, event_id=event.event_id, order=None if order is None else order.id,
        kind=event.kind, headers=headers, body=body, signature_ok=True,
        result_code=OK if decision.accepted else decision.code,
        outcome=None if transition is None else transition.outcome,
        status_after=_status_after(order, decision), message=decision.message[:512] or None,
    ).create()
    record_transition(order, decision, provider=provider, callback=callback.id,
                      why=f"{provider} callback {event.event_id} ({event.kind})",
                      when=callback.create_date)
    return _answer(callback, event.reference, redelivered=False)


def _status_after(order: Any, decision: CallbackDecision) -> str | None:
    if order is None:
        return None
    if decision.accepted and decision.transition is not None:
        return decision.transition.after
    return order.status.value


def _unverified(provider: str, headers: dict[str, str], body: str | None, code: str,
                message: str, *, signature_ok: bool = False) -> CallbackAnswer:
    """Record a callback that carries no trusted event, and answer its code."""
    callback = Callback(provider=provider[:32], headers=headers, body=body,
                        signature_ok=signature_ok, result_code=code,
                        message=message[:512]).create()
    return _answer(callback, None, redelivered=False)


def _answer(callback: Any, reference: str | None, *, redelivered: bool) -> CallbackAnswer:
    return CallbackAnswer(code=callback.result_code, outcome=callback.outcome,
                          message=callback.message, callback=callback.id, order=reference,
                          status=callback.status_after, redelivered=redelivered)


def _plain_headers(headers: Any) -> dict[str, str]:
    """The headers as a dict of strings (anything else in a JSON argument is dropped)."""
    if not isinstance(headers, Mapping):
        return {}
    return {str(name): value for name, value in headers.items() if isinstance(value, str)}
