"""What a subscription buys: a `billing.PricePlan` (a recurring fee and the charges that
price its usage) or a `billing.Package` (a bundle of products with quotas, priced in one
currency and sold in another with an exchange rate and a markup)."""
from __future__ import annotations

import enum

from modelry import Model, fields
from modelry.modules.billing.catalogue import MarkupKind


class Interval(enum.Enum):
    """How long a billing period is (`periods`)."""

    DAILY = "DAILY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


class PricePlan(Model, model="billing.PricePlan", display_name="Price plan"):
    """A recurring `fee` per period in `currency`, paid in advance (a period's bill holds
    its fee and the previous period's usage) or in arrears (its fee and its own usage);
    the first `trial_days` of a subscription price the fee at 0. Its charges
    (`billing.Charge.plan`) price the usage."""

    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    currency = fields.String(required=True, size=3)
    interval = fields.Enum(Interval, required=True, default=Interval.MONTHLY)
    fee = fields.Decimal(24, 8, required=True, default=0)
    trial_days = fields.Integer(required=True, default=0)
    pay_in_advance = fields.Boolean(required=True, default=False)
    charges = fields.OneToMany("billing.Charge", inverse="plan")


class Package(Model, model="billing.Package", display_name="Package"):
    """A bundle of products with quotas, for `price` in `price_currency` per period, sold in
    `currency`: converted with the `billing.ExchangeRate` of the day the bill is made, plus
    the markup (fixed or percent, negative for a promotion). The rate and the markup are
    copied onto each bill line. Usage past a quota costs the quota's `overage_price` per
    unit (in `price_currency`, converted and marked up the same way)."""

    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    interval = fields.Enum(Interval, required=True, default=Interval.MONTHLY)
    price = fields.Decimal(24, 8, required=True)
    price_currency = fields.String(required=True, size=3)
    currency = fields.String(required=True, size=3, help="what it is billed in")
    markup_kind = fields.Enum(MarkupKind)
    markup_value = fields.Decimal(24, 8)
    trial_days = fields.Integer(required=True, default=0)
    quotas = fields.OneToMany("billing.PackageQuota", inverse="package")


class PackageQuota(Model, model="billing.PackageQuota", display_name="Package quota",
                   unique=[("package", "product")]):
    """`quota` units of `product` per period are in the package's price."""

    package = fields.ManyToOne("billing.Package", required=True, on_delete="CASCADE")
    product = fields.ManyToOne("billing.Product", required=True, on_delete="RESTRICT")
    quota = fields.Decimal(24, 6, required=True)
    overage_price = fields.Decimal(24, 8, required=True, default=0)
