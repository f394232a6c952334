"""Money in billing: `Decimal` only, exact arithmetic, one rounding per priced line.

Rounding rule: a line's amount is computed exactly (intermediate results never round; a
computation that would have to is a PRECISION_EXCEEDED error, not a silent rounding),
then rounded once to the currency's minor unit (ISO 4217 exponent) with ROUND_HALF_UP:
ties go away from zero, so 0.125 EUR is 0.13 and -0.125 EUR is -0.13. A bill's total is the
exact sum of its rounded lines.
"""
from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from contextvars import ContextVar
from types import TracebackType

from modelry.modules.billing import errors
from modelry.modules.billing.errors import PricingError

ROUNDING = ROUND_HALF_UP

# ISO 4217 minor units (digits after the decimal point) of the currencies billing prices in.
MINOR_UNITS: dict[str, int] = {
    "EUR": 2, "USD": 2, "GBP": 2, "CNY": 2, "CHF": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3,
}

# Wide enough for any price of quantities and rates a billing system meets; traps Inexact
# so that nothing rounds before the one stated rounding.
_EXACT = decimal.Context(prec=60, rounding=ROUNDING,
                         traps=[decimal.Inexact, decimal.InvalidOperation,
                                decimal.DivisionByZero, decimal.Overflow])
_ROUNDING = decimal.Context(prec=60, rounding=ROUNDING,
                            traps=[decimal.InvalidOperation, decimal.Overflow])


def exact() -> _Exact:
    """Decimal arithmetic inside this block is exact, or raises PRECISION_EXCEEDED."""
    return _Exact()


class _Exact:
    """The block `exact()` opens (a class, not a generator: rating opens several per event,
    and a generator's context manager costs twice as much). Inside another such block,
    while its context is still the current one, it only reports."""

    __slots__ = ("_local", "_token")

    def __enter__(self) -> None:
        if decimal.getcontext() is _INSIDE.get():
            self._local = None
            return
        self._local = decimal.localcontext(_EXACT)
        self._token = _INSIDE.set(self._local.__enter__())

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._local is not None:
            self._local.__exit__(kind, error, trace)
            _INSIDE.reset(self._token)
        if kind is not None and issubclass(kind, decimal.Inexact):
            raise PricingError(errors.PRECISION_EXCEEDED,
                               "a price needs more than 60 significant digits to be exact"
                               ) from None


# the decimal context the outermost `exact()` block of this thread (or task) entered
_INSIDE: ContextVar[decimal.Context | None] = ContextVar("billing_exact", default=None)


def to_decimal(value: Decimal | int | str, what: str) -> Decimal:
    """`value` as a finite Decimal; floats are refused (a binary float is not a price)."""
    if type(value) is Decimal and value.is_finite():  # the common case, first
        return value
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise PricingError(errors.AMOUNT_INVALID,
                           f"{what} must be a Decimal, an int or a numeric string, "
                           f"not {type(value).__name__} {value!r}", field=what)
    try:
        number = Decimal(value)
    except decimal.InvalidOperation:
        raise PricingError(errors.AMOUNT_INVALID, f"{what} {value!r} is not a number",
                           field=what) from None
    if not number.is_finite():
        raise PricingError(errors.AMOUNT_INVALID, f"{what} must be finite, not {value!r}",
                           field=what)
    return number


def minor_unit(currency: str) -> int:
    """The number of decimal places of `currency` (EUR 2, JPY 0, KWD 3)."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise PricingError(errors.CURRENCY_UNKNOWN,
                           f"currency {currency!r} has no known minor unit "
                           f"(known: {', '.join(sorted(MINOR_UNITS))})") from None


def quantum(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 EUR, 1 JPY, 0.001 KWD."""
    found = _QUANTA.get(currency)
    if found is None:
        found = _QUANTA[currency] = Decimal(1).scaleb(-minor_unit(currency))
    return found


_QUANTA: dict[str, Decimal] = {}


def round_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half up to the minor unit of `currency`."""
    return amount.quantize(quantum(currency), rounding=ROUNDING, context=_ROUNDING)


def plain(amount: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 50, 12.5, 1000000."""
    text = format(amount.normalize(context=_ROUNDING), "f")
    return "0" if text in ("-0", "") else text
