"""The seeded fault scheduler (see `faults`): 1,000 orders through duplicated, delayed,
reordered, dropped and forged callbacks, merchant closes and janitor runs. No order is paid
twice, none is left open that the provider says is settled, the order's status agrees with
the provider's after the janitor, refunds stay within what was paid, and every applied
transition is in the status log. A failure names its seed."""
from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelry.modules.order import errors, states
from modelry.modules.order.states import transition
from tests.modules.order.faults import FaultScheduler, OrderBook

SEEDS = range(10)
ORDERS_PER_SEED = 100
# The order's status each provider status must end in, once the janitor has run.
AGREES = {"paid": states.PAID_STATES, "failed": {states.FAILED},
          "closed": {states.CLOSED}, "pending": {states.PENDING}}


def check_invariants(scheduler: FaultScheduler, book: OrderBook) -> None:
    """Every invariant of the run; an AssertionError names the order."""
    applied = 0
    for reference, record in book.orders.items():
        remote = scheduler.provider.query(reference)
        where = f"order {reference} ({record.state}, provider {remote.status})"
        pays = [step for step in record.log if step.event == states.PAY]
        assert record.credits == len(pays) <= 1, f"{where} paid {record.credits} times"
        assert record.state in AGREES[remote.status], f"{where}: disagrees after the janitor"
        assert record.credits == (remote.status == "paid"), f"{where}: credits {record.credits}"
        # the status log replays to the state, one declared transition at a time
        state = states.INITIAL
        for step in record.log:
            assert step == transition(state, step.event) and step.applied, f"{where}: {step}"
            assert not (state in states.PAID_STATES and step.after not in states.PAID_STATES)
            state = step.after
        assert state == record.state, f"{where}: the log ends in {state}"
        applied += len(record.log)
        # refunds: each part once, within what the provider refunded and what was paid
        parts = [event.amount for event in record.refund_events]
        assert len({event.event_id for event in record.refund_events}) == len(parts)
        assert record.refunded == sum(parts, Decimal(0)) <= remote.refunded <= record.amount
        if record.state in states.PAID_STATES:
            expected = (states.PAID if not record.refunded else states.REFUNDED
                        if record.refunded == record.amount else states.PARTIALLY_REFUNDED)
            assert record.state == expected, f"{where}: refunded {record.refunded}"
    assert applied == book.applied, "an applied transition is missing from a status log"
    for code, count in scheduler.expected_rejections.items():
        assert book.rejections[code] >= count, code


def run(seed: int, orders: int) -> tuple[FaultScheduler, OrderBook]:
    """Run the scheduler for `seed` and check every invariant, naming the seed on failure."""
    scheduler = FaultScheduler(seed, orders)
    try:
        book = scheduler.run()
        check_invariants(scheduler, book)
    except AssertionError as exc:
        raise AssertionError(f"fault scheduler seed {seed} ({orders} orders): {exc}") from exc
    return scheduler, book


def test_fixed_seeds_1000_orders() -> None:
    totals: Counter[str] = Counter()
    rejections: Counter[str] = Counter()
    for seed in SEEDS:
        _, book = run(seed, ORDERS_PER_SEED)
        totals.update(book.stats)
        rejections.update(book.rejections)
        totals["paid"] += sum(o.state in states.PAID_STATES for o in book.orders.values())
        totals["refunded in part"] += sum(o.state == states.PARTIALLY_REFUNDED
                                          for o in book.orders.values())
        totals["refunded"] += sum(o.state == states.REFUNDED for o in book.orders.values())
    # the faults really happened, so the invariants above were put to the test
    for fault in ("dropped", "duplicate event id", "reordered", "signature expired in transit",
                  "janitor settled", "close settled", "no-op duplicate", "no-op stale",
                  "provider refused pay", "paid", "refunded in part", "refunded"):
        assert totals[fault] > 0, (fault, totals)
    for code in (errors.CALLBACK_BAD_SIGNATURE, errors.CALLBACK_AMOUNT_MISMATCH,
                 errors.CALLBACK_CURRENCY_MISMATCH, errors.CALLBACK_UNKNOWN_ORDER,
                 errors.REFUND_EXCEEDS_PAID, errors.ORDER_ILLEGAL_TRANSITION):
        assert rejections[code] > 0, (code, rejections)


def test_same_seed_same_run() -> None:
    first, second = run(3, 30)[1], run(3, 30)[1]
    assert [(o.state, o.refunded, o.log) for o in first.orders.values()] == [
        (o.state, o.refunded, o.log) for o in second.orders.values()]


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(min_value=10, max_value=2**32))
def test_any_seed(seed: int) -> None:
    run(seed, 30)


@pytest.mark.parametrize("seed", [0, 1])
def test_without_the_janitor_paid_orders_can_stay_open(seed: int) -> None:
    """The janitor is needed: with dropped callbacks some paid orders stay pending until it
    runs (so the agreement above is its work, not luck)."""
    scheduler = FaultScheduler(seed, ORDERS_PER_SEED)
    scheduler.janitor = lambda age: None            # type: ignore[method-assign]
    book = scheduler.run()
    stuck = [ref for ref, record in book.orders.items()
             if record.state in states.PAYABLE_STATES
             and scheduler.provider.query(ref).status == "paid"]
    assert stuck, f"seed {seed}"
