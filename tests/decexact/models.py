"""Models of `decexact`: one record holds a decimal of every width under test."""
from __future__ import annotations

from modelry import Model, fields

# field name → (precision, scale); `widest` is MariaDB's maximum (65 digits, 30 after)
PRECISIONS = {"tiny": (1, 0), "cents": (5, 2), "plain": (18, 6), "money": (20, 4),
              "wide": (30, 10), "whole": (38, 0), "widest": (65, 30)}


class Amounts(Model, model="decexact.Amounts"):
    """Decimals of every width, a Money with a default, and an integer to compare with."""

    tiny = fields.Decimal(precision=1, scale=0)
    cents = fields.Decimal(precision=5, scale=2)
    plain = fields.Decimal()
    money = fields.Money(index=True)
    wide = fields.Decimal(precision=30, scale=10)
    whole = fields.Decimal(precision=38, scale=0)
    widest = fields.Decimal(precision=65, scale=30)
    fee = fields.Money(default=0)
    pieces = fields.Integer()
