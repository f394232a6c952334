"""A paid order moves money (order and account installed together, on each database): the
payer's account is credited from the provider's clearing account in one transfer keyed by
the order id, whatever is redelivered; each refund part moves back within what was paid.
Concurrent deliveries move it once. The order module alone still pays orders (nothing
moves)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from modelry import DataError, directives
from modelry.boot import App
from modelry.modules.account.functions import balance
from modelry.modules.account.models import Account, AccountKind, Ledger, Transfer
from modelry.modules.order.models import Order, OrderStatus, StatusLog
from modelry.modules.order.payments import complete_manually
from modelry.modules.order.receiving import create_order, receive_callback
from tests.modules.order.conftest import PASSWORD, REFERENCE, configure, operator, signed
from tests.modules.order.threads import deliver_all, payments, refunds
from tests.threads import THREADS


@pytest.fixture
def books(make_app: Callable[..., App]) -> Iterator[App]:
    """order + account; a EUR ledger with Ann's wallet; order A-1 (12.50 EUR) paid by Ann."""
    app = make_app(["order", "account"])
    with app.activate(), directives.backend_scope():
        with app.transaction():
            eur = Ledger(code="EUR", name="Wallets", currency="EUR", scale=2).create()
            Account(ledger=eur.id, code="ann", kind=AccountKind.CUSTOMER_CASH,
                    debits_must_not_exceed_credits=True).create()
        configure(app)
        with app.transaction():
            Order.update_where({"reference": REFERENCE}, payer="ann")
        yield app


def _receive(app: App, event_id: str, kind: str = "paid", amount: str = "12.50") -> str:
    with app.transaction():
        return receive_callback("local", *signed(event_id, kind, amount)).outcome


def _posted(code: str) -> int:
    return balance(Account.query_one(code=code).id).posted


def test_a_paid_order_credits_the_payer_once(books: App) -> None:
    assert _receive(books, "ev-1") == "applied"
    assert _receive(books, "ev-1") == "applied"          # redelivered: the first answer
    assert _receive(books, "ev-2") == "duplicate"        # a second paid event
    assert _posted("ann") == 1250 and _posted("clearing:local") == -1250
    order = Order.query_one(reference=REFERENCE)
    (transfer,) = Transfer.query_list()
    assert (transfer.key, transfer.kind.value, transfer.amount, transfer.note) == \
        (f"order-{order.id}", "RECHARGE", 1250, f"order {REFERENCE}")
    clearing = Account.query_one(code="clearing:local")
    assert (clearing.kind, clearing.name) == (AccountKind.SUSPENSE,
                                              "Payments received through local")


def test_refund_parts_move_back_within_what_was_paid(books: App) -> None:
    _receive(books, "ev-1")
    assert _receive(books, "r-1", "refunded", "5.00") == "applied"
    assert _receive(books, "r-1", "refunded", "5.00") == "applied"     # redelivered
    assert _posted("ann") == 750
    assert _receive(books, "r-2", "refunded", "7.50") == "applied"
    assert _posted("ann") == 0 and _posted("clearing:local") == 0
    order = Order.query_one(reference=REFERENCE)
    logs = StatusLog.query_list(sort="id")
    assert sorted(t.key for t in Transfer.query_list(kind="REFUND")) == sorted(
        f"order-{order.id}-refund-{log.id}" for log in logs[1:])
    assert all(t.refund_of == f"order-{order.id}" for t in Transfer.query_list(kind="REFUND"))


def test_a_refund_the_payer_can_no_longer_cover_undoes_the_refund(books: App) -> None:
    _receive(books, "ev-1")
    with books.transaction():                  # Ann spent 10.00 of the 12.50
        Account.update_where({"code": "ann"}, debits_posted=1000)
    with pytest.raises(DataError) as refused, books.transaction():
        receive_callback("local", *signed("r-1", "refunded", "5.00"))
    assert (refused.value.code, refused.value.model) == ("ORDER_SETTLEMENT_FAILED",
                                                         "account.Transfer")
    assert "EXCEEDS_CREDITS" in refused.value.message
    order = Order.query_one(reference=REFERENCE)
    assert (order.status, order.refunded) == (OrderStatus.PAID, Decimal(0))


def test_a_manual_completion_credits_from_the_manual_clearing_account(books: App) -> None:
    ops = operator(books)
    with books.acting_as(ops), books.transaction():
        complete_manually(REFERENCE, "cash", "receipt 7", PASSWORD)
    assert _posted("ann") == 1250 and _posted("clearing:manual") == -1250


def test_an_unknown_payer_refuses_the_payment_and_changes_nothing(books: App) -> None:
    with books.transaction():
        Order.update_where({"reference": REFERENCE}, payer="nobody")
    with pytest.raises(DataError) as refused, books.transaction():
        receive_callback("local", *signed("ev-1"))
    assert (refused.value.code, refused.value.model, refused.value.field) == \
        ("ORDER_SETTLEMENT_FAILED", "account.Account", "code")
    assert "'nobody'" in refused.value.message and "EUR" in refused.value.message
    assert Order.query_one(reference=REFERENCE).status is OrderStatus.CREATED
    assert Transfer.count() == 0 and StatusLog.count() == 0


def test_an_order_without_a_payer_moves_nothing(books: App) -> None:
    with books.transaction():
        create_order("B-1", "shop-1", Decimal("3.00"), "EUR", "local")
        receive_callback("local", *signed("ev-9", reference="B-1", amount="3.00"))
    assert Order.query_one(reference="B-1").status is OrderStatus.PAID
    assert Transfer.count() == 0


def test_the_order_module_alone_pays_with_a_payer(order_app: App) -> None:
    configure(order_app)
    with order_app.transaction():
        Order.update_where({"reference": REFERENCE}, payer="ann")
        answer = receive_callback("local", *signed("ev-1"))
    assert (answer.outcome, answer.status) == ("applied", "PAID")
    assert "account" not in order_app.registry.modules


def test_eight_threads_settle_once_and_reverse_each_part_once(
        make_app: Callable[..., App]) -> None:
    """Every thread delivers the same paid and refund callbacks, each twice, shuffled: one
    RECHARGE, one REFUND per part, and Ann's balance is what is left."""
    app = make_app(["order", "account"], pool_size=THREADS + 2, pool_pre_ping=False)
    with app.activate(), directives.backend_scope():
        with app.transaction():
            eur = Ledger(code="EUR", name="Wallets", currency="EUR", scale=2).create()
            Account(ledger=eur.id, code="ann", debits_must_not_exceed_credits=True).create()
        configure(app)
        with app.transaction():
            Order.update_where({"reference": REFERENCE}, payer="ann")
    deliver_all(app, payments())
    deliver_all(app, refunds())
    with app.activate():
        order = Order.query_one(reference=REFERENCE)
        assert (order.status, order.refunded) == (OrderStatus.PARTIALLY_REFUNDED,
                                                  Decimal("10.00"))
        assert Transfer.count(kind="RECHARGE") == 1 and Transfer.count(kind="REFUND") == 4
        assert _posted("ann") == 250 and _posted("clearing:local") == -250
