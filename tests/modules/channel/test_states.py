"""The recharge order's state machine, state by event: every cell of the declared table, what
an illegal transition says, and that no sequence of events charges an order twice."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelry.modules.channel import errors, states
from modelry.modules.channel.errors import ChannelError, IllegalTransition
from modelry.modules.channel.states import transition

# The table of the `states` docstring, written out again: a target state (applied),
# "dup" (no-op, already there), "stale" (no-op, already past it) or "ILLEGAL".
EVENTS = ("submitted", "rerouted", "succeeded", "failed", "refunded")
TABLE = {
    "CREATED":   ("SUBMITTED", "ILLEGAL", "ILLEGAL", "FAILED", "ILLEGAL"),
    "SUBMITTED": ("dup", "SUBMITTED", "SUCCEEDED", "FAILED", "ILLEGAL"),
    "SUCCEEDED": ("stale", "stale", "dup", "stale", "REFUNDED"),
    "FAILED":    ("stale", "stale", "ILLEGAL", "dup", "ILLEGAL"),
    "REFUNDED":  ("stale", "stale", "stale", "stale", "dup"),
}
TARGETS = dict(zip(EVENTS, ("SUBMITTED", "SUBMITTED", "SUCCEEDED", "FAILED", "REFUNDED"),
                   strict=True))
CELLS = [(state, event, expected) for state, row in TABLE.items()
         for event, expected in zip(EVENTS, row, strict=True)]


def test_the_table_covers_every_state_and_event() -> None:
    assert set(TABLE) == set(states.STATES) == set(states.TABLE)
    assert EVENTS == states.EVENTS
    assert TARGETS == states.TARGETS
    assert len(CELLS) == 25
    assert states.INITIAL == "CREATED"


@pytest.mark.parametrize(("state", "event", "expected"), CELLS,
                         ids=[f"{s}-{e}" for s, e, _ in CELLS])
def test_cell(state: str, event: str, expected: str) -> None:
    if expected == "ILLEGAL":
        with pytest.raises(IllegalTransition) as caught:
            transition(state, event)
        error = caught.value
        assert (error.code, error.state, error.event, error.target) == (
            errors.RECHARGE_ILLEGAL_TRANSITION, state, event, TARGETS[event])
        assert (error.model, error.field) == ("channel.RechargeOrder", "status")
        assert str(error) == (f"channel.RechargeOrder cannot go from {state} to "
                              f"{TARGETS[event]} (event {event!r} is not allowed in state "
                              f"{state})")
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


def test_a_late_success_after_a_failure_is_illegal() -> None:
    # The order failed over every channel and its hold was voided; a supplier's success now
    # must not charge the merchant: an operator settles it with the supplier.
    with pytest.raises(IllegalTransition) as caught:
        transition("FAILED", "succeeded")
    assert "cannot go from FAILED to SUCCEEDED" in str(caught.value)


def test_a_reroute_is_an_applied_transition_to_the_same_state() -> None:
    result = transition("SUBMITTED", "rerouted")
    assert (result.after, result.applied) == ("SUBMITTED", True)


@pytest.mark.parametrize(("state", "event", "code"), [
    ("PAID", "succeeded", errors.RECHARGE_STATE_UNKNOWN),
    ("created", "succeeded", errors.RECHARGE_STATE_UNKNOWN),
    ("SUBMITTED", "pay", errors.RECHARGE_EVENT_UNKNOWN),
    ("SUBMITTED", "SUCCEEDED", errors.RECHARGE_EVENT_UNKNOWN)])
def test_unknown_states_and_events_are_refused_by_name(state: str, event: str,
                                                       code: str) -> None:
    with pytest.raises(ChannelError) as caught:
        transition(state, event)
    assert caught.value.code == code
    assert repr(state if code == errors.RECHARGE_STATE_UNKNOWN else event) in str(caught.value)


@given(st.lists(st.sampled_from(EVENTS), max_size=30))
def test_no_sequence_of_events_charges_twice_or_leaves_a_final_state(
        events: list[str]) -> None:
    # Whatever arrives, in whatever order and however often: the order succeeds at most
    # once, is refunded at most once, never succeeds after failing, and never leaves
    # FAILED or REFUNDED.
    state, entered = states.INITIAL, []
    for event in events:
        try:
            result = transition(state, event)
        except IllegalTransition:
            continue
        if result.applied and result.after != state:
            entered.append(result.after)
        if state in ("FAILED", "REFUNDED"):
            assert result.after == state
        state = result.after
    assert entered.count("SUCCEEDED") <= 1 and entered.count("REFUNDED") <= 1
    assert not ("FAILED" in entered and "SUCCEEDED" in entered)
    assert "REFUNDED" not in entered or entered.index("SUCCEEDED") < entered.index("REFUNDED")
    assert set(entered) <= set(states.STATES) - {"CREATED"}
