"""Errors of the order module's pure layer: each carries a stable code and names the order
state, event or amount it is about."""
from __future__ import annotations

from modelry import ModelryError

# Codes of OrderError.
ORDER_ILLEGAL_TRANSITION = "ORDER_ILLEGAL_TRANSITION"  # the event cannot apply in this state
ORDER_STATE_UNKNOWN = "ORDER_STATE_UNKNOWN"
ORDER_EVENT_UNKNOWN = "ORDER_EVENT_UNKNOWN"
REFUND_EXCEEDS_PAID = "REFUND_EXCEEDS_PAID"          # past what was paid, less refunds
REFUND_AMOUNT_INVALID = "REFUND_AMOUNT_INVALID"      # not a positive Decimal

# Codes of a rejected callback (callbacks.CallbackDecision.code) and of ProviderError.
CALLBACK_BAD_SIGNATURE = "CALLBACK_BAD_SIGNATURE"    # missing, forged, or outside the window
CALLBACK_MALFORMED = "CALLBACK_MALFORMED"            # signed, but not a valid event body
CALLBACK_UNKNOWN_ORDER = "CALLBACK_UNKNOWN_ORDER"    # no order with that reference
CALLBACK_AMOUNT_MISMATCH = "CALLBACK_AMOUNT_MISMATCH"
CALLBACK_CURRENCY_MISMATCH = "CALLBACK_CURRENCY_MISMATCH"

ORDER_MODEL = "order.Order"


class OrderError(ModelryError):
    """An order cannot do what was asked; `code` says why."""

    code = "ORDER_ERROR"

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, code=code, model=ORDER_MODEL, field=field)


class IllegalTransition(OrderError):
    """`event` cannot move an order from `state` to `target`; the message names all three."""

    code = ORDER_ILLEGAL_TRANSITION

    def __init__(self, state: str, event: str, target: str) -> None:
        super().__init__(ORDER_ILLEGAL_TRANSITION,
                         f"order.Order cannot go from {state} to {target} "
                         f"(event {event!r} is not allowed in state {state})", field="status")
        self.state = state
        self.event = event
        self.target = target


class ProviderError(ModelryError):
    """A provider's message cannot be read (a signed body that is not a valid event)."""

    code = CALLBACK_MALFORMED

    def __init__(self, message: str, *, code: str = CALLBACK_MALFORMED,
                 field: str | None = None) -> None:
        super().__init__(message, code=code, model="order.Callback", field=field)
