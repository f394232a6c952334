"""`place_order`: a merchant's direct-recharge order accepted, or refused with nothing
written.

In one transaction (the caller's savepoint, or its own): the merchant must be ACTIVE; an
order number it used before answers that order when the fields are the same, and
DUPLICATE_ORDER_NO when they differ; the product is routed (`routing.plan`: never a
disabled or retired channel, never one whose amount rule refuses the amount; NO_CHANNEL
when none can take it); the fee snapshot is computed from the merchant's and its agents'
rates and the first channel's (RATE_MISSING names a party without a rate); the order and
its shares are written, the merchant's price is held on its balance (INSUFFICIENT_FUNDS
refuses the order), and its submission is queued (the task row commits with the order:
the outbox). Two requests with one order number race on the unique (merchant, order no):
the loser reads the winner's order and answers as a repeat.
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

from modelry import DataError, UniqueViolation, directives, function, transaction
from modelry.modules.channel import ledger, routing
from modelry.modules.channel.fees import snapshot
from modelry.modules.channel.fulfilling import submit_order
from modelry.modules.channel.lookups import routes_of, tiers_of
from modelry.modules.channel.merchants import Merchant, MerchantStatus
from modelry.modules.channel.orders import ORDER_KEY, OrderShare, RechargeOrder
from modelry.modules.channel.products import Product
from modelry.modules.channel.suppliers import Channel

MODEL = "channel.RechargeOrder"


def _refuse(message: str, code: str, field: str | None = None,
            model: str = MODEL) -> DataError:
    return DataError(f"{model}: {message}", code=code, model=model, field=field)


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        amount = Decimal("NaN")
    if isinstance(value, (bool, float)) or not amount.is_finite() or amount <= 0:
        raise _refuse(f"the amount must be a positive decimal, not {value!r}",
                      "AMOUNT_INVALID", "amount")
    return amount


@function(open_level="API", type="CREATE", namespace=MODEL)
def place_order(merchant: str, merchant_order_no: str, product: str, target: str,
                amount: Decimal, test: bool = False,
                only_channel: str | None = None) -> RechargeOrder:
    """Accept a direct-recharge order (see the module docstring); the order. A test order
    may be sent over `only_channel` (one of the product's routes, enabled or not)."""
    if only_channel is not None and not test:
        raise _refuse("only a test order may choose its channel", "ORDER_INVALID",
                      "only_channel")
    amount = _amount(amount)
    if not merchant_order_no or len(merchant_order_no) > 64 or not target \
            or len(target) > 64:
        raise _refuse("the order number and the target are 1 to 64 characters",
                      "ORDER_INVALID", "merchant_order_no" if not target else "target")
    with transaction():
        with directives.as_caller():          # a merchant's user orders for its merchant only
            found = Merchant.query_one(code=merchant)
        if found is None or found.status is not MerchantStatus.ACTIVE:
            raise _refuse(f"merchant {merchant!r} is not an active merchant",
                          "MERCHANT_NOT_ACTIVE", "merchant", "channel.Merchant")
        try:
            with transaction():
                return _accept(found, merchant_order_no, product, target, amount, test,
                               only_channel)
        except UniqueViolation as clash:
            if tuple(clash.fields) != ORDER_KEY:
                raise
        return _accept(found, merchant_order_no, product, target, amount, test, only_channel)


def _accept(merchant: Any, number: str, product_code: str, target: str, amount: Decimal,
            test: bool, only_channel: str | None = None) -> Any:
    earlier = RechargeOrder.query_one(merchant=merchant.id, merchant_order_no=number)
    product = Product.query_one(code=product_code)
    if earlier is not None:
        same = (product is not None and earlier.product_id == product.id
                and earlier.target == target and earlier.amount == amount)
        if not same:
            raise _refuse(f"order number {number!r} was used for another order",
                          "DUPLICATE_ORDER_NO", "merchant_order_no")
        return earlier
    if product is None:
        raise _refuse(f"no product {product_code!r}", "PRODUCT_NOT_FOUND", "product",
                      "channel.Product")
    routes = routes_of(product)
    if only_channel is not None:             # a test of one channel, enabled or not
        routes = [dataclasses.replace(r, enabled=True, priority=0) for r in routes
                  if r.code == only_channel]
    plan = routing.plan(routes, amount, product.routing.value, number)
    if not plan:
        raise _refuse(f"no channel of product {product_code!r} takes {amount}",
                      "NO_CHANNEL", "amount")
    channel = Channel.query_by_id(plan[0].channel)
    tiers, agents = tiers_of(merchant, product)
    fees = snapshot(amount, product.currency, tiers, channel.rate)
    order = RechargeOrder(
        merchant=merchant.id, merchant_order_no=number, product=product.id, target=target,
        amount=amount, currency=product.currency, channel=channel.id, test=test,
        merchant_rate=fees.merchant_rate, merchant_price=fees.merchant_price,
        channel_rate=fees.channel_rate, cost=fees.cost,
        # a test order shares nothing: its whole margin stays with the platform
        platform_profit=fees.merchant_price - fees.cost if test else fees.platform_profit
    ).create()
    if not test:
        OrderShare.insert_bulk([
            {"order": order.id, "level": level, "agent": agent.id, "rate": share.rate,
             "sells_at": share.sells_at, "buys_at": share.buys_at, "profit": share.profit}
            for level, (share, agent) in enumerate(zip(fees.shares, agents), start=1)])
    ledger.hold(order, merchant)
    submit_order(order.id)
    return order
