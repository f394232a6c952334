"""Credit control: a payer whose arrears (its OPEN bills) pass its credit limit has its
subscriptions suspended, and a payment that brings them back within the limit resumes
them. Other modules hook the two extension points `billing.Subscription` `suspended` and
`resumed` (e.g. to cut a service and give it back); they get the subscription ids.

Paying: `pay_bills(customer, amount)` settles the customer's open bills as a payment
arrives (oldest first, whole bills; what is left over is answered, not kept), and
`settle_bills(customer)` offers them to the ledger again after its account was recharged.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from modelry import DataError, Model, directives, ext_point, fields, function, transaction
from modelry.directives import Directive
from modelry.modules.billing.bills import Bill, BillStatus
from modelry.modules.billing.posting import post_bills
from modelry.modules.billing.subscriptions import (Customer, Subscription,
                                                   SubscriptionStatus)

SUBSCRIPTION = "billing.Subscription"


class Settlement(Model, model="billing.Settlement", kind="transient"):
    """What a payment settled: bills paid, the amount applied and left over, the arrears
    after, and whether the customer's subscriptions are suspended."""

    bills = fields.Integer()
    applied = fields.Decimal(24, 8)
    left = fields.Decimal(24, 8)
    arrears = fields.Decimal(24, 8)
    suspended = fields.Boolean()


@ext_point.declare(SUBSCRIPTION, "suspended")
def suspended(subscriptions: list[int]) -> None:
    """These subscriptions were suspended for arrears (nothing else happens by default)."""


@ext_point.declare(SUBSCRIPTION, "resumed")
def resumed(subscriptions: list[int]) -> None:
    """These subscriptions were resumed: their payer's arrears are within its limit."""


def control_credit(payers: Iterable[int]) -> tuple[list[int], list[int]]:
    """Suspend the ACTIVE subscriptions paid by payers past their limit, resume the
    SUSPENDED ones of payers within it; the ids (suspended, resumed)."""
    customers = Customer.query_list(id__in=sorted(set(payers)))
    over = [c.id for c in customers if c.arrears > c.credit_limit]
    within = [c.id for c in customers if c.arrears <= c.credit_limit]
    cut = _moved(over, SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)
    back = _moved(within, SubscriptionStatus.SUSPENDED, SubscriptionStatus.ACTIVE)
    with directives.scope(directives.current() | Directive.EXT_POINT):
        if cut:
            suspended(cut)
        if back:
            resumed(back)
    return cut, back


def _moved(payers: list[int], before: SubscriptionStatus,
           after: SubscriptionStatus) -> list[int]:
    if not payers:
        return []
    paid_by = Subscription.query_list(payer__in=payers, status=before)
    own = Subscription.query_list(customer__in=payers, payer=None, status=before)
    ids = sorted({s.id for s in paid_by + own})
    if ids:
        Subscription.update_where({"id__in": ids, "status": before}, status=after)
    return ids


def _customer(code: str) -> object:
    found = Customer.query_one(code=code)
    if found is None:
        raise DataError(f"billing.Customer: no customer with code {code!r}",
                        code="CUSTOMER_NOT_FOUND", model="billing.Customer", field="code")
    return found


@function(open_level="API", type="UPDATE", namespace="billing.Customer")
def pay_bills(customer: str, amount: Decimal) -> Settlement:
    """A payment of `amount` by `customer`: its OPEN bills, oldest first, are PAID while
    the amount covers them whole; the arrears fall, and credit is controlled again."""
    if not Decimal(amount).is_finite() or amount <= 0:
        raise DataError(f"billing.Customer {customer!r}: a payment must be a positive "
                        f"amount, not {amount}", code="PAYMENT_INVALID",
                        model="billing.Customer", field="amount")
    with transaction():
        payer = _customer(customer)
        Customer.lock([payer.id])
        left, paid = Decimal(amount), []
        for bill in Bill.query_list(payer=payer.id, status=BillStatus.OPEN,
                                    sort="period_start,id"):
            if bill.total > left:
                break
            left -= bill.total
            paid.append(bill.id)
        if paid:
            Bill.update_where({"id__in": paid, "status": BillStatus.OPEN},
                              status=BillStatus.PAID)
            Customer.increment(payer.id, arrears=-(Decimal(amount) - left))
        return _settled(payer.id, len(paid), Decimal(amount) - left, left)


@function(open_level="API", type="UPDATE", namespace="billing.Customer")
def settle_bills(customer: str) -> Settlement:
    """Offer `customer`'s OPEN bills to the ledger again (after its account was
    recharged); credit is controlled again."""
    with transaction():
        payer = _customer(customer)
        Customer.lock([payer.id])
        open_bills = Bill.query_list(payer=payer.id, status=BillStatus.OPEN, posted=False,
                                     sort="period_start,id")
        posted = post_bills([bill.id for bill in open_bills])
        applied = sum((b.total for b in open_bills if b.id in set(posted)), Decimal(0))
        return _settled(payer.id, len(posted), applied, Decimal(0))


def _settled(payer: int, bills: int, applied: Decimal, left: Decimal) -> Settlement:
    control_credit([payer])
    after = Customer.query_by_id(payer)
    suspended_now = Subscription.count(customer=payer, status=SubscriptionStatus.SUSPENDED) \
        + Subscription.count(payer=payer, status=SubscriptionStatus.SUSPENDED) > 0
    return Settlement(bills=bills, applied=applied, left=left, arrears=after.arrears,
                      suspended=suspended_now)
