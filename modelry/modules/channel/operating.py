"""What operators do to orders, channels and suppliers:

- `complete_order(order_no, note, password)`: an order left SUBMITTED marked succeeded by
  hand, with the operator's password again (`modelry.confirm_password`) and a note; it
  takes the one path every supplier success takes (settled, merchant notified), never
  changes the order's amount, and is logged as a "manual" attempt.
- `refund_order(order_no, reason)`: a SUCCEEDED order REFUNDED: every movement of its
  success given back in one linked batch, the merchant notified.
- `place_test_order(merchant, product, target, amount)`: an order through the real path,
  marked as a test (left out of statistics and shares).
- `retire_channel(code)` / `restore_channel(code)`: the recycle bin (a retired channel is
  never routed to and hidden from lists, kept for its orders).
- `check_supplier(code)` and `dry_run_supplier(code, part, ...)`: the problems of a
  supplier's mapping, and the request it would send, secrets masked (for a coded
  supplier: whether its kind is registered, and the call its provider would be given).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from modelry import (DataError, Long, confirm_password, current_user_id, function,
                     transaction)
from modelry.modules.channel import ledger, mapping, providers
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.fulfilling import (apply_outcome, context_of, order_id_of,
                                                utc_now)
from modelry.modules.channel.merchants import Merchant
from modelry.modules.channel.orders import (AttemptStatus, OrderShare, OrderStatus,
                                            RechargeAttempt, RechargeOrder)
from modelry.modules.channel.suppliers import Channel, Supplier
from modelry.modules.channel.views import notify

MODEL = "channel.RechargeOrder"


def _order(order_no: str) -> Any:
    number = order_id_of(order_no)
    found = None if number is None else RechargeOrder.lock([number])
    if not found:
        raise DataError(f"{MODEL}: no order {order_no!r}", code="ORDER_NOT_FOUND",
                        model=MODEL, field="order_no")
    return found[0]


def _state(order: Any, wanted: OrderStatus, doing: str) -> None:
    if order.status is not wanted:
        raise DataError(f"{MODEL}: order RC{order.id:010d} is {order.status.value}; only a "
                        f"{wanted.value} order can be {doing}", code="ORDER_STATE",
                        model=MODEL, field="status")


@function(open_level="API", type="UPDATE", namespace=MODEL)
def complete_order(order_no: str, note: str, password: str) -> RechargeOrder:
    """Mark a SUBMITTED order succeeded by hand (the operator's password again)."""
    if not note or not note.strip():
        raise DataError(f"{MODEL}: a manual completion needs a note", code="NOTE_REQUIRED",
                        model=MODEL, field="note")
    who = confirm_password(password)
    with transaction():
        order = _order(order_no)
        _state(order, OrderStatus.SUBMITTED, "completed by hand")
        RechargeAttempt(order=order.id, number=RechargeAttempt.count(order=order.id) + 1,
                        channel=order.channel_id, kind="manual",
                        request={"who": who, "note": note[:256]},
                        status=AttemptStatus.SUCCEEDED, message=note[:256],
                        started_at=utc_now(), duration_ms=0).create()
        apply_outcome(order.id, mapping.SupplierOutcome(mapping.SUCCEEDED, "manual",
                                                        note[:256], None))
        return RechargeOrder.query_by_id(order.id)


@function(open_level="API", type="UPDATE", namespace=MODEL)
def refund_order(order_no: str, reason: str) -> RechargeOrder:
    """Refund a SUCCEEDED order: every movement of its success given back, linked."""
    if not reason or not reason.strip():
        raise DataError(f"{MODEL}: a refund needs a reason", code="REASON_REQUIRED",
                        model=MODEL, field="reason")
    with transaction():
        order = _order(order_no)
        _state(order, OrderStatus.SUCCEEDED, "refunded")
        RechargeOrder.update_where({"id": order.id, "status": OrderStatus.SUCCEEDED},
                                   status=OrderStatus.REFUNDED, message=reason[:256])
        supplier = Supplier.query_by_id(Channel.query_by_id(order.channel_id).supplier_id)
        shares = OrderShare.query_list(order=order.id, sort="level")
        agents = {m.id: m for m in Merchant.query_list(
            id__in=[s.agent_id for s in shares])} if shares else {}
        ledger.reverse(order, supplier.ledger_account,
                       [(share, agents[share.agent_id]) for share in shares])
        refunded = RechargeOrder.query_by_id(order.id)
        notify(refunded)
        return refunded


@function(open_level="API", type="CREATE", namespace=MODEL)
def place_test_order(merchant: str, product: str, target: str, amount: Decimal,
                     channel: str | None = None) -> RechargeOrder:
    """An operator's test order through the real path, marked as a test; over `channel`
    (one of the product's routes, enabled or not) when given."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S%f")
    return place_order(merchant, f"TEST-{current_user_id() or 0}-{stamp}", product, target,
                       amount, test=True, only_channel=channel)


def _channel(code: str) -> Any:
    found = Channel.query_one(code=code)
    if found is None:
        raise DataError(f"channel.Channel: no channel {code!r}", code="CHANNEL_NOT_FOUND",
                        model="channel.Channel", field="code")
    return found


@function(open_level="API", type="UPDATE", namespace="channel.Channel")
def retire_channel(code: str) -> Channel:
    """Put a channel in the recycle bin: never routed to again, kept for its orders."""
    found = _channel(code)
    Channel.update_where({"id": found.id}, retired=True, enabled=False, retired_at=utc_now())
    return Channel.query_by_id(found.id)


@function(open_level="API", type="UPDATE", namespace="channel.Channel")
def restore_channel(code: str) -> Channel:
    """Take a channel out of the recycle bin (disabled until an operator enables it)."""
    found = _channel(code)
    Channel.update_where({"id": found.id}, retired=False, retired_at=None)
    return Channel.query_by_id(found.id)


def _supplier(code: str) -> Any:
    found = Supplier.query_one(code=code)
    if found is None:
        raise DataError(f"channel.Supplier: no supplier {code!r}", code="SUPPLIER_NOT_FOUND",
                        model="channel.Supplier", field="code")
    return found


@function(open_level="API", type="QUERY", namespace="channel.Supplier")
def check_supplier(code: str) -> list[str]:
    """The problems of a supplier's mapping, each naming its path ([] when valid); of a
    coded supplier, that its kind is not registered in this process ([] when it is)."""
    supplier = _supplier(code)
    problem = providers.kind_problem(supplier.kind)
    if problem is not None:
        return [f"kind: {problem}"]
    return [] if providers.is_coded(supplier) else mapping.check(supplier.mapping or {})


@function(open_level="API", type="QUERY", namespace="channel.Supplier")
def dry_run_supplier(code: str, part: str = "submit", channel: str | None = None,
                     target: str = "13800000000", amount: Decimal = Decimal(100),
                     order: Long = 1) -> dict:
    """The request the supplier's mapping would send for a sample order, secrets masked;
    for a coded supplier (whose requests its code builds when it sends them), the call its
    provider would be given."""
    supplier = _supplier(code)
    sample = Channel.query_one(code=channel) if channel else next(iter(Channel.query_list(
        supplier=supplier.id, retired=False, sort="id", limit=1)), None)
    context = context_of(f"RC{order:010d}", target, Decimal(amount), "CNY", "sample",
                         supplier, sample)
    if not providers.is_coded(supplier):
        return mapping.dry_run(supplier.mapping, part, context)
    if part not in ("submit", "query"):
        raise DataError(f"channel.Supplier {code!r}: a coded supplier's parts are submit "
                        f"and query, not {part!r}", code=mapping.MAPPING_INVALID,
                        model="channel.Supplier", field="part")
    providers.provider_for(supplier)        # SUPPLIER_KIND_UNKNOWN when not registered
    return {**providers.SupplierCall.of(context, float(supplier.timeout_seconds))
            .described(part, supplier.kind),
            "note": "a coded supplier: its provider builds and signs the request when it "
                    "sends it; the request sent is logged on each attempt"}
