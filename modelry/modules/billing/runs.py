"""`run_billing(on)`: every bill due on a day, set-based.

Subscriptions with a bill due are billed in chunks, each in a transaction (the caller's
savepoint, or one of its own). A chunk locks its subscriptions (in id order), reads their
`billed_until` again, and works out the bills due (`due`); it reads the rated totals and
the period aggregations of all its tenants at once, each in its own usage window
(`usage_reads`: a few statements however many windows), prices every bill
(`bill_pricing`), then writes all bills and all lines with one `insert_bulk` each and moves
`billed_until` on. Two runs at once queue on the locks, and the second finds nothing left
to bill; `billing.Bill` is unique per (subscription, period start) besides. A subscription
whose bill cannot be priced (a missing exchange rate, a charge without a calculator) is
left unbilled and reported, naming what is missing; the others are billed.

Whose bill a customer's usage goes on, when it has several subscriptions: `ownership`.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from modelry import Model, fields, function, messages, schedule, transaction
from modelry.modules.billing import adjustments
from modelry.modules.billing.bill_pricing import (BillDraft, BillTerms, DiscountTerms,
                                                  PeriodUsage, price_bill)
from modelry.modules.billing.bills import Bill, BillLine, BillStatus, LineKind
from modelry.modules.billing.discount_models import (AppliedDiscount, Discount,
                                                     DiscountDuration, DiscountKind)
from modelry.modules.billing.due import DueBill, Life, due_bills
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.periods import (Pause, Period, anchor_for, billable_days,
                                             period_containing)
from modelry.modules.billing.ownership import Owners
from modelry.modules.billing.plans import Interval
from modelry.modules.billing.credit import control_credit
from modelry.modules.billing.posting import post_bills
from modelry.modules.billing.run_terms import Catalogue, Offer
from modelry.modules.billing.subscriptions import (Customer, Subscription,
                                                   SubscriptionPause)
from modelry.modules.billing.usage_reads import TenantUsage, tenants_usage

CHUNK = 500


class BillingRun(Model, model="billing.BillingRun", kind="transient"):
    """What a run did: bills and lines written, subscriptions billed, and those that could
    not be (each named in a warning message)."""

    on = fields.Date()
    bills = fields.Integer()
    lines = fields.Integer()
    subscriptions = fields.Integer()
    failed = fields.Integer()
    total = fields.Decimal(24, 8, help="the bills' totals added up (all currencies)")


@dataclass
class _Job:
    subscription: Any
    offer: Offer
    due: DueBill
    draft: BillDraft | None = None


@function(open_level="API", type="CREATE", namespace="billing.Bill")
def run_billing(on: dt.date, interval: Interval | None = None) -> BillingRun:
    """Make every bill due on `on` (of one billing interval, or all) that is not made yet;
    running it again changes nothing."""
    result = BillingRun(on=on, bills=0, lines=0, subscriptions=0, failed=0, total=Decimal(0))
    catalogue = Catalogue()
    every = Subscription.query_list(sort="id")
    first = Owners.of(every)
    # a subscription with nothing due (all of them, when a run is repeated) is neither
    # locked nor read again; under the lock, what is due is worked out again if the
    # subscription changed meanwhile
    known: dict[int, tuple[Life, list[DueBill]]] = {}
    for s in every:
        if (interval is None or catalogue.offer(s).interval == interval.value) and (
                s.billed_until is None or s.billed_until <= on):
            life = _life(s, catalogue.offer(s))
            due = due_bills(life, on)
            if due:
                known[s.id] = (life, due)
    wanted = list(known)
    for start in range(0, len(wanted), CHUNK):
        with transaction():
            _bill_chunk(wanted[start:start + CHUNK], on, catalogue, first, result, known)
    return result


@schedule("10 0 * * *")                  # 00:10 UTC: daily periods, and months on their day
@function(namespace="billing.Bill", atomic=False, timeout=3600)
def nightly_billing(due: dt.datetime) -> None:
    """The scheduled run: every bill due on the day `due` falls on (each chunk commits on
    its own, so a long run keeps what it made if it is interrupted)."""
    run_billing(due.date())


def _bill_chunk(ids: Sequence[int], on: dt.date, catalogue: Catalogue, first: Owners,
                result: BillingRun, known: dict[int, tuple[Life, list[DueBill]]]) -> None:
    subscriptions = Subscription.lock(ids)
    customers = {c.id: c for c in Customer.query_list(
        id__in=sorted({s.customer_id for s in subscriptions}))}
    pauses: dict[int, list[Pause]] = defaultdict(list)
    for pause in SubscriptionPause.query_list(subscription__in=list(ids)):
        pauses[pause.subscription_id].append(Pause(pause.paused_on, pause.resumed_on))
    discounts = _discounts_of(ids)
    jobs: list[_Job] = []
    for subscription in subscriptions:
        offer = catalogue.offer(subscription)
        life = _life(subscription, offer)
        before, due = known.get(subscription.id, (None, []))
        jobs.extend(_Job(subscription, offer, bill)
                    for bill in (due if life == before else due_bills(life, on)))
    usage = _usage_of(jobs, customers, catalogue)
    failed: set[int] = set()
    uses: dict[int, int] = defaultdict(int)       # per applied discount, bills of this run
    for job in jobs:
        if job.subscription.id in failed:
            continue
        given = [(applied, discount) for applied, discount in discounts[job.subscription.id]
                 if _applies(applied, discount, job.due.period, uses[applied.id])]
        try:
            job.draft = _price(job, customers, pauses, given, usage, catalogue, first)
            for applied, discount in given:
                uses[applied.id] += discount.id in job.draft.discounts_used
        except PricingError as error:
            failed.add(job.subscription.id)
            messages.warn(f"billing.Subscription {job.subscription.id} not billed: "
                          f"{error.message}", code=error.code, model="billing.Subscription")
    priced = [job for job in jobs if job.subscription.id not in failed]
    _write(priced, customers, on, result)
    result.failed += len(failed)


def _life(subscription: Any, offer: Offer) -> Life:
    return Life(subscription.starts_on, subscription.ends_on, subscription.anchor_day,
                offer.interval, offer.in_advance, subscription.billed_until)


def _discounts_of(ids: Sequence[int]) -> dict[int, list[tuple[Any, Any]]]:
    """Per subscription, its (applied discount, discount) pairs in the order given."""
    applied = AppliedDiscount.query_list(subscription__in=list(ids), sort="id")
    found = {d.id: d for d in Discount.query_list(
        id__in=sorted({a.discount_id for a in applied}))} if applied else {}
    given: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    for row in applied:
        given[row.subscription_id].append((row, found[row.discount_id]))
    return given


def _usage_of(jobs: Sequence[_Job], customers: dict[int, Any],
              catalogue: Catalogue) -> dict[tuple[dt.date, dt.date], dict[str, TenantUsage]]:
    """The usage of every window the jobs bill, per window and tenant. Read in layers, the
    n-th window of every tenant in the n-th, each tenant in its own window: one layer (a
    few statements) when each tenant is billed one period, whatever the windows."""
    windows: dict[tuple[str, dt.date, dt.date], list[_Job]] = defaultdict(list)
    for job in jobs:
        if job.due.usage is not None and job.offer.error is None:
            windows[(customers[job.subscription.customer_id].code, job.due.usage.start,
                     job.due.usage.end)].append(job)
    layers: list[dict[str, Period]] = []
    taken: dict[str, int] = defaultdict(int)
    for tenant, start, end in sorted(windows):
        if taken[tenant] == len(layers):
            layers.append({})
        layers[taken[tenant]][tenant] = Period(start, end)
        taken[tenant] += 1
    read: dict[tuple[dt.date, dt.date], dict[str, TenantUsage]] = defaultdict(dict)
    for layer in layers:
        listed = [job for tenant, window in layer.items()
                  for job in windows[(tenant, window.start, window.end)]]
        products = {c.product for job in listed for c in job.offer.period_charges} | \
            {q.product for job in listed for q in job.offer.quotas}
        wanted = {kind_prop for job in listed for kind_prop in job.offer.aggregations.values()}
        found = tenants_usage(layer, products, wanted)
        for tenant, window in layer.items():
            read[(window.start, window.end)][tenant] = found.get(tenant, TenantUsage())
    return read


def _price(job: _Job, customers: dict[int, Any], pauses: dict[int, list[Pause]],
           discounts: list[tuple[Any, Any]],
           usage: dict[tuple[dt.date, dt.date], dict[str, TenantUsage]],
           catalogue: Catalogue, first: Owners) -> BillDraft:
    subscription, offer, due = job.subscription, job.offer, job.due
    if offer.error is not None:
        raise offer.error
    customer = customers[subscription.customer_id]
    days = None
    if due.fee:
        trial_ends = subscription.trial_ends_on or (dt.date.fromordinal(
            subscription.starts_on.toordinal() + offer.trial_days) if offer.trial_days else None)
        # a stub first period is a share of the full period it lies in
        full = period_containing(offer.interval, anchor_for(subscription.starts_on,
                                                            subscription.anchor_day),
                                 due.period.start)
        days = billable_days(full, subscription.starts_on, subscription.ends_on,
                             pauses[subscription.id], trial_ends)
    window = due.usage
    tenant = TenantUsage() if window is None else \
        usage[(window.start, window.end)].get(customer.code, TenantUsage())
    def owns(plan: int | None) -> bool:
        """Whether this bill holds the window's usage of `plan`'s charges (see ownership)."""
        return window is not None and first.owner(subscription.customer_id, plan,
                                                  window.start, window.end) == subscription.id
    rated = {}
    for charge, (amount, quantity) in tenant.rated.items():
        currency, product, code, plan = catalogue.charges[charge]
        if (plan is None or plan == subscription.plan_id) and owns(plan):
            rated[charge] = (amount, quantity, currency, product, code)
    period_charges = [c for c in offer.period_charges if owns(catalogue.charges[c.charge][3])]
    aggregated = {c.charge: tenant.quantity(c.product, *offer.aggregations[c.charge])
                  for c in period_charges}
    used = {q.product: tenant.quantity(q.product, "SUM") for q in offer.quotas}
    given = [_terms(discount) for _, discount in discounts]
    terms = BillTerms(offer.currency, offer.code, subscription.site, offer.fee,
                      due.period if due.fee else None, days,
                      None if window is None else (window.start, window.end),
                      period_charges if window is not None else (), offer.quotas,
                      given, catalogue.products)
    return price_bill(terms, PeriodUsage(rated, aggregated if window else {}, used))


def _applies(applied: Any, discount: Any, period: Period, used_now: int) -> bool:
    """Whether a discount given to a subscription takes off its bill of `period`: valid
    then, and not used up (counting the bills made earlier in this run)."""
    if discount.valid_from is not None and period.start < discount.valid_from:
        return False
    if discount.valid_to is not None and period.start > discount.valid_to:
        return False
    used = applied.periods_used + used_now
    if discount.duration is DiscountDuration.ONCE:
        return used < 1
    if discount.duration is DiscountDuration.PERIODS:
        return used < (discount.periods or 0)
    return True


def _terms(discount: Any) -> DiscountTerms:
    kind = adjustments.FIXED if discount.kind is DiscountKind.FIXED else adjustments.PERCENT
    return DiscountTerms(discount.id, discount.code, kind, discount.value,
                         discount.scope.value, discount.scope_code)


def _write(jobs: Sequence[_Job], customers: dict[int, Any], on: dt.date,
           result: BillingRun) -> None:
    """One insert of the bills, one of their lines; billed_until, discount uses and the
    payers' arrears moved on; then the new bills posted where a ledger takes them."""
    if not jobs:
        return
    ids = Bill.insert_bulk([{
        "subscription": job.subscription.id, "customer": job.subscription.customer_id,
        "payer": job.subscription.payer_id or job.subscription.customer_id,
        "period_start": job.due.period.start, "period_end": job.due.period.end,
        "currency": job.offer.currency, "total": job.draft.total,
        "discount_total": job.draft.discount_total,
        "status": BillStatus.OPEN if job.draft.total else BillStatus.PAID,   # 0: nothing due
        "issued_on": on} for job in jobs], returning_ids=True)
    lines = [_line(bill, position, line)
             for bill, job in zip(ids, jobs)
             for position, line in enumerate(job.draft.lines, start=1)]
    BillLine.insert_bulk(lines)
    until: dict[dt.date, list[int]] = defaultdict(list)
    uses: dict[int, int] = defaultdict(int)
    arrears: dict[int, Decimal] = defaultdict(Decimal)
    applied = {(a.subscription_id, a.discount_id): a.id for a in AppliedDiscount.query_list(
        subscription__in=sorted({job.subscription.id for job in jobs}))}
    for job in jobs:
        until[job.due.period.end].append(job.subscription.id)
        for discount in job.draft.discounts_used:
            uses[applied[(job.subscription.id, discount)]] += 1
        arrears[job.subscription.payer_id or job.subscription.customer_id] += job.draft.total
    for day, subscription_ids in sorted(until.items()):
        Subscription.update_where({"id__in": sorted(subscription_ids)}, billed_until=day)
    if uses:
        AppliedDiscount.increment_batch({key: {"periods_used": n} for key, n in uses.items()})
    Customer.increment_batch({payer: {"arrears": owed} for payer, owed in arrears.items()
                              if owed})
    result.bills += len(ids)
    result.lines += len(lines)
    result.subscriptions += len({job.subscription.id for job in jobs})
    result.total += sum((job.draft.total for job in jobs), Decimal(0))
    post_bills(list(ids))
    control_credit(arrears)


def _line(bill: int, position: int, line: Any) -> dict[str, Any]:
    markup = line.markup
    return {"bill": bill, "position": position, "kind": LineKind(line.kind),
            "description": line.description[:256], "product": line.product,
            "charge": line.charge, "quantity": line.quantity, "unit_price": line.unit_price,
            "usage_start": line.usage_start, "usage_end": line.usage_end,
            "amount": line.amount, "discount": line.discount,
            "discount_amount": line.discount_amount, "net": line.net,
            "currency": line.currency, "fx_rate": line.fx_rate,
            "markup_kind": None if markup is None else
            ("FIXED" if markup.kind == adjustments.FIXED else "PERCENT"),
            "markup_value": None if markup is None else markup.value, "label": line.label}
