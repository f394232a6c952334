"""The order state machine, state by event: every cell of the declared table, and what an
illegal transition says."""
from __future__ import annotations

import pytest

from modelry.modules.order import errors, states
from modelry.modules.order.errors import IllegalTransition, OrderError
from modelry.modules.order.states import transition

# The table of the `states` docstring, written out again: a target state (applied),
# "dup" (no-op, already there), "stale" (no-op, already past it) or "ILLEGAL".
EVENTS = ("submit", "pay", "fail", "close", "refund_partial", "refund")
TABLE = {
    "CREATED":            ("PENDING", "PAID", "FAILED", "CLOSED", "ILLEGAL", "ILLEGAL"),
    "PENDING":            ("dup", "PAID", "FAILED", "CLOSED", "ILLEGAL", "ILLEGAL"),
    "PAID":               ("stale", "dup", "stale", "ILLEGAL", "PARTIALLY_REFUNDED",
                           "REFUNDED"),
    "PARTIALLY_REFUNDED": ("stale", "stale", "stale", "ILLEGAL", "PARTIALLY_REFUNDED",
                           "REFUNDED"),
    "REFUNDED":           ("stale", "stale", "stale", "ILLEGAL", "ILLEGAL", "dup"),
    "FAILED":             ("PENDING", "PAID", "dup", "CLOSED", "ILLEGAL", "ILLEGAL"),
    "CLOSED":             ("ILLEGAL", "ILLEGAL", "stale", "dup", "ILLEGAL", "ILLEGAL"),
}
TARGETS = dict(zip(EVENTS, ("PENDING", "PAID", "FAILED", "CLOSED", "PARTIALLY_REFUNDED",
                            "REFUNDED"), strict=True))
CELLS = [(state, event, expected) for state, row in TABLE.items()
         for event, expected in zip(EVENTS, row, strict=True)]


def test_the_table_covers_every_state_and_event() -> None:
    assert set(TABLE) == set(states.STATES)
    assert set(EVENTS) == set(states.EVENTS)
    assert len(CELLS) == 42


@pytest.mark.parametrize(("state", "event", "expected"), CELLS,
                         ids=[f"{s}-{e}" for s, e, _ in CELLS])
def test_cell(state: str, event: str, expected: str) -> None:
    if expected == "ILLEGAL":
        with pytest.raises(IllegalTransition) as caught:
            transition(state, event)
        error = caught.value
        assert (error.code, error.state, error.event, error.target) == (
            errors.ORDER_ILLEGAL_TRANSITION, state, event, TARGETS[event])
        assert error.model == "order.Order"
        assert str(error) == (f"order.Order cannot go from {state} to {TARGETS[event]} "
                              f"(event {event!r} is not allowed in state {state})")
        return
    result = transition(state, event)
    assert (result.before, result.event) == (state, event)
    if expected in ("dup", "stale"):
        assert result.after == state
        assert result.outcome == {"dup": states.DUPLICATE, "stale": states.STALE}[expected]
        assert not result.applied
    else:
        assert (result.after, result.outcome, result.applied) == (expected, states.APPLIED,
                                                                  True)


def test_paid_never_goes_back() -> None:
    for event in states.EVENTS:
        for state in states.PAID_STATES:
            try:
                after = transition(state, event).after
            except IllegalTransition:
                continue
            assert after in states.PAID_STATES, (state, event, after)


def test_a_second_paid_and_a_late_pending_are_no_ops() -> None:
    paid = transition(transition("PENDING", "pay").after, "pay")
    assert (paid.after, paid.outcome) == ("PAID", states.DUPLICATE)
    late = transition("PAID", "submit")
    assert (late.after, late.outcome) == ("PAID", states.STALE)


@pytest.mark.parametrize(("state", "event", "code"), [
    ("SHIPPED", "pay", errors.ORDER_STATE_UNKNOWN),
    ("PAID", "ship", errors.ORDER_EVENT_UNKNOWN),
])
def test_unknown_state_or_event(state: str, event: str, code: str) -> None:
    with pytest.raises(OrderError) as caught:
        transition(state, event)
    assert caught.value.code == code
    assert repr(state if code == errors.ORDER_STATE_UNKNOWN else event) in str(caught.value)


def test_the_docstring_table_is_the_declared_table() -> None:
    doc = (states.__doc__ or "").splitlines()
    rules = [number for number, line in enumerate(doc) if line.startswith("=====")]
    rows = [line.split() for line in doc[rules[1] + 1:rules[2]]]
    spelled = {"PART._REFUNDED": "PARTIALLY_REFUNDED", "illegal": "ILLEGAL"}
    documented = {row[0]: tuple(spelled.get(cell, cell) for cell in row[1:]) for row in rows}
    assert documented == {state: tuple("no-op" if cell in ("dup", "stale") else cell
                                       for cell in row) for state, row in TABLE.items()}
