"""Money in channel: exact `Decimal`, one half-up rounding per price to the currency's minor
unit.

The rule is billing's (channel does not depend on billing): a price is `amount × rate`
computed exactly, then rounded once to the currency's ISO 4217 minor unit with
ROUND_HALF_UP (0.125 USD is 0.13). Floats are refused everywhere: a binary float is neither
an amount nor a rate.
"""
from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal

from modelry.modules.channel import errors
from modelry.modules.channel.errors import ChannelError

# ISO 4217 minor units (digits after the decimal point) of the currencies channel prices in.
MINOR_UNITS: dict[str, int] = {
    "CNY": 2, "EUR": 2, "USD": 2, "GBP": 2, "HKD": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3,
}

# Products and differences are exact or refused (Inexact trapped); the one rounding is the
# quantize.
_EXACT = decimal.Context(prec=60, traps=[decimal.Inexact, decimal.InvalidOperation,
                                         decimal.Overflow])
_QUANTIZE = decimal.Context(prec=60, rounding=ROUND_HALF_UP,
                            traps=[decimal.InvalidOperation, decimal.Overflow])


def number(value: Decimal | int, code: str, what: str, *, model: str | None = None,
           field: str | None = None) -> Decimal:
    """`value` as a finite Decimal, or a ChannelError `code` naming `what`; only Decimal and
    int are numbers here (not float, bool or str)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ChannelError(code, f"{what} must be a Decimal or an int, "
                                 f"not {type(value).__name__} {value!r}", model=model,
                           field=field)
    if isinstance(value, Decimal) and not value.is_finite():
        raise ChannelError(code, f"{what} must be finite, not {value}", model=model,
                           field=field)
    return Decimal(value)


def positive(value: Decimal | int, code: str, what: str, *, model: str | None = None,
             field: str | None = None) -> Decimal:
    """`value` as a finite Decimal > 0, or a ChannelError `code` naming `what`."""
    result = number(value, code, what, model=model, field=field)
    if result <= 0:
        raise ChannelError(code, f"{what} must be > 0, not {plain(result)}", model=model,
                           field=field)
    return result


def minor_unit(currency: str) -> int:
    """The number of decimal places of `currency` (CNY 2, JPY 0, KWD 3)."""
    try:
        return MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise ChannelError(errors.CURRENCY_UNKNOWN,
                           f"currency {currency!r} has no known minor unit "
                           f"(known: {', '.join(sorted(MINOR_UNITS))})") from None


def quantum(currency: str) -> Decimal:
    """The smallest amount of `currency`: 0.01 CNY, 1 JPY, 0.001 KWD."""
    return Decimal(1).scaleb(-minor_unit(currency))


def is_money(amount: Decimal, currency: str) -> bool:
    """Whether `amount` has no more decimal places than `currency` (12.50 CNY, not 12.505)."""
    # Room for every digit of the result (and a carry), so that the quantize never fails.
    digits = max(amount.adjusted(), 0) + minor_unit(currency) + 2
    return amount.quantize(quantum(currency), context=decimal.Context(prec=digits)) == amount


def price(amount: Decimal, rate: Decimal, currency: str) -> Decimal:
    """`amount × rate`, exact, rounded once half up to the minor unit of `currency`."""
    try:
        return _EXACT.multiply(amount, rate).quantize(quantum(currency), context=_QUANTIZE)
    except (decimal.Inexact, decimal.InvalidOperation, decimal.Overflow):
        raise _too_precise(f"{plain(amount)} × {plain(rate)} {currency}") from None


def difference(minuend: Decimal, subtrahend: Decimal) -> Decimal:
    """`minuend − subtrahend`, exact (a profit between two prices)."""
    try:
        return _EXACT.subtract(minuend, subtrahend)
    except (decimal.Inexact, decimal.InvalidOperation, decimal.Overflow):
        raise _too_precise(f"{plain(minuend)} − {plain(subtrahend)}") from None


def _too_precise(what: str) -> ChannelError:
    return ChannelError(errors.PRECISION_EXCEEDED,
                        f"{what} needs more than 60 significant digits to be exact")


def plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 50, 12.5, 1000000."""
    text = format(value.normalize(context=_QUANTIZE), "f")
    return "0" if text == "-0" else text
