"""The recharge order's state machine, declared as data, and `transition`, a pure function of
it.

States: CREATED → SUBMITTED → SUCCEEDED / FAILED; SUCCEEDED → REFUNDED; CREATED → FAILED
(no channel takes the amount, or the merchant's funds do not cover it).

Each cell of the table is what an event does to an order in a state: it is **applied** (the
order moves to the state named), a **no-op** (`dup`: the order already is there; `stale`:
the order is past it, an out-of-order or re-run message; nothing changes and no error is
raised, so a retried task or a supplier's second callback gets an acknowledgement), or
**illegal** (an `IllegalTransition`, code RECHARGE_ILLEGAL_TRANSITION, naming both states and
the event).

=========== =========== =========== =========== ========= ==========
state        submitted   rerouted    succeeded   failed    refunded
=========== =========== =========== =========== ========= ==========
CREATED      SUBMITTED   illegal     illegal     FAILED    illegal
SUBMITTED    dup         SUBMITTED   SUCCEEDED   FAILED    illegal
SUCCEEDED    stale       stale       dup         stale     REFUNDED
FAILED       stale       stale       illegal     dup       illegal
REFUNDED     stale       stale       stale       stale     dup
=========== =========== =========== =========== ========= ==========

Why:

- `submitted` is recorded before the supplier is called, so a supplier's success can never
  overtake it: `succeeded` on a CREATED order is illegal (nothing was sent to anyone).
- `rerouted` is a retry over the next channel (`routing.next_route`) after a channel failed:
  SUBMITTED → SUBMITTED is an *applied* transition (another attempt is logged), not a no-op.
  It needs an earlier attempt, so it is illegal on CREATED. `failed` is for when no channel
  is left (or none could take the order at all): the merchant's hold is voided.
- **A supplier's success after we failed the order is illegal, not applied.** Once an order
  is FAILED its hold has been voided and the merchant told; it may have been ordered again.
  Applying a late success would charge the merchant a second time for one recharge, or
  charge without a hold. The IllegalTransition is the signal for an operator: the supplier
  delivered what we did not sell, and is asked to reverse it (or the operator completes a
  new order by hand). The fulfilment side avoids this by asking a channel (re-query) before
  it reroutes or fails: a timeout is not a failure until a query says so.
- `failed` never undoes a success: on SUCCEEDED or REFUNDED it is a stale no-op (a late
  failure report of an earlier attempt, or a supplier contradicting itself; the success,
  charged and shared, stands, and an operator refunds if it must).
- `submitted` and `rerouted` on a final state are stale no-ops: a re-run fulfilment task
  must see `applied` false and send nothing.
- `refunded` applies only to a succeeded order (only it has been charged); a second
  `refunded` is a no-op, so a refund is never paid out twice.
"""
from __future__ import annotations

from dataclasses import dataclass

from modelry.modules.channel import errors
from modelry.modules.channel.errors import ChannelError, IllegalTransition

CREATED = "CREATED"
SUBMITTED = "SUBMITTED"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
REFUNDED = "REFUNDED"

STATES: tuple[str, ...] = (CREATED, SUBMITTED, SUCCEEDED, FAILED, REFUNDED)
INITIAL = CREATED
# The states the merchant is notified of; no event moves an order out of FAILED or REFUNDED.
FINAL_STATES = frozenset({SUCCEEDED, FAILED, REFUNDED})
# The state in which a supplier is working on the order: re-queried when it stays too long.
IN_FLIGHT_STATES = frozenset({SUBMITTED})

# Events, named for what happened.
SUBMITTED_EVENT = "submitted"
REROUTED = "rerouted"
SUCCEEDED_EVENT = "succeeded"
FAILED_EVENT = "failed"
REFUNDED_EVENT = "refunded"

# The state each event moves an order to when it applies.
TARGETS: dict[str, str] = {SUBMITTED_EVENT: SUBMITTED, REROUTED: SUBMITTED,
                           SUCCEEDED_EVENT: SUCCEEDED, FAILED_EVENT: FAILED,
                           REFUNDED_EVENT: REFUNDED}
EVENTS: tuple[str, ...] = tuple(TARGETS)

# Outcomes of a transition.
APPLIED = "applied"        # the order moves to the event's target (perhaps its own state)
DUPLICATE = "duplicate"    # no-op: the order already is in the target state
STALE = "stale"            # no-op: the order is past the target (an out-of-order message)
ILLEGAL = "illegal"

# The table of the docstring, row by row in the order of EVENTS: a state means applied.
TABLE: dict[str, tuple[str, ...]] = {
    CREATED:   (SUBMITTED, ILLEGAL, ILLEGAL, FAILED, ILLEGAL),
    SUBMITTED: (DUPLICATE, SUBMITTED, SUCCEEDED, FAILED, ILLEGAL),
    SUCCEEDED: (STALE, STALE, DUPLICATE, STALE, REFUNDED),
    FAILED:    (STALE, STALE, ILLEGAL, DUPLICATE, ILLEGAL),
    REFUNDED:  (STALE, STALE, STALE, STALE, DUPLICATE),
}


# The same shape as order's Transition, not imported from it: importing anything of
# `modelry.modules.order` declares the order module, which channel does not depend on.
@dataclass(frozen=True)
class Transition:
    """What `event` does to a recharge order in `before`: it ends in `after`, and `outcome`
    is APPLIED, DUPLICATE or STALE (the last two change nothing)."""

    before: str
    event: str
    after: str
    outcome: str

    @property
    def applied(self) -> bool:
        """Whether the transition is to be carried out (and logged)."""
        return self.outcome == APPLIED


def transition(state: str, event: str) -> Transition:
    """The transition `event` makes from `state`; raises IllegalTransition when the table
    forbids it, ChannelError for an unknown state or event."""
    if state not in TABLE:
        raise ChannelError(errors.RECHARGE_STATE_UNKNOWN,
                           f"{errors.RECHARGE_MODEL} has no state {state!r} "
                           f"(states: {', '.join(STATES)})", model=errors.RECHARGE_MODEL,
                           field="status")
    if event not in TARGETS:
        raise ChannelError(errors.RECHARGE_EVENT_UNKNOWN,
                           f"{errors.RECHARGE_MODEL} has no event {event!r} "
                           f"(events: {', '.join(EVENTS)})", model=errors.RECHARGE_MODEL)
    cell = TABLE[state][EVENTS.index(event)]
    if cell == ILLEGAL:
        raise IllegalTransition(state, event, TARGETS[event])
    if cell in (DUPLICATE, STALE):
        return Transition(state, event, state, cell)
    return Transition(state, event, cell, APPLIED)
