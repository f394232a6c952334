"""Orders that buy from billing (order, billing and account installed together): a paid
order for a plan starts a prepaid subscription, a second renews it by a period, a full
refund ends it; a paid order for a bill credits the payer's wallet and settles the bill
from it; an item billing cannot deliver undoes the payment."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from modelry import DataError, directives
from modelry.boot import App
from modelry.modules.account.models import Account, AccountKind, Ledger
from modelry.modules.billing.bills import Bill, BillStatus
from modelry.modules.billing.periods import first_period, period_containing
from modelry.modules.billing.runs import run_billing
from modelry.modules.billing.subscriptions import Customer, Subscription
from modelry.modules.order.models import Order, OrderStatus, ProviderConfig
from modelry.modules.order.receiving import create_order, receive_callback
from tests.modules.billing.offers import make_offers, subscribed
from tests.modules.billing.test_runs import D
from tests.modules.order.conftest import signed
from tests.modules.order.helpers import SECRET


@pytest.fixture
def shop(make_app: Callable[..., App]) -> Iterator[App]:
    """All three modules; a EUR ledger with acme's wallet; the local provider."""
    app = make_app(["order", "billing", "account"])
    with app.activate(), directives.backend_scope():
        make_offers(app)
        with app.transaction():
            eur = Ledger(code="EUR", name="Wallets", currency="EUR", scale=2).create()
            Account(ledger=eur.id, code="acme", kind=AccountKind.CUSTOMER_CASH,
                    debits_must_not_exceed_credits=True).create()
            ProviderConfig(code="local", kind="local", secret=SECRET.decode()).create()
        yield app


def _order(app: App, reference: str, amount: str, item: str) -> None:
    with app.transaction():
        create_order(reference, "shop-1", Decimal(amount), "EUR", "local")
        Order.update_where({"reference": reference}, payer="acme", item=item)


def _pay(app: App, reference: str, event: str, amount: str, kind: str = "paid") -> object:
    with app.transaction():
        return receive_callback("local", *signed(event, kind, amount, reference=reference))


def test_a_paid_plan_order_starts_then_renews_a_prepaid_subscription(shop: App) -> None:
    subscribed(shop, "acme", D(2020, 1, 1), plan="daily", ends_on=D(2020, 1, 2))
    with shop.transaction():
        Customer.update_where({"code": "acme"}, account="acme")
    today = dt.datetime.now(dt.timezone.utc).date()
    _order(shop, "P-1", "30.00", "plan:pro")
    assert _pay(shop, "P-1", "p1", "30.00").outcome == "applied"
    pro = Subscription.query_one(starts_on=today)
    first = first_period("MONTHLY", today, None)
    assert (pro.starts_on, pro.ends_on) == (today, first.end)
    _order(shop, "P-2", "30.00", "plan:pro")
    _pay(shop, "P-2", "p2", "30.00")
    renewed = Subscription.query_by_id(pro.id)
    assert renewed.ends_on == period_containing("MONTHLY", today, first.end).end
    assert Subscription.count(starts_on=today) == 1
    assert _pay(shop, "P-2", "r2", "30.00", "refunded").outcome == "applied"
    assert Subscription.query_by_id(pro.id).ends_on == today + dt.timedelta(days=1)


def test_a_paid_bill_order_settles_the_bill_from_the_credited_wallet(shop: App) -> None:
    sub = subscribed(shop, "acme", D(2026, 1, 1), plan="pro")
    with shop.transaction():
        Customer.update_where({"code": "acme"}, account="acme")
        run_billing(D(2026, 2, 1))
    [bill] = Bill.query_list(subscription=sub.id)
    assert bill.status is BillStatus.OPEN              # the wallet was empty
    _order(shop, "B-1", "30.00", f"bill:{bill.id}")
    assert _pay(shop, "B-1", "b1", "30.00").outcome == "applied"
    paid = Bill.query_by_id(bill.id)
    assert (paid.status, paid.posted) == (BillStatus.PAID, True)
    assert Customer.query_one(code="acme").arrears == 0


def test_an_item_billing_cannot_deliver_undoes_the_payment(shop: App) -> None:
    subscribed(shop, "acme", D(2026, 1, 1), plan="pro")
    _order(shop, "X-1", "30.00", "plan:gold")
    with pytest.raises(DataError) as refused, shop.transaction():
        receive_callback("local", *signed("x1", "paid", "30.00", reference="X-1"))
    assert refused.value.code == "ORDER_FULFILMENT_FAILED"
    assert "no plan with code 'gold'" in refused.value.message
    assert Order.query_one(reference="X-1").status is OrderStatus.CREATED
