"""Billing runs as property tests on every database: for random subscriptions (plans and a
package, monthly, daily and yearly, in arrears and in advance, anchor days, trials, ends,
pauses, payers, discounts) and random usage, running `run_billing` on a sequence of days
makes the same bills as running it once on the last day; running it again writes nothing;
each bill's total is the sum of its lines' nets; each payer's arrears is the sum of its
open bills; and a subscription has one bill per period."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelry.boot import App
from modelry.modules.billing.bills import Bill, BillLine, BillStatus
from modelry.modules.billing.catalogue import Charge
from modelry.modules.billing.discount_models import AppliedDiscount, Discount
from modelry.modules.billing.ingestion import ingest
from modelry.modules.billing.plans import Interval, PricePlan
from modelry.modules.billing.runs import run_billing
from modelry.modules.billing.subscribing import pause, resume, subscribe
from modelry.modules.billing.subscriptions import Customer, Subscription
from tests.conftest import _empty_tables
from tests.modules.billing.offers import customer, make_offers

ON_A_DATABASE = settings(max_examples=10, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                HealthCheck.too_slow])
D = dt.date
JAN_1 = D(2026, 1, 1)
CUSTOMERS = ("c0", "c1", "c2")
PLANS = ("pro", "starter", "daily", "ahead", "yearly")
PACKAGE = "data-10"
DISCOUNTS = ("HALF", "FIVE", "TENTH", "DATA")


# --- random scenarios -------------------------------------------------------------------

@dataclass(frozen=True)
class Subscribed:
    """One subscription of a scenario, and its pauses: (pause day, resume day or None)."""

    customer: str
    offer: str
    payer: str | None
    starts_on: dt.date
    ends_on: dt.date | None
    anchor_day: int | None
    site: str | None
    pauses: tuple[tuple[dt.date, dt.date | None], ...]
    discounts: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    subscriptions: tuple[Subscribed, ...]
    usage: tuple[dict[str, Any], ...]
    runs: tuple[tuple[dt.date, Interval | None], ...]     # days, and the interval billed


def day(low: int, high: int) -> st.SearchStrategy[dt.date]:
    """A day `low` to `high` days after 2026-01-01."""
    return st.integers(low, high).map(lambda n: JAN_1 + dt.timedelta(days=n))


@st.composite
def pauses(draw: st.DrawFn, starts_on: dt.date) -> tuple[tuple[dt.date, dt.date | None], ...]:
    """0 to 2 pauses after the start, one after the other; the last may stay open."""
    found: list[tuple[dt.date, dt.date | None]] = []
    after = starts_on
    for _ in range(draw(st.integers(0, 2))):
        paused = after + dt.timedelta(days=draw(st.integers(0, 40)))
        resumed = None if draw(st.integers(0, 4)) == 0 else \
            paused + dt.timedelta(days=draw(st.integers(0, 20)))
        found.append((paused, resumed))
        if resumed is None:
            break
        after = resumed
    return tuple(found)


@st.composite
def subscriptions(draw: st.DrawFn) -> Subscribed:
    """A customer's subscription to a plan or the package."""
    who = draw(st.sampled_from(CUSTOMERS))
    starts_on = draw(day(0, 90))
    ends = draw(st.one_of(st.none(), st.integers(1, 150)))
    return Subscribed(
        who, draw(st.sampled_from(PLANS + (PACKAGE, "pro", "ahead"))),
        draw(st.one_of(st.none(), st.sampled_from(CUSTOMERS))), starts_on,
        None if ends is None else starts_on + dt.timedelta(days=ends),
        draw(st.one_of(st.none(), st.integers(1, 31))),
        draw(st.sampled_from((None, "paris", "tokyo"))), draw(pauses(starts_on)),
        tuple(draw(st.lists(st.sampled_from(DISCOUNTS), unique=True, max_size=2))))


@st.composite
def events(draw: st.DrawFn, number: int, tenants: list[str]) -> dict[str, Any]:
    """A usage event of one of `tenants` in the first five months of 2026."""
    product = draw(st.sampled_from(("sms", "seats", "data")))
    quantity = draw(st.integers(0, 300) if product != "data"
                    else st.decimals("0", "20", places=1))
    moment = dt.datetime.combine(draw(day(0, 150)), dt.time(draw(st.integers(0, 23))))
    return dict(tenant=draw(st.sampled_from(tenants)), source="meter",
                event_id=f"e{number}", product=product, timestamp=moment,
                quantity=quantity)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """1 to 4 subscriptions, a customer's on different offers (usage names no site: two
    subscriptions of a customer to one offer would each bill all of it), usage of the
    subscribed customers, and 2 to 4 days to run on (each on one interval, or all)."""
    made = draw(st.lists(subscriptions(), min_size=1, max_size=4))
    unique = {(s.customer, s.offer): s for s in made}
    tenants = sorted({s.customer for s in made})
    usage = tuple(draw(events(number, tenants)) for number in range(draw(st.integers(0, 25))))
    days = sorted(draw(st.lists(day(0, 220), min_size=2, max_size=4)))
    intervals = st.one_of(st.none(), st.sampled_from(Interval))
    return Scenario(tuple(unique.values()), usage, tuple((on, draw(intervals)) for on in days))


# --- one scenario on the database ---------------------------------------------------------

def build(app: App, scenario: Scenario) -> list[int]:
    """Empty tables, the catalogue, the customers and the scenario's subscriptions (their
    ids in order), pauses and usage."""
    _empty_tables(app)
    make_offers(app)
    with app.transaction():
        ahead = PricePlan(code="ahead", name="Ahead", currency="EUR", interval="MONTHLY",
                          fee=Decimal("12.34"), trial_days=10, pay_in_advance=True).create()
        PricePlan(code="yearly", name="Yearly", currency="EUR", interval="YEARLY",
                  fee=Decimal("99.99"), pay_in_advance=True).create()
        sms = Charge.query_one(code="pro-sms")
        Charge(product=sms.product_id, plan=ahead.id, code="ahead-sms",
               charge_model="STANDARD", currency="EUR", unit_price=Decimal("0.007")).create()
        for code, kind, value, duration, scope, scope_code in [
                ("HALF", "PERCENT", 50, "ONCE", "ALL", None),
                ("FIVE", "FIXED", 5, "PERIODS", "PLAN", "pro"),
                ("TENTH", "PERCENT", Decimal("12.5"), "FOREVER", "SITE", "paris"),
                ("DATA", "FIXED", Decimal("3.5"), "FOREVER", "PLAN", PACKAGE)]:
            Discount(code=code, name=code.title(), kind=kind, value=value, duration=duration,
                     periods=2, scope=scope, scope_code=scope_code,
                     valid_from=D(2026, 2, 1) if code == "TENTH" else None,
                     valid_to=D(2026, 4, 30) if code == "TENTH" else None).create()
    for code in CUSTOMERS:
        customer(app, code)
    ids = []
    with app.transaction():
        discounts = {d.code: d.id for d in Discount.query_list()}
        for made in scenario.subscriptions:
            offer = {"package": made.offer} if made.offer == PACKAGE else {"plan": made.offer}
            found = subscribe(made.customer, made.starts_on, payer=made.payer,
                              anchor_day=made.anchor_day, site=made.site,
                              ends_on=made.ends_on, **offer)
            for paused, resumed in made.pauses:
                pause(found.id, paused)
                if resumed is not None:
                    resume(found.id, resumed)
            for code in made.discounts:
                AppliedDiscount(subscription=found.id, discount=discounts[code]).create()
            ids.append(found.id)
        if scenario.usage:
            assert all(r.code == "ok" for r in ingest(list(scenario.usage)))
    return ids


def bills_of(ids: list[int]) -> dict[tuple[int, dt.date], tuple[Any, ...]]:
    """Every bill, as a user sees it, by (subscription's place in the scenario, period
    start), with its lines."""
    place = {sub: number for number, sub in enumerate(ids)}
    codes = {c.id: c.code for c in Customer.query_list()}
    discounts = {d.id: d.code for d in Discount.query_list()}
    lines: dict[int, list[tuple[Any, ...]]] = {}
    for line in BillLine.query_list(sort="bill,position"):
        lines.setdefault(line.bill_id, []).append((
            line.position, line.kind, line.description, line.amount, line.discount_amount,
            line.net, line.currency, line.quantity, line.unit_price, line.usage_start,
            line.usage_end, line.fx_rate, line.markup_kind, line.markup_value, line.label,
            discounts.get(line.discount_id)))
    found = {}
    for bill in Bill.query_list():
        key = (place[bill.subscription_id], bill.period_start)
        assert key not in found, f"two bills of subscription {key[0]} for {key[1]}"
        found[key] = (bill.period_end, codes[bill.customer_id], codes[bill.payer_id],
                      bill.currency, bill.total, bill.discount_total, bill.status,
                      tuple(lines.get(bill.id, ())))
    return found


def state_of(ids: list[int]) -> tuple[Any, ...]:
    """What runs move on besides bills: billed_until and status per subscription, the
    discounts' uses and the customers' arrears."""
    place = {sub: number for number, sub in enumerate(ids)}
    discounts = {d.id: d.code for d in Discount.query_list()}
    return (sorted((place[s.id], s.billed_until, s.status) for s in Subscription.query_list()),
            sorted((place[a.subscription_id], discounts[a.discount_id], a.periods_used)
                   for a in AppliedDiscount.query_list()),
            sorted((c.code, c.arrears) for c in Customer.query_list()))


def written() -> list[tuple[Any, ...]]:
    """Every row runs write, with its write date and version."""
    return [(model.__name__, row.id, row.write_date, row.opt_version)
            for model in (Bill, BillLine, Subscription, Customer, AppliedDiscount)
            for row in model.query_list(sort="id")]


def check_money() -> None:
    """Each bill's total is the sum of its lines' nets, each payer's arrears the sum of
    its open bills' totals."""
    nets: Counter[int] = Counter()
    taken: Counter[int] = Counter()
    for line in BillLine.query_list():
        assert line.amount == line.net + line.discount_amount
        nets[line.bill_id] += line.net
        taken[line.bill_id] += line.discount_amount
    owed: Counter[int] = Counter()
    for bill in Bill.query_list():
        assert (bill.total, bill.discount_total) == (nets[bill.id], taken[bill.id])
        if bill.status is BillStatus.OPEN:
            owed[bill.payer_id] += bill.total
    for payer in Customer.query_list():
        assert payer.arrears == owed[payer.id], payer.code


@ON_A_DATABASE
@given(scenarios())
def test_runs_on_many_days_bill_as_one_run_on_the_last(billing_app: App,
                                                       scenario: Scenario) -> None:
    ids = build(billing_app, scenario)
    last = scenario.runs[-1][0]
    for on, interval in scenario.runs + ((last, None),):
        with billing_app.transaction():
            assert run_billing(on, interval).failed == 0
            check_money()
    with billing_app.transaction():
        step_by_step, moved, rows = bills_of(ids), state_of(ids), written()
    with billing_app.transaction():
        again = run_billing(last)
        assert (again.bills, again.lines, again.failed) == (0, 0, 0)
        assert (bills_of(ids), state_of(ids), written()) == (step_by_step, moved, rows)
    ids = build(billing_app, scenario)
    with billing_app.transaction():
        once = run_billing(last)
        assert (once.bills, once.lines, once.failed) == (
            len(step_by_step), sum(len(bill[-1]) for bill in step_by_step.values()), 0)
        assert (bills_of(ids), state_of(ids)) == (step_by_step, moved)
        check_money()
