"""The extension points that move money when an order is paid or refunded.

The order module moves no money itself: it calls `settle` in the transaction that marks an
order paid, and `reverse` in the one that applies each refund part, with plain data only
(so a module implementing them need not import this one, nor this one it). By default they
do nothing; `modelry.modules.account.order_settlement` implements them on the ledger:

    @ext_point.implement("order.Order", "settle")
    def credit_payer(call: Call) -> None:
        order_id = call.kwargs["order_id"]; ...

Keyword arguments of both: `order_id`, `reference`, `merchant`, `payer` (an account code,
or None), `amount` (Decimal: what was paid, or this refund part), `currency`, `item` (e.g.
"plan:PRO", or None), `provider` (who paid it: a provider code, "manual" or "operator"),
`kind` ("paid" or "refunded"), `transition` (the id of its `order.StatusLog` row: unique,
so a key built from it is one per refund part) and `order_amount` (the order's amount).
An implementation that raises undoes the transition (the order stays as it was and the
provider's callback is answered with an error, so the provider sends it again).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from modelry import directives, ext_point
from modelry.directives import Directive

NAMESPACE = "order.Order"
PAID = "paid"
REFUNDED = "refunded"


@ext_point.declare(NAMESPACE, "settle")
def settle(**order: Any) -> None:
    """An order was paid: move its money (by default, nothing happens)."""
    return None


@ext_point.declare(NAMESPACE, "reverse")
def reverse(**order: Any) -> None:
    """A part of a paid order was refunded: move it back (by default, nothing happens)."""
    return None


@ext_point.declare(NAMESPACE, "fulfil")
def fulfil(**order: Any) -> None:
    """After `settle` or `reverse`: deliver (or take back) what the order bought, its
    `item` (by default, nothing happens; billing starts or renews a subscription, or
    settles a bill). A point of its own, so that one module can move the money and
    another the service."""
    return None


def run(kind: str, order: Any, amount: Decimal, provider: str | None,
        transition: int) -> None:
    """Call `settle` (kind PAID) or `reverse` (REFUNDED) for `order`, then `fulfil`,
    implementations on."""
    point = settle if kind == PAID else reverse
    data = dict(order_id=order.id, reference=order.reference, merchant=order.merchant,
                payer=order.payer, amount=amount, currency=order.currency, item=order.item,
                provider=provider, kind=kind, transition=transition,
                order_amount=order.amount)
    with directives.scope(Directive.EXT_POINT):
        point(**data)
        if order.item:
            fulfil(**data)
