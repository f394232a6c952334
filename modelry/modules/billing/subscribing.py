"""Subscribing, pausing and resuming: the functions clients call on subscriptions.

A subscription starts on a day, on a plan or a package (exactly one), for a customer and a
payer (a company paying for its staff; by default the customer itself); its trial ends
`trial_days` after its start. A pause and a resume are dated; a pause and resume on the
same day leave that day billed once (`periods.billable_days`).
"""
from __future__ import annotations

import datetime as dt

from modelry import DataError, Long, current_user_id, function, transaction
from modelry.modules.billing.periods import anchor_for
from modelry.modules.billing.plans import Package, PricePlan
from modelry.modules.billing.subscriptions import (Customer, Subscription,
                                                   SubscriptionPause, SubscriptionStatus)

MODEL = "billing.Subscription"


def _refuse(message: str, code: str, field: str | None = None) -> DataError:
    return DataError(f"{MODEL}: {message}", code=code, model=MODEL, field=field)


def _customer(code: str, field: str) -> int:
    found = Customer.query_one(code=code)
    if found is None:
        raise DataError(f"billing.Customer: no customer with code {code!r}",
                        code="CUSTOMER_NOT_FOUND", model="billing.Customer", field=field)
    return found.id


@function(open_level="API", type="CREATE", namespace=MODEL)
def subscribe(customer: str, starts_on: dt.date, plan: str | None = None,
              package: str | None = None, payer: str | None = None,
              anchor_day: int | None = None, site: str | None = None,
              ends_on: dt.date | None = None) -> Subscription:
    """Subscribe `customer` (a code) to `plan` or `package` (a code; exactly one) from
    `starts_on`, billed to `payer` (a customer code; default: the customer)."""
    if (plan is None) == (package is None):
        raise _refuse("name a plan or a package, exactly one", "SUBSCRIPTION_INVALID", "plan")
    if ends_on is not None and ends_on <= starts_on:
        raise _refuse(f"ends_on {ends_on} is not after starts_on {starts_on}",
                      "SUBSCRIPTION_INVALID", "ends_on")
    anchor_for(starts_on, anchor_day)                 # ANCHOR_DAY_INVALID before writing
    offer = PricePlan.query_one(code=plan) if plan is not None \
        else Package.query_one(code=package)
    if offer is None:
        what = "billing.PricePlan" if plan is not None else "billing.Package"
        raise DataError(f"{what}: no {what.split('.')[1]} with code {plan or package!r}",
                        code="OFFER_NOT_FOUND", model=what, field="code")
    trial = None if not offer.trial_days else \
        starts_on + dt.timedelta(days=offer.trial_days)
    return Subscription(customer=_customer(customer, "customer"),
                        payer=None if payer is None else _customer(payer, "payer"),
                        plan=offer.id if plan is not None else None,
                        package=offer.id if package is not None else None, site=site,
                        starts_on=starts_on, ends_on=ends_on, trial_ends_on=trial,
                        anchor_day=anchor_day).create()


def _locked(subscription: int) -> Subscription:
    found = Subscription.lock([subscription])
    if not found:
        raise _refuse(f"no subscription with id {subscription}", "SUBSCRIPTION_NOT_FOUND",
                      "id")
    return found[0]


@function(open_level="API", type="UPDATE", namespace=MODEL)
def pause(subscription: Long, on: dt.date) -> Subscription:
    """Pause an ACTIVE subscription on day `on`; the days after it bill no fee."""
    with transaction():
        found = _locked(subscription)
        if found.status is not SubscriptionStatus.ACTIVE:
            raise _refuse(f"subscription {subscription} is {found.status.value}, only an "
                          "ACTIVE one can be paused", "SUBSCRIPTION_STATE", "status")
        if on < found.starts_on:
            raise _refuse(f"a pause on {on} is before the start {found.starts_on}",
                          "PAUSE_INVALID", "on")
        SubscriptionPause(subscription=found.id, paused_on=on, who=current_user_id()).create()
        Subscription.update_where({"id": found.id}, status=SubscriptionStatus.PAUSED)
        return Subscription.query_by_id(found.id)


@function(open_level="API", type="UPDATE", namespace=MODEL)
def resume(subscription: Long, on: dt.date) -> Subscription:
    """Resume a PAUSED subscription on day `on` (the same day as the pause, or later)."""
    with transaction():
        found = _locked(subscription)
        open_pause = SubscriptionPause.query_one(subscription=found.id, resumed_on=None)
        if found.status is not SubscriptionStatus.PAUSED or open_pause is None:
            raise _refuse(f"subscription {subscription} is {found.status.value}, not "
                          "PAUSED", "SUBSCRIPTION_STATE", "status")
        if on < open_pause.paused_on:
            raise _refuse(f"a resume on {on} is before the pause on {open_pause.paused_on}",
                          "PAUSE_INVALID", "on")
        SubscriptionPause.update_where({"id": open_pause.id}, resumed_on=on)
        Subscription.update_where({"id": found.id}, status=SubscriptionStatus.ACTIVE)
        return Subscription.query_by_id(found.id)
