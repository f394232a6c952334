"""Who is billed for what: `billing.Customer` (a tenant usage events name), its
`billing.Subscription`s to a plan or a package, and their pauses."""
from __future__ import annotations

import enum

from modelry import Model, fields


class Customer(Model, model="billing.Customer", display_name="Customer"):
    """A billed party. `code` is the tenant its usage events carry; `account` the code of
    its `account.Account` when the account module posts its bills; arrears (unpaid bills
    in `currency`) past `credit_limit` suspend its subscriptions (`credit`)."""

    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    currency = fields.String(required=True, size=3, default="EUR")
    account = fields.String(size=64, help="its account.Account code, for posting bills")
    credit_limit = fields.Decimal(24, 8, required=True, default=0,
                                  help="arrears past this suspend its subscriptions")
    arrears = fields.Decimal(24, 8, required=True, default=0, readonly=True,
                             help="what its open bills still owe")


class SubscriptionStatus(enum.Enum):
    """ACTIVE is billed; PAUSED bills no fee for the paused days; SUSPENDED (arrears) is
    still billed, but its service is cut by whoever hooks `credit`; ENDED is billed up to
    its end."""

    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    SUSPENDED = "SUSPENDED"
    ENDED = "ENDED"


class Subscription(Model, model="billing.Subscription", display_name="Subscription"):
    """`customer` uses `plan` or `package` (exactly one) from `starts_on` to `ends_on`
    (exclusive; empty: open), billed to `payer` (a company paying for its staff; empty:
    the customer). Periods start on `anchor_day` of the month (empty: the start's day);
    the first days, `trial_ends_on` (exclusive), price the fee at 0. `billed_until` is the
    end of the last period billed."""

    customer = fields.ManyToOne("billing.Customer", required=True, on_delete="RESTRICT",
                                index=True)
    payer = fields.ManyToOne("billing.Customer", on_delete="RESTRICT", index=True)
    plan = fields.ManyToOne("billing.PricePlan", on_delete="RESTRICT")
    package = fields.ManyToOne("billing.Package", on_delete="RESTRICT")
    site = fields.String(size=64, help="where it is used; discounts may be scoped to it")
    starts_on = fields.Date(required=True)
    ends_on = fields.Date()
    trial_ends_on = fields.Date(readonly=True)
    anchor_day = fields.Integer(help="1 to 31: the day of the month periods start")
    status = fields.Enum(SubscriptionStatus, required=True,
                         default=SubscriptionStatus.ACTIVE, readonly=True, index=True)
    billed_until = fields.Date(readonly=True, index=True)
    pauses = fields.OneToMany("billing.SubscriptionPause", inverse="subscription")


class SubscriptionPause(Model, model="billing.SubscriptionPause",
                        display_name="Subscription pause"):
    """Paused on `paused_on`, resumed on `resumed_on` (empty: still paused): the days
    strictly between bill no fee; a pause and resume on one day bills that day once."""

    subscription = fields.ManyToOne("billing.Subscription", required=True,
                                    on_delete="CASCADE", index=True)
    paused_on = fields.Date(required=True)
    resumed_on = fields.Date()
    who = fields.BigInteger(help="the user who paused it")
