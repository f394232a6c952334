"""`close_order` on each database: the provider closes the payment first and its answer
decides (closed, or paid when the customer paid first); a pending payment or a paid order
is refused with a code."""
from __future__ import annotations

from decimal import Decimal

import pytest

from modelry import ModelryError
from modelry.boot import App
from modelry.modules.order.closing import close_order
from modelry.modules.order.models import Order, OrderStatus, StatusLog
from modelry.modules.order.payment_models import AttemptStatus, Notification, PaymentAttempt
from modelry.modules.order.payments import start_payment
from modelry.modules.order.providers.local import LocalProvider
from tests.modules.order.conftest import REFERENCE


def _close(app: App) -> Order:
    with app.transaction():
        return close_order(REFERENCE)


def _started(app: App, remote: LocalProvider) -> None:
    with app.transaction():
        start_payment(REFERENCE, "remote")
    remote.open(REFERENCE, Decimal("12.50"), "EUR")


def test_an_unpaid_order_closes_at_the_provider_first(shop: App, remote: LocalProvider) -> None:
    _started(shop, remote)
    assert _close(shop).status is OrderStatus.CLOSED
    assert remote.query(REFERENCE).status == "closed"
    assert PaymentAttempt.query_one().status is AttemptStatus.CLOSED
    assert StatusLog.query_list(sort="-id", limit=1)[0].why == \
        "closed by the merchant: remote says closed"
    assert Notification.query_one().kind == "closed"
    assert _close(shop).status is OrderStatus.CLOSED              # again: nothing new
    assert StatusLog.count() == 2


def test_closing_too_late_pays_the_order(shop: App, remote: LocalProvider) -> None:
    _started(shop, remote)
    remote.pay(REFERENCE)                                         # the callback is late
    assert _close(shop).status is OrderStatus.PAID
    with pytest.raises(ModelryError) as refused:
        _close(shop)
    assert refused.value.code == "ORDER_ILLEGAL_TRANSITION" and "PAID" in \
        refused.value.message


def test_a_payment_the_provider_still_waits_for_is_not_closed(
        shop: App, remote: LocalProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    _started(shop, remote)
    monkeypatch.delattr(LocalProvider, "close")                   # a provider that cannot
    with pytest.raises(ModelryError) as refused:
        _close(shop)
    assert (refused.value.code, refused.value.field) == ("ORDER_PAYMENT_OPEN", "status")
    assert Order.query_one(reference=REFERENCE).status is OrderStatus.PENDING


def test_an_order_never_sent_to_a_provider_closes_at_once(shop: App) -> None:
    with shop.transaction():
        Order.update_where({"reference": REFERENCE}, provider=None)
    assert _close(shop).status is OrderStatus.CLOSED
