"""What a run's reads of usage cost and see: subscriptions whose usage windows all differ
are read with one statement for the rated lines and one for the events (not one per
window), each tenant's usage counted only in its own window; a customer with two
subscriptions on different windows has each bill priced from its own window; a window
holding more tenants than an RSQL list is read all the same."""
from __future__ import annotations

from decimal import Decimal

from modelry.boot import App
from modelry.modules.billing.bills import Bill
from modelry.modules.billing.ingestion import ingest
from modelry.modules.billing.periods import Period
from modelry.modules.billing.runs import run_billing
from modelry.modules.billing.subscribing import subscribe
from modelry.modules.billing.usage_reads import IN_LIST, tenants_usage
from tests.modules.billing.offers import make_offers, subscribed
from tests.modules.billing.test_runs import D, lines_of, usage
from tests.sql_capture import statements


def test_windows_that_all_differ_cost_one_read_each_of_lines_and_events(
        billing_app: App) -> None:
    make_offers(billing_app)
    days = [2, 5, 9, 14, 20, 27]
    subs = {day: subscribed(billing_app, f"t{day}", D(2026, 1, day), plan="pro",
                            anchor_day=1) for day in days}
    with billing_app.transaction():
        # each tenant: 10 seats and 2 messages the day before it starts (plan charges rate
        # only subscribers: the seats count, not rated), `day` seats and 3 messages after
        ingest([event for day in days for event in (
            usage(f"t{day}", f"b{day}", "seats", D(2026, 1, day - 1), 10),
            usage(f"t{day}", f"m{day}", "sms", D(2026, 1, day - 1), 2),
            usage(f"t{day}", f"a{day}", "seats", D(2026, 1, day), day),
            usage(f"t{day}", f"n{day}", "sms", D(2026, 1, 28), 3))])
    with billing_app.transaction(), statements(billing_app.engine) as seen:
        run = run_billing(D(2026, 2, 1))
    assert run.bills == len(days)
    assert sum("billing_rated_line" in sql for sql in seen) == 1
    assert sum("billing_usage_event" in sql for sql in seen) == 1
    with billing_app.transaction():
        for day, sub in subs.items():
            [bill] = Bill.query_list(subscription=sub.id)
            assert [line[1] for line in lines_of(bill)[1:]] == \
                ["pro-sms: 3", f"pro-seats: {day}"]


def test_two_subscriptions_of_one_customer_each_see_their_own_window(
        billing_app: App) -> None:
    make_offers(billing_app)
    first = subscribed(billing_app, "acme", D(2026, 1, 1), plan="pro")
    with billing_app.transaction():
        second = subscribe("acme", D(2026, 1, 20), plan="pro", anchor_day=1)
        ingest([usage("acme", "k1", "seats", D(2026, 1, 5), 40),
                usage("acme", "k2", "seats", D(2026, 1, 25), 12),
                usage("acme", "s1", "sms", D(2026, 1, 10), 100),
                usage("acme", "s2", "sms", D(2026, 1, 22), 20)])
        run_billing(D(2026, 2, 1))
    [whole] = Bill.query_list(subscription=first.id)
    [stub] = Bill.query_list(subscription=second.id)
    assert lines_of(whole) == [
        ("FEE", "Pro, 2026-01-01 to 2026-01-31", Decimal(30), 0, Decimal(30)),
        ("USAGE", "pro-sms: 120", Decimal("6.00"), 0, Decimal("6.00")),
        ("USAGE", "pro-seats: 40", Decimal("1.20"), 0, Decimal("1.20"))]
    # the plan's usage goes on the bill of the customer's lowest-id subscription to the
    # plan alive in the window (billing.ownership): the stub bills its fee only
    assert lines_of(stub)[1:] == []


def test_more_tenants_in_one_window_than_a_filter_list_holds(billing_app: App) -> None:
    offers = make_offers(billing_app)
    subscribed(billing_app, "acme", D(2026, 1, 1), plan="pro")
    with billing_app.transaction():
        ingest([usage("acme", "s1", "sms", D(2026, 1, 3), 100),
                usage("acme", "k1", "seats", D(2026, 1, 4), 7)])
    names = [f"t{n:04d}" for n in range(2 * IN_LIST)] + ["acme"]   # acme in the third list
    with billing_app.transaction(), statements(billing_app.engine) as seen:
        found = tenants_usage(dict.fromkeys(names, Period(D(2026, 1, 1), D(2026, 2, 1))),
                              [offers.seats.id], [("MAX", None)])
    assert len(seen) == 2
    assert [(amount, quantity) for amount, quantity in found["acme"].rated.values()] == \
        [(Decimal("5.00"), Decimal(100))]
    assert found["acme"].quantity(offers.seats.id, "MAX") == 7
