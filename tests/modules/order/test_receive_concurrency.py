"""8 threads deliver the same and different callbacks for one order at once: the order is
paid once, refunded within what was paid, each event recorded once with one answer that
every delivery gets, and one status log row per applied transition."""
from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from modelry.boot import App
from modelry.modules.order.models import Callback, Order, OrderStatus, StatusLog
from tests.modules.order.conftest import REFERENCE, answer_of, configure
from tests.modules.order.threads import deliver_all, payments, refunds
from tests.threads import THREADS



def test_eight_threads_pay_once_and_refund_within_what_was_paid(
        make_app: Callable[..., App]) -> None:
    app = make_app(["order"], pool_size=THREADS + 2, pool_pre_ping=False)
    with app.activate():
        configure(app)
    paid, refunded = payments(), refunds()
    paying = [a for thread in deliver_all(app, paid) for a in thread]
    with app.activate():
        order = Order.query_one(reference=REFERENCE)
        assert order.status is OrderStatus.PAID
        _assert_one_answer_per_event(paying, len(paid))
        logs = StatusLog.query_list(sort="id")
        assert [log.to_state for log in logs].count(OrderStatus.PAID) == 1
    refunding = [a for thread in deliver_all(app, refunded) for a in thread]
    with app.activate():
        order = Order.query_one(reference=REFERENCE)
        assert (order.status, order.refunded) == (OrderStatus.PARTIALLY_REFUNDED,
                                                  Decimal("10.00"))
        _assert_one_answer_per_event(refunding, len(refunded))
        assert {a.outcome for _, a in refunding} == {"applied"}
        logs = StatusLog.query_list(sort="id")
        applied = [a for _, a in paying + refunding
                   if a.outcome == "applied" and not a.redelivered]
        assert len(logs) == len(applied) == len({a.callback for a in applied})
        assert sorted(log.callback_id for log in logs) == sorted(a.callback for a in applied)
        # the log is one chain of transitions from CREATED
        assert logs[0].from_state is OrderStatus.CREATED
        assert all(after.from_state == before.to_state for before, after in zip(logs, logs[1:]))
        assert Callback.count() == len(paid) + len(refunded)


def _assert_one_answer_per_event(answers: list[tuple[int, Any]], events: int) -> None:
    """Every delivery of an event got the answer of the one delivery that recorded it."""
    by_event: dict[int, set[tuple[Any, ...]]] = {}
    for index, answer in answers:
        by_event.setdefault(index, set()).add(answer_of(answer))
    assert len(by_event) == events and all(len(seen) == 1 for seen in by_event.values())
    firsts = [index for index, answer in answers if not answer.redelivered]
    assert sorted(firsts) == list(range(events))
    assert {answer.code for _, answer in answers} == {"ok"}
