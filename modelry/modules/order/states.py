"""The order state machine, declared as data, and `transition`, a pure function of it.

States: CREATED → PENDING → PAID / FAILED / CLOSED; PAID → PARTIALLY_REFUNDED → REFUNDED.
A partly refunded order is its own state, PARTIALLY_REFUNDED (not PAID with a refunded
amount), so that "is anything left to refund?" and "was it paid?" are both readable from the
status alone; the refunded amount itself lives on the order (see `callbacks.refund_check`).

Each event has one target state. From a state an event is **applied** (the order moves to
the target), a **no-op** (the order already is there or past it: a duplicate or out-of-order
message; nothing changes and no error is raised, so a provider that retries a callback gets
an acknowledgement), or **illegal** (an `IllegalTransition`, code ORDER_ILLEGAL_TRANSITION,
naming both states and the event).

=================== ======== ======== ======== ======== ================ ========
state \\ event        submit   pay      fail     close    refund_partial   refund
=================== ======== ======== ======== ======== ================ ========
CREATED              PENDING  PAID     FAILED   CLOSED   illegal          illegal
PENDING              no-op    PAID     FAILED   CLOSED   illegal          illegal
PAID                 no-op    no-op    no-op    illegal  PART._REFUNDED   REFUNDED
PARTIALLY_REFUNDED   no-op    no-op    no-op    illegal  PART._REFUNDED   REFUNDED
REFUNDED             no-op    no-op    no-op    illegal  illegal          no-op
FAILED               PENDING  PAID     no-op    CLOSED   illegal          illegal
CLOSED               illegal  illegal  no-op    no-op    illegal          illegal
=================== ======== ======== ======== ======== ================ ========

Why:

- `submit` (a payment attempt starts) is the only way into PENDING, and it is a no-op once
  the order is paid: a `pending` that arrives after `paid` never moves it back. A failed
  order may be submitted again (the customer retries); a closed one may not.
- `pay` applies from CREATED (the provider's `paid` overtook our own `submit`) and from
  FAILED (a late success: the provider holds the money, so it wins over an earlier
  failure; the janitor re-queries FAILED orders as well as pending ones, see
  `PAYABLE_STATES`). On a paid or refunded order it is a no-op: a second `paid` never pays
  twice.
  On CLOSED it is illegal: money arrived for an order nobody will deliver, which an operator
  must refund; the janitor queries the provider before it closes, so this is rare.
- `fail` never undoes a payment: on a paid, refunded or closed order it is a stale no-op.
- `close` applies only to unpaid orders; a paid order is refunded, not closed.
- `refund_partial` and `refund` (the last part, or all at once) apply to paid orders;
  `callbacks.refund_check` says which one a refund amount is. PARTIALLY_REFUNDED →
  PARTIALLY_REFUNDED is an applied transition (another part), not a no-op. Telling
  duplicate refund *messages* apart is the provider event id's job (a unique constraint),
  not the state machine's.
"""
from __future__ import annotations

from dataclasses import dataclass

from modelry.modules.order import errors
from modelry.modules.order.errors import IllegalTransition, OrderError

CREATED = "CREATED"
PENDING = "PENDING"
PAID = "PAID"
PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
REFUNDED = "REFUNDED"
FAILED = "FAILED"
CLOSED = "CLOSED"

STATES: tuple[str, ...] = (CREATED, PENDING, PAID, PARTIALLY_REFUNDED, REFUNDED, FAILED,
                           CLOSED)
INITIAL = CREATED
# The states in which the order's money has been received (and refunds may apply).
PAID_STATES = frozenset({PAID, PARTIALLY_REFUNDED, REFUNDED})
# The states in which a payment can still arrive (`pay` applies): the janitor re-queries
# the provider for orders in these, FAILED included, since a failed payment may be retried
# at the provider and its `paid` callback lost.
PAYABLE_STATES = frozenset({CREATED, PENDING, FAILED})

SUBMIT = "submit"
PAY = "pay"
FAIL = "fail"
CLOSE = "close"
REFUND_PARTIAL = "refund_partial"
REFUND = "refund"

# Outcomes of a transition.
APPLIED = "applied"        # the order moves to the event's target
DUPLICATE = "duplicate"    # no-op: the order already is in the target state
STALE = "stale"            # no-op: the order is past the target (an out-of-order message)


@dataclass(frozen=True)
class EventRule:
    """One event of the machine: its target, the states it applies from, and the states
    where it is a no-op. Every other state makes it illegal."""

    name: str
    target: str
    applies_from: frozenset[str]
    no_op_in: frozenset[str]


def _rule(name: str, target: str, applies_from: set[str], no_op_in: set[str]) -> EventRule:
    return EventRule(name, target, frozenset(applies_from), frozenset(no_op_in))


EVENTS: dict[str, EventRule] = {rule.name: rule for rule in (
    _rule(SUBMIT, PENDING, {CREATED, FAILED}, {PENDING} | PAID_STATES),
    _rule(PAY, PAID, set(PAYABLE_STATES), set(PAID_STATES)),
    _rule(FAIL, FAILED, {CREATED, PENDING}, {FAILED, CLOSED} | PAID_STATES),
    _rule(CLOSE, CLOSED, {CREATED, PENDING, FAILED}, {CLOSED}),
    _rule(REFUND_PARTIAL, PARTIALLY_REFUNDED, {PAID, PARTIALLY_REFUNDED}, set()),
    _rule(REFUND, REFUNDED, {PAID, PARTIALLY_REFUNDED}, {REFUNDED}),
)}


@dataclass(frozen=True)
class Transition:
    """What `event` does to an order in `before`: `after` is the state it ends in, and
    `outcome` is APPLIED, DUPLICATE or STALE (the last two change nothing)."""

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
    forbids it, OrderError for an unknown state or event."""
    if state not in STATES:
        raise OrderError(errors.ORDER_STATE_UNKNOWN,
                         f"order.Order has no state {state!r} (states: {', '.join(STATES)})",
                         field="status")
    try:
        rule = EVENTS[event]
    except KeyError:
        raise OrderError(errors.ORDER_EVENT_UNKNOWN,
                         f"order.Order has no event {event!r} "
                         f"(events: {', '.join(EVENTS)})") from None
    if state in rule.applies_from:
        return Transition(state, event, rule.target, APPLIED)
    if state in rule.no_op_in:
        return Transition(state, event, state, DUPLICATE if state == rule.target else STALE)
    raise IllegalTransition(state, event, rule.target)
