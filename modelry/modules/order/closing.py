"""`close_order`: the merchant closes an order nobody paid.

The provider closes the payment first (when it can: a `close(reference)` method answering
the status after, as the local provider has; else it is asked with `query`), and its answer
decides through the path every change takes (`janitor.apply_status`): closed or failed
closes the order; paid, because the customer paid meanwhile, pays it instead (closing came
too late); still pending refuses (ORDER_PAYMENT_OPEN) and changes nothing. A provider that
knows no such payment, or an order without a provider, is closed at once.
"""
from __future__ import annotations

from modelry import function, transaction
from modelry.modules.order import states
from modelry.modules.order.errors import OrderError
from modelry.modules.order.janitor import apply_status
from modelry.modules.order.models import Order
from modelry.modules.order.payments import find_order
from modelry.modules.order.providers.base import (STATUS_CLOSED, STATUS_PENDING,
                                                  STATUS_UNKNOWN, ProviderStatus)
from modelry.modules.order.receiving import provider_for

ORDER_PAYMENT_OPEN = "ORDER_PAYMENT_OPEN"   # the provider still waits for the payment


@function(open_level="API", type="UPDATE", namespace="order.Order")
def close_order(reference: str) -> Order:
    """Close unpaid order `reference` (a paid one is refunded, not closed); the order
    after: CLOSED, or PAID when the payment arrived first."""
    with transaction():
        order = find_order(reference)
        if states.transition(order.status.value, states.CLOSE).outcome != states.APPLIED:
            return order                                   # closed already
        provider = provider_for(order.provider) if order.provider else None
        code = order.provider or "merchant"
        if provider is None:
            status = ProviderStatus(reference, STATUS_UNKNOWN)
        else:
            closing = getattr(provider, "close", None)
            status = closing(reference) if closing is not None else provider.query(reference)
        if status.status == STATUS_PENDING:
            raise OrderError(ORDER_PAYMENT_OPEN, f"order.Order {reference!r}: {code} still "
                                                 "waits for its payment; try again later",
                             field="status")
        if status.status == STATUS_UNKNOWN:
            status = ProviderStatus(reference, STATUS_CLOSED, order.amount, order.currency)
        apply_status(code, reference, status,
                     why=f"closed by the merchant: {code} says {status.status}")
        return Order.query_one(reference=reference)
