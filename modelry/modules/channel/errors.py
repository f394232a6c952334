"""Errors of the channel module's pure layer: each carries a stable code and names the amount
rule, route, party, rate or recharge order state it is about."""
from __future__ import annotations

from modelry import ModelryError

# Codes of ChannelError.
AMOUNT_INVALID = "AMOUNT_INVALID"            # a float, NaN, not > 0, finer than the currency
AMOUNT_RULE_INVALID = "AMOUNT_RULE_INVALID"  # not "30|50", "1-9999", "" or "*"; or not > 0
CURRENCY_UNKNOWN = "CURRENCY_UNKNOWN"        # not in money.MINOR_UNITS
PRECISION_EXCEEDED = "PRECISION_EXCEEDED"    # a price needs more than 60 significant digits
RATE_INVALID = "RATE_INVALID"                # a float, NaN, infinity or not > 0
TIERS_INVALID = "TIERS_INVALID"              # no merchant, a party twice, or not a Tier
PARTY_INVALID = "PARTY_INVALID"              # an empty code, or the reserved "platform"
ROUTE_INVALID = "ROUTE_INVALID"              # a field of the wrong type, or a weight not > 0
ROUTE_DUPLICATE = "ROUTE_DUPLICATE"          # one channel routed twice for the same product
ROUTING_RULE_UNKNOWN = "ROUTING_RULE_UNKNOWN"  # neither PRIORITY nor WEIGHTED
ROUTING_KEY_INVALID = "ROUTING_KEY_INVALID"  # not a non-empty str (the order number)
RECHARGE_ILLEGAL_TRANSITION = "RECHARGE_ILLEGAL_TRANSITION"  # the event cannot apply here
RECHARGE_STATE_UNKNOWN = "RECHARGE_STATE_UNKNOWN"
RECHARGE_EVENT_UNKNOWN = "RECHARGE_EVENT_UNKNOWN"

RECHARGE_MODEL = "channel.RechargeOrder"


class ChannelError(ModelryError):
    """A route, a fee snapshot or a recharge order's state cannot be what was asked; `code`
    says why."""

    code = "CHANNEL_ERROR"

    def __init__(self, code: str, message: str, *, model: str | None = None,
                 field: str | None = None) -> None:
        super().__init__(message, code=code, model=model, field=field)


class IllegalTransition(ChannelError):
    """`event` cannot move a recharge order from `state` to `target`; the message names all
    three."""

    code = RECHARGE_ILLEGAL_TRANSITION

    def __init__(self, state: str, event: str, target: str) -> None:
        super().__init__(RECHARGE_ILLEGAL_TRANSITION,
                         f"{RECHARGE_MODEL} cannot go from {state} to {target} "
                         f"(event {event!r} is not allowed in state {state})",
                         model=RECHARGE_MODEL, field="status")
        self.state = state
        self.event = event
        self.target = target
