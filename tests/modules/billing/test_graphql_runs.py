"""Billing's functions through GraphQL, with permissions: a billing clerk granted them
subscribes a customer, pauses and resumes, runs billing, simulates and records a
payment; without the grant each call is ACCESS_DENIED; the nightly run is scheduled and
a worker makes the bills it is due."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from modelry import directives
from modelry.boot import App
from modelry.core.security.identity import Identity
from modelry.core.tasks.scheduler import Scheduler
from modelry.modules.billing.bills import Bill
from modelry.modules.billing.runs import nightly_billing
from tests.functions.helpers import Client
from tests.modules.billing.offers import customer, make_offers, subscribed

SUBSCRIBE = """mutation { subscriptionMutation { subscribe(customer: "acme", plan: "pro",
  startsOn: "2026-01-01", anchorDay: 1) { id status startsOn } } }"""
PAUSE = """mutation($s: Long!) { subscriptionMutation {
  pause(subscription: $s, on: "2026-01-10") { status }
  resume(subscription: $s, on: "2026-01-10") { status } } }"""
RUN = """mutation { billMutation { runBilling(on: "2026-02-01") { bills lines failed total
} } }"""
SIMULATE = """query { billQuery { simulate(plan: "pro", periodStart: "2026-01-01",
  usage: [{product: "sms", quantity: "100", timestamp: "2026-01-02T10:00:00"}]) {
  kind description net currency } } }"""
PAY = """mutation { customerMutation { payBills(customer: "acme", amount: "30") {
  bills applied left arrears suspended } } }"""
CLERK_FUNCTIONS = [("billing.Subscription", "subscribe"), ("billing.Subscription", "pause"),
                   ("billing.Subscription", "resume"), ("billing.Bill", "runBilling"),
                   ("billing.Bill", "simulate"), ("billing.Customer", "payBills")]


@pytest.fixture
def clerk_app(make_app: Callable[..., App]) -> Iterator[App]:
    """billing with nothing granted to anyone; the offers and customer acme."""
    app = make_app(["billing"], grant_anonymous=False)
    with app.activate(), directives.backend_scope():
        make_offers(app)
        customer(app, "acme")
        yield app


def _clerk(app: App) -> Identity:
    roles = app.registry.model("base.Role").cls
    access = app.registry.model("base.FunctionAccess").cls
    with app.transaction():
        role = roles(code="clerk", name="Billing clerk").create()
        for namespace, fun in CLERK_FUNCTIONS:
            access(role=role.id, namespace=namespace, fun=fun).create()
    return Identity(user_id=None, login="clerk", roles=frozenset({"clerk"}))


def test_a_clerk_subscribes_bills_and_records_a_payment(clerk_app: App) -> None:
    clerk, client = _clerk(clerk_app), Client(clerk_app)
    made = client.gql(SUBSCRIBE, None, clerk).ok()["subscriptionMutation"]["subscribe"]
    assert (made["status"], made["startsOn"]) == ("ACTIVE", "2026-01-01")
    toggled = client.gql(PAUSE, {"s": made["id"]}, clerk).ok()["subscriptionMutation"]
    assert toggled == {"pause": {"status": "PAUSED"}, "resume": {"status": "ACTIVE"}}
    run = client.gql(RUN, None, clerk).ok()["billMutation"]["runBilling"]
    assert run == {"bills": 1, "lines": 1, "failed": 0, "total": "30.00"}
    again = client.gql(RUN, None, clerk).ok()["billMutation"]["runBilling"]
    assert again["bills"] == 0
    simulated = client.gql(SIMULATE, None, clerk).ok()["billQuery"]["simulate"]
    assert [(line["kind"], Decimal(line["net"])) for line in simulated] == \
        [("FEE", 30), ("USAGE", 5)]
    paid = client.gql(PAY, None, clerk).ok()["customerMutation"]["payBills"]
    assert {key: value if key == "suspended" else Decimal(value)
            for key, value in paid.items()} == \
        {"bills": 1, "applied": 30, "left": 0, "arrears": 0, "suspended": False}


@pytest.mark.parametrize("document", [SUBSCRIBE, RUN, SIMULATE, PAY])
def test_without_the_grant_each_call_is_refused(clerk_app: App, document: str) -> None:
    answer = Client(clerk_app).gql(document)
    assert answer.data is None and answer.codes == ["ACCESS_DENIED"]
    assert Bill.count() == 0


def test_the_nightly_run_is_scheduled_and_a_worker_bills(clerk_app: App) -> None:
    (scheduled,) = [s for s in clerk_app.registry.behaviours.schedules
                    if s.target is nightly_billing]
    assert scheduled.owner == "billing"
    today = dt.datetime.now(dt.timezone.utc).date()
    subscribed(clerk_app, "daily-user", today - dt.timedelta(days=3), plan="daily")
    Scheduler(clerk_app).tick()                      # first seen now: nothing due
    table = clerk_app.data.table(clerk_app.registry.model("base.Schedule"))
    with clerk_app.engine.begin() as connection:     # as if first seen two days ago
        connection.execute(sa.update(table).values(
            create_date=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
            - dt.timedelta(days=2)))
    assert Scheduler(clerk_app).tick() >= 1
    worker = clerk_app.tasks.worker()
    while worker.run_once():
        pass
    days = [b.period_start for b in Bill.query_list(sort="period_start")]
    assert days[0] == today - dt.timedelta(days=3) and len(days) >= 2
