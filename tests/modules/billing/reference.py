"""A deliberately plain pricing reference to test the pricing layer against: Fractions
instead of Decimals, segments as (lower, upper, a, b) tuples, graduated charges walked one
unit at a time."""
from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

Row = tuple[int, int | None, Decimal, Decimal]     # lower, upper (None: unbounded), a, b


def row_at(rows: Sequence[Row], x: Fraction) -> Row:
    """The row whose [lower, upper) holds x."""
    for row in rows:
        lower, upper, _, _ = row
        if lower <= x and (upper is None or x < upper):
            return row
    raise ValueError(f"{x} is past the last row")


def volume(rows: Sequence[Row], x: Fraction) -> Fraction:
    """All x units at the row x reaches: a + b·x."""
    _, _, a, b = row_at(rows, x)
    return Fraction(a) + Fraction(b) * x


def graduated_units(rows: Sequence[Row], first: int, count: int) -> Fraction:
    """The price of the integer units first, first+1, …, first+count-1, one at a time: each
    unit pays the b of its row, and the first unit of a row also pays the row's a."""
    total = Fraction(0)
    for unit in range(first, first + count):
        lower, _, a, b = row_at(rows, Fraction(unit))
        total += Fraction(b) + (Fraction(a) if unit == lower else 0)
    return total


def package(quantity: Fraction, size: Fraction, price: Fraction, free: Fraction) -> Fraction:
    """ceil(max(0, quantity - free) / size) × price."""
    return math.ceil(max(Fraction(0), quantity - free) / size) * price


def percentage_fee(amount: Fraction, percent: Fraction, low: Fraction | None,
                   high: Fraction | None) -> Fraction:
    """percent % of amount, raised to low and cut to high."""
    fee = amount * percent / 100
    if low is not None and fee < low:
        fee = low
    if high is not None and fee > high:
        fee = high
    return fee


def continuous_flat_fees(edges: Sequence[int], unit_prices: Sequence[Decimal],
                         base: Decimal) -> list[Fraction]:
    """The flat fees that make a + b·x continuous: a_0 = base, and at each edge e,
    a_i = a_(i-1) + (b_(i-1) - b_i)·e."""
    fees = [Fraction(base)]
    for index in range(1, len(edges)):
        fees.append(fees[-1] + (Fraction(unit_prices[index - 1])
                                - Fraction(unit_prices[index])) * edges[index])
    return fees
