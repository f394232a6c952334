"""What merchants order: a `channel.Product` (by its code) routed over channels
(`channel.ProductRoute`), by priority with fallback or by weights (see `routing`)."""
from __future__ import annotations

import enum

from modelry import Model, fields


class Routing(enum.Enum):
    """PRIORITY: the lowest priority first, the next on failure; WEIGHTED: a random order
    drawn by weight (the same for one order number)."""

    PRIORITY = "PRIORITY"
    WEIGHTED = "WEIGHTED"


class Product(Model, model="channel.Product", display_name="Recharge product",
              name="rechargeProduct"):
    """A product merchants order by `code` (e.g. "mobile-cn"), in `currency`. Its technical
    name is its own (`rechargeProduct`), so it sits beside `billing.Product`."""

    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    currency = fields.String(required=True, size=3, default="CNY")
    routing = fields.Enum(Routing, required=True, default=Routing.PRIORITY)
    routes = fields.OneToMany("channel.ProductRoute", inverse="product")


class ProductRoute(Model, model="channel.ProductRoute", display_name="Product route",
                   unique=[("product", "channel")]):
    """`product` may be fulfilled over `channel`, at `priority` (lower first) or `weight`."""

    product = fields.ManyToOne("channel.Product", required=True, on_delete="CASCADE")
    channel = fields.ManyToOne("channel.Channel", required=True, on_delete="RESTRICT")
    priority = fields.Integer(required=True, default=100)
    weight = fields.Integer(required=True, default=1)
