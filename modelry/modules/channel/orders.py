"""Direct-recharge orders: `channel.RechargeOrder` with its fee snapshot (copied when the
order is accepted, so later rate changes never change it), the reseller shares of it
(`channel.OrderShare`), each call to a supplier (`channel.RechargeAttempt`) and the nonces
of signed requests seen (`channel.RequestNonce`: a replayed request is refused)."""
from __future__ import annotations

import enum

from modelry import Model, fields

ORDER_KEY = ("merchant", "merchant_order_no")


class OrderStatus(enum.Enum):
    """See `states`: CREATED → SUBMITTED → SUCCEEDED / FAILED; SUCCEEDED → REFUNDED."""

    CREATED = "CREATED"
    SUBMITTED = "SUBMITTED"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REFUNDED = "REFUNDED"


class RechargeOrder(Model, model="channel.RechargeOrder", display_name="Recharge order",
                    unique=[ORDER_KEY],
                    indexes=[("merchant", "finished_at"), ("merchant", "create_date")]):
    """A merchant's order to recharge `target` with `amount` of `product`, unique per
    (merchant, merchant_order_no). The fee snapshot: what the merchant pays
    (`merchant_rate`, `merchant_price`), what the channel costs (`channel_rate`, `cost`),
    and the platform's profit; the agents' profits are its `channel.OrderShare`s. Only the
    module's functions change it. Indexed for a merchant's days (statements, totals)."""

    merchant = fields.ManyToOne("channel.Merchant", required=True, on_delete="RESTRICT",
                                readonly=True)
    merchant_order_no = fields.String(required=True, size=64, readonly=True)
    product = fields.ManyToOne("channel.Product", required=True, on_delete="RESTRICT",
                               readonly=True, index=True)
    target = fields.String(required=True, size=64, readonly=True)
    amount = fields.Decimal(18, 4, required=True, readonly=True)
    currency = fields.String(required=True, size=3, readonly=True)
    status = fields.Enum(OrderStatus, required=True, default=OrderStatus.CREATED,
                         readonly=True, index=True)
    channel = fields.ManyToOne("channel.Channel", on_delete="RESTRICT", readonly=True,
                               index=True, help="the channel it is (or was last) sent over")
    test = fields.Boolean(required=True, default=False, readonly=True,
                          help="an operator's test order: left out of statistics and shares")
    merchant_rate = fields.Decimal(12, 6, required=True, readonly=True)
    merchant_price = fields.Decimal(18, 4, required=True, readonly=True)
    channel_rate = fields.Decimal(12, 6, readonly=True)
    cost = fields.Decimal(18, 4, readonly=True)
    platform_profit = fields.Decimal(18, 4, readonly=True)
    supplier_reference = fields.String(size=128, readonly=True)
    message = fields.String(size=256, readonly=True)
    submitted_at = fields.DateTime(readonly=True)
    queried_at = fields.DateTime(readonly=True, help="when the supplier was last asked")
    finished_at = fields.DateTime(readonly=True)
    shares = fields.OneToMany("channel.OrderShare", inverse="order")
    attempts = fields.OneToMany("channel.RechargeAttempt", inverse="order")


class OrderShare(Model, model="channel.OrderShare", display_name="Reseller share",
                 unique=[("order", "level")]):
    """What the agent at `level` (1: the merchant's parent) earns on an order: it sells at
    its child's price and buys at its own."""

    order = fields.ManyToOne("channel.RechargeOrder", required=True, on_delete="CASCADE",
                             readonly=True)
    level = fields.Integer(required=True, readonly=True)
    agent = fields.ManyToOne("channel.Merchant", required=True, on_delete="RESTRICT",
                             readonly=True, index=True)
    rate = fields.Decimal(12, 6, required=True, readonly=True)
    sells_at = fields.Decimal(18, 4, required=True, readonly=True)
    buys_at = fields.Decimal(18, 4, required=True, readonly=True)
    profit = fields.Decimal(18, 4, required=True, readonly=True)


class AttemptStatus(enum.Enum):
    """What a call to the supplier came to (UNKNOWN: a timeout or an answer we cannot read;
    the order is queried, never failed on it)."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    PENDING = "PENDING"
    UNKNOWN = "UNKNOWN"


class RechargeAttempt(Model, model="channel.RechargeAttempt", display_name="Recharge attempt",
                      unique=[("order", "number")]):
    """One call to a supplier for an order: submit or query, the request sent (secrets
    masked) and the response read, what it came to, and how long it took."""

    order = fields.ManyToOne("channel.RechargeOrder", required=True, on_delete="CASCADE",
                             readonly=True)
    number = fields.Integer(required=True, readonly=True)
    channel = fields.ManyToOne("channel.Channel", required=True, on_delete="RESTRICT",
                               readonly=True)
    kind = fields.String(required=True, size=16, readonly=True,
                         help="submit, query, manual, or late (a success after a failure)")
    supplier_number = fields.String(size=32, readonly=True, index=True,
                                    help="the order number the supplier was sent")
    request = fields.Json(readonly=True)
    response = fields.Text(readonly=True)
    status = fields.Enum(AttemptStatus, required=True, readonly=True)
    message = fields.String(size=256, readonly=True)
    started_at = fields.DateTime(required=True, readonly=True)
    duration_ms = fields.Integer(readonly=True)


class RequestNonce(Model, model="channel.RequestNonce", display_name="Request nonce",
                   unique=[("key_id", "nonce")]):
    """A signed request's nonce, seen once: the same (key, nonce) again is a replay."""

    key_id = fields.String(required=True, size=40, readonly=True)
    nonce = fields.String(required=True, size=64, readonly=True)
    seen_at = fields.DateTime(required=True, readonly=True, index=True)
