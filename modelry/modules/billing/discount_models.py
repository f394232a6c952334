"""Discounts as records: `billing.Discount` (what comes off, for how long, on what) and
`billing.AppliedDiscount` (a discount given to one subscription, and how many periods it
has been used for). The arithmetic and the display rule are `discounts`."""
from __future__ import annotations

import enum

from modelry import Model, fields


class DiscountKind(enum.Enum):
    """A fixed amount (in the bill's currency) or a percentage."""

    FIXED = "FIXED"
    PERCENT = "PERCENT"


class DiscountDuration(enum.Enum):
    """ONCE: the first period billed; PERIODS: `periods` periods billed; FOREVER."""

    ONCE = "ONCE"
    PERIODS = "PERIODS"
    FOREVER = "FOREVER"


class DiscountScope(enum.Enum):
    """What lines a discount takes off: all of a bill, a product's, a plan's or a site's."""

    ALL = "ALL"
    PRODUCT = "PRODUCT"
    PLAN = "PLAN"
    SITE = "SITE"


class Discount(Model, model="billing.Discount", display_name="Discount"):
    """`value` off (an amount, or percent) the lines in scope (`scope_code`: the product's,
    plan's or package's code, or the site), for bills of periods starting within
    [`valid_from`, `valid_to`] (either empty: unbounded). A fixed discount takes off the
    lines in scope in order, never below zero, at most `value` per bill."""

    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    kind = fields.Enum(DiscountKind, required=True)
    value = fields.Decimal(24, 8, required=True)
    duration = fields.Enum(DiscountDuration, required=True, default=DiscountDuration.ONCE)
    periods = fields.Integer(help="PERIODS: how many periods it is given for")
    valid_from = fields.Date()
    valid_to = fields.Date()
    scope = fields.Enum(DiscountScope, required=True, default=DiscountScope.ALL)
    scope_code = fields.String(size=64)


class AppliedDiscount(Model, model="billing.AppliedDiscount",
                      display_name="Applied discount",
                      unique=[("subscription", "discount")]):
    """`discount` given to `subscription`; `periods_used` counts the bills it took off."""

    subscription = fields.ManyToOne("billing.Subscription", required=True,
                                    on_delete="CASCADE", index=True)
    discount = fields.ManyToOne("billing.Discount", required=True, on_delete="RESTRICT")
    periods_used = fields.Integer(required=True, default=0, readonly=True)
