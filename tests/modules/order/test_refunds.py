"""`refund_order` on each database: parts within what was paid, carried out by the provider
(whose later callback is a redelivery) or by the operator (an order completed by hand);
refusals change nothing; 8 threads refunding one order at once never refund more than was
paid."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from modelry import ModelryError, directives
from modelry.boot import App
from modelry.modules.order.models import Callback, Order, OrderStatus, ProviderConfig
from modelry.modules.order.payment_models import Refund, RefundStatus
from modelry.modules.order.payments import complete_manually
from modelry.modules.order.providers.local import LocalProvider
from modelry.modules.order.receiving import PROVIDER_KINDS, receive_callback
from modelry.modules.order.refunds import refund_order
from tests.modules.order.conftest import PASSWORD, REFERENCE, configure, operator, signed
from tests.modules.order.helpers import SECRET
from tests.threads import THREADS, run_threads


def _paid_through(app: App, remote: LocalProvider) -> None:
    """Order A-1 paid through the remote provider."""
    remote.open(REFERENCE, Decimal("12.50"), "EUR")
    headers, body = remote.callback(remote.pay(REFERENCE))
    with app.transaction():
        Order.update_where({"reference": REFERENCE}, provider="remote")
        assert receive_callback("remote", headers, body.decode()).outcome == "applied"


def _refund(app: App, amount: str, reason: str = "damaged") -> Refund:
    with app.acting_as(5), app.transaction():
        return refund_order(REFERENCE, Decimal(amount), reason)


def _order() -> Order:
    return Order.query_one(reference=REFERENCE)


def test_refunds_in_parts_through_the_provider(shop: App, remote: LocalProvider) -> None:
    _paid_through(shop, remote)
    first = _refund(shop, "5.00")
    assert (first.status, first.amount, first.reason, first.who) == \
        (RefundStatus.REFUNDED, Decimal("5.00"), "damaged", 5)
    assert (_order().status, _order().refunded) == (OrderStatus.PARTIALLY_REFUNDED,
                                                    Decimal("5.00"))
    assert remote.query(REFERENCE).refunded == Decimal("5.00")
    # the provider's own callback of that refund is a redelivery, not a second part
    event = remote.callback(remote.refund(REFERENCE, Decimal("1.00")))  # another part...
    with shop.transaction():
        callback = Callback.query_one(provider="remote", event_id=first.event_id)
        again = receive_callback("remote", {**remote.sign(callback.body.encode())},
                                 callback.body)
        assert again.redelivered
        receive_callback("remote", event[0], event[1].decode())         # ...applies
    assert _order().refunded == Decimal("6.00")
    with pytest.raises(ModelryError) as refused:
        _refund(shop, "6.51")
    assert (refused.value.code, refused.value.field) == ("REFUND_EXCEEDS_PAID", "amount")
    assert _refund(shop, "6.50").status is RefundStatus.REFUNDED
    assert (_order().status, _order().refunded) == (OrderStatus.REFUNDED, Decimal("12.50"))
    assert Refund.count() == 2


def test_refusals_change_nothing(shop: App) -> None:
    with pytest.raises(ModelryError) as refused:
        _refund(shop, "1.00")                               # not paid
    assert refused.value.code == "ORDER_ILLEGAL_TRANSITION" and "CREATED" in \
        refused.value.message
    with shop.transaction():
        receive_callback("local", *signed("ev-1"))
    for amount, reason, code in [("0", "x", "REFUND_AMOUNT_INVALID"),
                                 ("1.00", " ", "REFUND_INVALID")]:
        with pytest.raises(ModelryError) as refused:
            _refund(shop, amount, reason)
        assert refused.value.code == code
    # the order's provider ("local", no remote state) refuses: recorded, nothing moves
    refusal = _refund(shop, "1.00")
    assert refusal.status is RefundStatus.REFUSED and "PAID" not in refusal.message
    assert "no payment" in refusal.message
    assert (_order().status, _order().refunded) == (OrderStatus.PAID, Decimal(0))


def test_an_order_completed_by_hand_is_refunded_by_the_operator(shop: App) -> None:
    ops = operator(shop)
    with shop.acting_as(ops), shop.transaction():
        complete_manually(REFERENCE, "cash", "receipt 3", PASSWORD)
    refund = _refund(shop, "2.00")
    assert refund.status is RefundStatus.REFUNDED and refund.event_id.startswith("operator-")
    assert Callback.query_one(event_id=refund.event_id).provider == "operator"
    assert _order().refunded == Decimal("2.00")


def test_eight_threads_never_refund_more_than_was_paid(make_app: Callable[..., App],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(["order"], pool_size=THREADS + 2, pool_pre_ping=False)
    remote = LocalProvider(SECRET, code="remote")
    monkeypatch.setitem(PROVIDER_KINDS, "remote", lambda config: remote)
    with app.activate(), directives.backend_scope():
        configure(app)
        with app.transaction():
            ProviderConfig(code="remote", kind="remote", secret=SECRET.decode()).create()
        _paid_through(app, remote)

    def work(thread: int) -> str:
        with app.activate(), directives.backend_scope():
            try:
                return _refund(app, "2.50").status.value
            except ModelryError as refused:
                return refused.code

    outcomes = run_threads(THREADS, work)
    assert sorted(outcomes) == ["REFUNDED"] * 5 + ["REFUND_EXCEEDS_PAID"] * 3
    with app.activate():
        assert (_order().status, _order().refunded) == (OrderStatus.REFUNDED,
                                                        Decimal("12.50"))
        assert Refund.count() == 5 and remote.query(REFERENCE).refunded == Decimal("12.50")
