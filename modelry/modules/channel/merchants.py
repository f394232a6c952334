"""Who orders: `channel.Merchant` (a merchant, or an agent above merchants in a reseller
chain), its API keys (`channel.MerchantKey`) and its rate per product
(`channel.MerchantRate`)."""
from __future__ import annotations

import enum

from modelry import Model, fields


class MerchantKind(enum.Enum):
    """A MERCHANT places orders; an AGENT sells to the merchants (or agents) below it."""

    MERCHANT = "MERCHANT"
    AGENT = "AGENT"


class MerchantStatus(enum.Enum):
    """Only an ACTIVE merchant's orders are accepted."""

    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    CLOSED = "CLOSED"


class Merchant(Model, model="channel.Merchant", display_name="Merchant"):
    """A merchant or agent. `parent` is the agent it buys from (empty: the platform);
    `account` the code of its balance account in the ledger of `currency` (orders are paid
    from it, shares credited to it); `ip_ranges` the addresses its API calls may come from
    (comma separated CIDR ranges; empty: any); `notify_url` where final statuses are sent."""

    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    kind = fields.Enum(MerchantKind, required=True, default=MerchantKind.MERCHANT)
    status = fields.Enum(MerchantStatus, required=True, default=MerchantStatus.ACTIVE)
    parent = fields.ManyToOne("channel.Merchant", on_delete="RESTRICT", index=True)
    currency = fields.String(required=True, size=3, default="CNY")
    account = fields.String(required=True, size=64, help="its account.Account code")
    ip_ranges = fields.String(size=512)
    notify_url = fields.String(size=512)
    users = fields.ManyToMany("base.User", help="its people: they see its orders (role merchant)")


class MerchantKey(Model, model="channel.MerchantKey", display_name="Merchant API key"):
    """A key a merchant signs its API requests with: `key_id` travels in each request;
    the secret is shown once when the key is made, kept sealed (encrypted) at rest, and
    never read back by clients."""

    merchant = fields.ManyToOne("channel.Merchant", required=True, on_delete="CASCADE",
                                index=True)
    key_id = fields.String(required=True, size=40, unique=True)
    secret = fields.Secret(required=True, readonly=True)
    active = fields.Boolean(required=True, default=True)


class MerchantRate(Model, model="channel.MerchantRate", display_name="Merchant rate",
                   unique=[("merchant", "product")]):
    """What `merchant` pays per unit of face value of `product` (e.g. 0.985: 98.50 for a
    100 recharge), to its parent agent or to the platform."""

    merchant = fields.ManyToOne("channel.Merchant", required=True, on_delete="CASCADE")
    product = fields.ManyToOne("channel.Product", required=True, on_delete="CASCADE")
    rate = fields.Decimal(12, 6, required=True)
