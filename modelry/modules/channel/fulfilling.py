"""Fulfilment: orders sent to their supplier, and what suppliers say applied once.

`submit_order` (an async function, queued when the order is accepted) sends the order over
its channel: the attempt is recorded and committed first (status UNKNOWN), then the call is
made outside any transaction (the request its mapping declares, sent by `transport`; or,
for a coded supplier, its provider's `submit` / `query`, see `providers`), then its outcome
is recorded and applied. `apply_outcome`
is the one path every outcome takes (a submit answer, a query answer, a supplier callback,
an operator's completion), under the order's lock:

- SUCCEEDED on a SUBMITTED order: SUCCEEDED, the ledger settled (`ledger.settle`);
- FAILED from the order's current channel: the next channel of the routing plan is tried
  (the cost is taken again from its rate), or, when none is left, FAILED and the hold
  released;
- PENDING or UNKNOWN (a timeout, an answer we cannot read): nothing yet; `requery_submitted`
  (scheduled every minute) queries the supplier for orders left SUBMITTED;
- anything on a finished order changes nothing (a late success after a failure is kept in
  the attempt's message for an operator, and never charged).
"""
from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from modelry import function, messages, schedule, transaction
from modelry.modules.channel import ledger, mapping, providers, routing, transport
from modelry.modules.channel.lookups import routes_of
from modelry.modules.channel.mapping import SupplierOutcome
from modelry.modules.channel.merchants import Merchant
from modelry.modules.channel.money import price
from modelry.modules.channel.orders import (AttemptStatus, OrderShare, OrderStatus,
                                            RechargeAttempt, RechargeOrder)
from modelry.modules.channel.products import Product
from modelry.modules.channel.providers import Exchange
from modelry.modules.channel.suppliers import Channel, Supplier
from modelry.modules.channel.views import notify, order_number

MODEL = "channel.RechargeOrder"
REQUERY_AFTER = 30               # seconds an order stays SUBMITTED before it is queried
REQUERY_BATCH = 200


def utc_now() -> dt.datetime:
    """Now, naive UTC (as the columns keep it)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def order_id_of(number: str) -> int | None:
    """The order id in a number `order_number` made, or None."""
    return int(number[2:]) if number.startswith("RC") and number[2:].isdigit() else None


def context_of(number: str, target: str, amount: Decimal, currency: str, product: str,
               supplier: Any, channel: Any) -> dict[str, Any]:
    """What a supplier mapping's placeholders read for an order sent as `number`."""
    now = dt.datetime.now(dt.timezone.utc)
    return {"order": {"number": number, "target": target,
                      "amount": format(amount.normalize(), "f"), "currency": currency,
                      "product": product},
            "supplier": {"endpoint": supplier.endpoint.rstrip("/"),
                         "account": supplier.account or "", "secret": supplier.secret or ""},
            "channel": {"code": "" if channel is None else channel.code},
            "now": now}


def supplier_number(order: Any) -> str:
    """The number the order's next submission is sent as: its own number the first time,
    `<number>-<n>` for the n-th (each channel it is sent over sees an order of its own, so
    a late report of an earlier submission is told apart from the current one)."""
    sent = RechargeAttempt.count(order=order.id, kind="submit")
    return order_number(order) if not sent else f"{order_number(order)}-{sent + 1}"


def _sent_as(order: Any) -> str:
    """The number of the order's current submission (what a query asks about)."""
    latest = RechargeAttempt.query_list(order=order.id, kind="submit", sort="-number",
                                        limit=1)
    return latest[0].supplier_number if latest else order_number(order)


def _call(order: Any, kind: str) -> tuple[int, SupplierOutcome]:
    """Record an attempt, call the supplier outside a transaction, record what it said;
    (attempt id, outcome)."""
    with transaction():
        channel = Channel.query_by_id(order.channel_id)
        supplier = Supplier.query_by_id(channel.supplier_id)
        number = supplier_number(order) if kind == "submit" else _sent_as(order)
        context = context_of(number, order.target, order.amount, order.currency,
                             Product.query_by_id(order.product_id).code, supplier, channel)
        exchange = providers.coded_exchange(supplier, kind, providers.SupplierCall.of(
            context, float(supplier.timeout_seconds))) if providers.is_coded(supplier) \
            else _mapped_exchange(supplier, kind, context)
        attempt = RechargeAttempt(order=order.id, number=RechargeAttempt.count(
            order=order.id) + 1, channel=channel.id, kind=kind, supplier_number=number,
            request=exchange.request, status=AttemptStatus.UNKNOWN,
            started_at=utc_now()).create()
        if kind == "query":
            RechargeOrder.update_where({"id": order.id}, queried_at=utc_now())
    started = time.monotonic()
    outcome, sent, response = exchange.send()
    elapsed = int((time.monotonic() - started) * 1000)
    with transaction():
        RechargeAttempt.update_where(
            {"id": attempt.id}, status=AttemptStatus(outcome.status), duration_ms=elapsed,
            response=response, message=(outcome.message or "")[:256] or None,
            **({} if sent is None else {"request": sent}))
    return attempt.id, outcome


def _mapped_exchange(supplier: Any, kind: str, context: dict[str, Any]) -> Exchange:
    """The exchange of a supplier of kind "mapping": its request prepared from its mapping,
    sent by `transport`, its answer read by the mapping."""
    prepared = mapping.prepare(supplier.mapping, kind, context)

    def send() -> tuple[SupplierOutcome, None, str | None]:
        answer = transport.send(prepared, float(supplier.timeout_seconds),
                                supplier.secret or "")
        outcome = SupplierOutcome(mapping.UNKNOWN, None, "no answer in time", None)
        payload = None if answer is None else transport.payload_of(answer[1])
        if payload is not None:
            outcome = mapping.read_response(supplier.mapping, f"{kind}_response", payload)
        elif answer is not None:
            outcome = SupplierOutcome(mapping.UNKNOWN, None, f"HTTP {answer[0]}: not JSON",
                                      None)
        return outcome, None, None if answer is None else \
            answer[1][:4000].decode("utf-8", "replace")

    return Exchange(mapping.dry_run(supplier.mapping, kind, context), send)


@function(namespace=MODEL, async_=True, max_attempts=5, backoff=10, timeout=120,
          atomic=False)
def submit_order(order: int) -> None:
    """Send an accepted (or rerouted) order to its current channel, once per channel."""
    found = RechargeOrder.query_by_id(order)
    if found is None or found.status not in (OrderStatus.CREATED, OrderStatus.SUBMITTED):
        return
    if RechargeAttempt.count(order=order, channel=found.channel_id, kind="submit"):
        return                         # sent on this channel already (a task run twice)
    with transaction():
        RechargeOrder.update_where({"id": order, "status__in": [OrderStatus.CREATED,
                                                                 OrderStatus.SUBMITTED]},
                                   status=OrderStatus.SUBMITTED, submitted_at=utc_now())
    _, outcome = _call(found, "submit")
    apply_outcome(order, outcome, channel=found.channel_id)


@function(namespace=MODEL, async_=True, max_attempts=3, backoff=30, timeout=120,
          atomic=False)
def query_order(order: int) -> None:
    """Ask the supplier what became of a SUBMITTED order, and apply it."""
    found = RechargeOrder.query_by_id(order)
    if found is None or found.status is not OrderStatus.SUBMITTED:
        return
    _, outcome = _call(found, "query")
    apply_outcome(order, outcome, channel=found.channel_id)


@schedule("* * * * *")
@function(namespace=MODEL)
def requery_submitted(due: dt.datetime) -> None:
    """Queue a query of every order SUBMITTED longer than REQUERY_AFTER seconds."""
    before = due - dt.timedelta(seconds=REQUERY_AFTER)
    # the least recently queried first: orders that never settle cannot starve the others
    for found in RechargeOrder.query_list(status=OrderStatus.SUBMITTED,
                                          submitted_at__lt=before,
                                          sort="queried_at,submitted_at,id",
                                          limit=REQUERY_BATCH):
        query_order(found.id)


def apply_outcome(order: int, outcome: SupplierOutcome, channel: int | None = None) -> str:
    """Apply what a supplier said of `order` (reported for `channel`; None: the current
    one) under the order's lock; what it did: "succeeded", "rerouted", "failed" or
    "nothing"."""
    with transaction():
        [found] = RechargeOrder.lock([order]) or [None]
        if found is not None and found.status is OrderStatus.FAILED \
                and outcome.status == mapping.SUCCEEDED:
            _late_success(found, outcome, channel)
        if found is None or found.status is not OrderStatus.SUBMITTED:
            return "nothing"
        if channel is not None and channel != found.channel_id:
            return "nothing"               # a stale report of a channel failed over from
        if outcome.status == mapping.SUCCEEDED:
            _succeed(found, outcome.reference)
            return "succeeded"
        if outcome.status == mapping.FAILED:
            return _fail_over(found, outcome.message)
        return "nothing"


def _late_success(order: Any, outcome: SupplierOutcome, channel: int | None) -> None:
    """A supplier reports a success of an order that failed (over every channel): never
    charged; kept as an attempt for an operator (the supplier did the recharge)."""
    RechargeAttempt(order=order.id, number=RechargeAttempt.count(order=order.id) + 1,
                    channel=channel or order.channel_id, kind="late",
                    status=AttemptStatus.SUCCEEDED, started_at=utc_now(), duration_ms=0,
                    message=(f"reported succeeded after the order failed (reference "
                             f"{outcome.reference}): not charged; an operator settles it "
                             "with the supplier")[:256]).create()
    messages.warn(f"{MODEL} {order_number(order)}: a supplier reported success after the "
                  "order failed", code="LATE_SUCCESS", model=MODEL)


def _succeed(order: Any, reference: str | None) -> None:
    RechargeOrder.update_where({"id": order.id, "status": OrderStatus.SUBMITTED},
                               status=OrderStatus.SUCCEEDED, supplier_reference=reference,
                               finished_at=utc_now())
    supplier = Supplier.query_by_id(Channel.query_by_id(order.channel_id).supplier_id)
    shares = OrderShare.query_list(order=order.id, sort="level")
    agents = {m.id: m for m in Merchant.query_list(id__in=[s.agent_id for s in shares])} \
        if shares else {}
    done = RechargeOrder.query_by_id(order.id)
    ledger.settle(done, supplier.ledger_account,
                  [(share, agents[share.agent_id]) for share in shares])
    notify(done)


def _fail_over(order: Any, message: str | None) -> str:
    tried = {a.channel_id for a in RechargeAttempt.query_list(order=order.id, kind="submit")}
    product = Product.query_by_id(order.product_id)
    following = None if order.test else routing.next_route(  # a test tests one channel
        routes_of(product), order.amount, product.routing.value, order_number(order), tried)
    if following is None:
        RechargeOrder.update_where({"id": order.id, "status": OrderStatus.SUBMITTED},
                                   status=OrderStatus.FAILED, finished_at=utc_now(),
                                   message=(message or "every channel failed")[:256])
        ledger.release(order)
        notify(RechargeOrder.query_by_id(order.id))
        return "failed"
    channel = Channel.query_by_id(following.channel)
    cost = _cost(order.amount, channel.rate, order.currency)
    RechargeOrder.update_where({"id": order.id, "status": OrderStatus.SUBMITTED},
                               channel=channel.id, channel_rate=channel.rate, cost=cost,
                               platform_profit=order.platform_profit + order.cost - cost)
    submit_order(order.id)
    return "rerouted"


def _cost(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """What the channel is paid for `amount`: the fee snapshot's rounding."""
    return price(amount, rate, currency)
