"""Decimals as text whose byte order is their numeric order: SQLite's exact decimals.

SQLite has no exact decimal type (NUMERIC affinity keeps about 15 significant digits), so
modelry stores a Decimal there as canonical text (one spelling per value) that compares,
sorts and indexes like the number under SQLite's default BINARY collation:

    P<nn><digits>[.<fraction>]                       zero and positive values
    N<99 - nn><9 - each digit>[.<9 - each digit>]~   negative values

`nn` counts the integer digits (no leading zeros, `00` below one); the fraction keeps no
trailing zeros. 12.5 → `P0212.5`, 0 → `P00`, 0.05 → `P00.05`, -12.5 → `N9787.4~`. `N`
sorts before `P`; complemented digits reverse the order of negatives, and the closing `~`
(after every digit and `.`) puts -1.5 before -1. The text never looks like a number, so
a column declared NUMERIC keeps it as text.
"""
from __future__ import annotations

import decimal

MAX_INTEGER_DIGITS = 99
_COMPLEMENT = str.maketrans("0123456789", "9876543210")


def encode(value: decimal.Decimal) -> str:
    """The sortable text of a finite `value`."""
    if not value.is_finite():
        raise ValueError(f"cannot store {value} as a decimal")
    integer, _, fraction = format(value.copy_abs(), "f").partition(".")
    integer, fraction = integer.lstrip("0"), fraction.rstrip("0")
    if len(integer) > MAX_INTEGER_DIGITS:
        raise ValueError(f"a decimal holds at most {MAX_INTEGER_DIGITS} digits before the "
                         f"point; {value} has {len(integer)}")
    if not integer and not fraction:
        return "P00"
    tail = f".{fraction}" if fraction else ""
    if not value.is_signed():
        return f"P{len(integer):02d}{integer}{tail}"
    digits = f"{integer}{tail}".translate(_COMPLEMENT)
    return f"N{MAX_INTEGER_DIGITS - len(integer):02d}{digits}~"


def is_encoded(value: object) -> bool:
    """Whether `value` is text `encode` made (not a number stored some other way)."""
    return isinstance(value, str) and value[:1] in ("P", "N")


def decode(text: str) -> decimal.Decimal:
    """The Decimal `encode` turned into `text`."""
    if text.startswith("P"):
        body, sign = text[3:], ""
    elif text.startswith("N") and text.endswith("~"):
        body, sign = text[3:-1].translate(_COMPLEMENT), "-"
    else:
        raise ValueError(f"{text!r} is not an encoded decimal")
    integer, _, fraction = body.partition(".")
    return decimal.Decimal(f"{sign}{integer or '0'}.{fraction or '0'}")
