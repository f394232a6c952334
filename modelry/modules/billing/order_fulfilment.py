"""Orders that buy from billing: the order module's `fulfil` extension point, implemented
here (order is not imported; the point passes plain data, and this runs only when both
modules are installed).

An order's `item` names what it bought, for the billing customer whose code (or ledger
account code) is the order's `payer`:

- `plan:CODE` or `package:CODE`: a paid order starts a prepaid subscription of one period
  from the day it is paid, or renews the customer's running one by one period; a refund
  of the whole order ends the subscription that day (a part refunded leaves it).
- `bill:ID`: a paid order settles the bill: offered to the ledger first (the order's money
  was just credited to the payer's account there), else marked PAID by the payment; a
  refund of the whole order makes it due again.

An item for billing that cannot be delivered (no such customer, plan or bill; a payment
short of the bill) raises ORDER_FULFILMENT_FAILED, which undoes the order's transition.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from modelry import Call, DataError, ext_point
from modelry.modules.billing.bills import Bill, BillStatus
from modelry.modules.billing.credit import control_credit, settle_bills
from modelry.modules.billing.periods import anchor_for, first_period, period_containing
from modelry.modules.billing.plans import Package, PricePlan
from modelry.modules.billing.subscribing import subscribe
from modelry.modules.billing.subscriptions import Customer, Subscription, SubscriptionStatus

FAILED = "ORDER_FULFILMENT_FAILED"
KINDS = ("plan", "package", "bill")


def _refuse(order: dict[str, Any], why: str) -> DataError:
    return DataError(f"billing: order {order['reference']!r} ({order['item']}): {why}",
                     code=FAILED, model="billing.Subscription", field="item")


def _ours(call: Call) -> bool:
    return (call.kwargs.get("item") or "").partition(":")[0] in KINDS


@ext_point.implement("order.Order", "fulfil", when=_ours)
def fulfil_order(call: Call) -> None:
    """Deliver (or take back) the plan, package or bill the order bought."""
    order = call.kwargs
    kind, _, code = order["item"].partition(":")
    payer = order.get("payer") or ""
    customer = Customer.query_one(code=payer) or Customer.query_one(account=payer)
    if customer is None:
        raise _refuse(order, f"no billing.Customer with code or account {payer!r}")
    full = Decimal(order["amount"]) >= Decimal(order["order_amount"])
    if kind == "bill":
        _settle_bill(order, customer, code, paid=order["kind"] == "paid", full=full)
    elif order["kind"] == "paid":
        _start_or_renew(order, customer, kind, code)
    elif full:
        _end(customer, kind, code)


def _offer(order: dict[str, Any], kind: str, code: str) -> Any:
    found = (PricePlan if kind == "plan" else Package).query_one(code=code)
    if found is None:
        raise _refuse(order, f"no {kind} with code {code!r}")
    return found


def _running(customer: Any, kind: str, offer: Any) -> Any:
    return Subscription.query_one(customer=customer.id, **{kind: offer.id},
                                  status__ne=SubscriptionStatus.ENDED)


def _start_or_renew(order: dict[str, Any], customer: Any, kind: str, code: str) -> None:
    offer = _offer(order, kind, code)
    today = dt.datetime.now(dt.timezone.utc).date()
    running = _running(customer, kind, offer)
    if running is None:
        subscribe(customer.code, today, ends_on=first_period(offer.interval.value, today,
                                                             None).end, **{kind: code})
        return
    if running.ends_on is None:
        return                        # open-ended: billed each period, nothing to extend
    anchor = anchor_for(running.starts_on, running.anchor_day)
    start = max(running.ends_on, today)
    Subscription.update_where({"id": running.id}, ends_on=period_containing(
        offer.interval.value, anchor, start).end)


def _end(customer: Any, kind: str, code: str) -> None:
    offer = (PricePlan if kind == "plan" else Package).query_one(code=code)
    running = None if offer is None else _running(customer, kind, offer)
    if running is not None:
        today = dt.datetime.now(dt.timezone.utc).date()
        ends = max(today, running.starts_on + dt.timedelta(days=1))
        Subscription.update_where({"id": running.id}, ends_on=min(ends, running.ends_on or ends))


def _settle_bill(order: dict[str, Any], customer: Any, code: str, paid: bool,
                 full: bool) -> None:
    bill = Bill.query_by_id(int(code)) if code.isdigit() else None
    if bill is None or bill.payer_id != customer.id:
        raise _refuse(order, f"no billing.Bill {code} paid by {customer.code!r}")
    if not paid:
        if full and bill.status is BillStatus.PAID and not bill.posted:
            Bill.update_where({"id": bill.id}, status=BillStatus.OPEN)
            Customer.increment(customer.id, arrears=bill.total)
            control_credit([customer.id])
        return
    if bill.status is not BillStatus.OPEN:
        return
    if order["currency"] != bill.currency or Decimal(order["amount"]) < bill.total:
        raise _refuse(order, f"{order['amount']} {order['currency']} does not pay bill "
                      f"{bill.id} of {bill.total} {bill.currency}")
    settle_bills(customer.code)
    if Bill.query_by_id(bill.id).status is BillStatus.OPEN:
        Bill.update_where({"id": bill.id, "status": BillStatus.OPEN}, status=BillStatus.PAID)
        Customer.increment(customer.id, arrears=-bill.total)
        control_credit([customer.id])
