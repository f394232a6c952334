"""Billing with the account module: a bill posts one transfer keyed by the bill from the
payer's account (posting again moves nothing); a bill the account cannot pay stays due,
its arrears suspend the subscriptions, and a recharge that clears them resumes them.
Without a ledger, `pay_bills` settles bills as payments arrive."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from modelry import directives
from modelry.boot import App
from modelry.modules.account.functions import balance, submit
from modelry.modules.account.models import Account, AccountKind, Ledger, Transfer
from modelry.modules.billing.bills import Bill, BillStatus
from modelry.modules.billing.credit import pay_bills, settle_bills
from modelry.modules.billing.posting import post_bills
from modelry.modules.billing.runs import run_billing
from modelry.modules.billing.subscriptions import Customer, Subscription, SubscriptionStatus
from tests.modules.billing.offers import make_offers, subscribed
from tests.modules.billing.test_runs import D


@pytest.fixture
def both(make_app: Callable[..., App]) -> Iterator[App]:
    """billing and account installed together."""
    app = make_app(["billing", "account"])
    with app.activate(), directives.backend_scope():
        yield app


def _wallet(app: App, code: str, cents: int) -> int:
    """A guarded EUR account `code` recharged with `cents` from the bank."""
    with app.transaction():
        ledger = Ledger.query_one(code="EUR") or Ledger(code="EUR", name="Euro",
                                                        currency="EUR").create()
        if Account.query_one(code="bank") is None:
            Account(ledger=ledger.id, code="bank", kind=AccountKind.SUSPENSE).create()
        wallet = Account(ledger=ledger.id, code=code, kind=AccountKind.CUSTOMER_CASH,
                         debits_must_not_exceed_credits=True).create()
        if cents:
            _recharge(code, cents, "first")
        return wallet.id


def _recharge(code: str, cents: int, key: str) -> None:
    bank = Account.query_one(code="bank").id
    wallet = Account.query_one(code=code).id
    [done] = submit([dict(ledger="EUR", key=f"{code}-{key}", kind="RECHARGE",
                          debit_account=bank, credit_account=wallet, amount=cents)])
    assert done.code == "ok"


def _customer_with_wallet(app: App, code: str, cents: int) -> tuple[int, object]:
    wallet = _wallet(app, code, cents)
    sub = subscribed(app, code, D(2026, 1, 1), plan="pro")
    with app.transaction():
        Customer.update_where({"code": code}, account=code)
    return wallet, sub


def test_a_bill_posts_once_from_the_payers_account(both: App) -> None:
    make_offers(both)
    wallet, sub = _customer_with_wallet(both, "acme", 10_000)
    with both.transaction():
        run_billing(D(2026, 2, 1))
    [bill] = Bill.query_list(subscription=sub.id)
    assert (bill.status, bill.posted, bill.total) == (BillStatus.PAID, True, Decimal(30))
    [transfer] = Transfer.query_list(key=f"bill-{bill.id}")
    assert (transfer.debit_account_id, transfer.amount) == (wallet, 3_000)
    with both.transaction():
        assert balance(wallet).posted == 7_000
        # as if the bill's own update had been lost after the ledger posted it
        Bill.update_where({"id": bill.id}, status=BillStatus.OPEN, posted=False)
        Customer.update_where({"code": "acme"}, arrears=Decimal(30))
        assert post_bills([bill.id]) == [bill.id]          # offered again: EXISTS
        assert balance(wallet).posted == 7_000
    assert Transfer.count(key=f"bill-{bill.id}") == 1
    assert Customer.query_one(code="acme").arrears == 0


def test_arrears_suspend_and_a_recharge_that_clears_them_resumes(both: App) -> None:
    make_offers(both)
    _, sub = _customer_with_wallet(both, "acme", 1_000)        # 10 EUR: not enough
    with both.transaction():
        run_billing(D(2026, 2, 1))
    [bill] = Bill.query_list(subscription=sub.id)
    assert (bill.status, bill.posted) == (BillStatus.OPEN, False)
    assert Customer.query_one(code="acme").arrears == Decimal(30)
    assert Subscription.query_by_id(sub.id).status is SubscriptionStatus.SUSPENDED
    with both.transaction():
        _recharge("acme", 5_000, "second")
        settled = settle_bills("acme")
    assert (settled.bills, settled.applied, settled.arrears, settled.suspended) == \
        (1, Decimal(30), 0, False)
    assert Subscription.query_by_id(sub.id).status is SubscriptionStatus.ACTIVE
    assert Bill.query_by_id(bill.id).status is BillStatus.PAID


def test_without_a_ledger_payments_settle_whole_bills_oldest_first(
        billing_app: App) -> None:
    make_offers(billing_app)
    sub = subscribed(billing_app, "acme", D(2026, 1, 1), plan="pro")
    with billing_app.transaction():
        Customer.update_where({"code": "acme"}, credit_limit=Decimal(40))
        run_billing(D(2026, 3, 1))
    assert Customer.query_one(code="acme").arrears == Decimal(60)
    assert Subscription.query_by_id(sub.id).status is SubscriptionStatus.SUSPENDED
    with billing_app.transaction():
        paid = pay_bills("acme", Decimal(45))
    assert (paid.bills, paid.applied, paid.left, paid.arrears, paid.suspended) == \
        (1, Decimal(30), Decimal(15), Decimal(30), False)
    first, second = Bill.query_list(subscription=sub.id, sort="period_start")
    assert (first.status, second.status) == (BillStatus.PAID, BillStatus.OPEN)
    assert Subscription.query_by_id(sub.id).status is SubscriptionStatus.ACTIVE
