"""Priced lines: a charge's exact rating, converted with a given exchange rate, marked up,
and rounded once to the currency's minor unit (ROUND_HALF_UP, see `money`).

The exchange rate and the markup are inputs, copied onto the `PricedLine`, so a line
carries everything it was priced with and a later rate change never re-prices history.

Negative markups (a promotion selling below the converted cost) are allowed and stop at
zero: a markup never takes a non-negative amount below 0 (`floored` says it had to stop),
and a percentage markup below -100 % is refused. A fixed markup is added once per line.

The pieces priced here live one concept a file: `money` (currencies, rounding),
`calculators`, `charges` and `time_of_day` (charge models), `discounts`.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from modelry.modules.billing import errors
from modelry.modules.billing.adjustments import PERCENT, adjustment, checked_value
from modelry.modules.billing.charges import Charge, SegmentUse, UsageInput
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.money import exact, minor_unit, plain, round_money, to_decimal


_ZERO = Decimal(0)


@dataclass(frozen=True)
class FxRate:
    """`rate` units of `target` for one unit of `source` (e.g. EUR→CNY 7.8125), as quoted
    by the package's rate source when the line was priced."""

    source: str
    target: str
    rate: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "rate", to_decimal(self.rate, "rate"))
        for currency in (self.source, self.target):
            minor_unit(currency)                   # CURRENCY_UNKNOWN if not in the table
        if self.rate <= 0:
            raise PricingError(errors.FX_RATE_INVALID,
                               f"exchange rate {self.source}→{self.target} must be > 0, "
                               f"not {plain(self.rate)}", field="rate")

    def convert(self, amount: Decimal) -> Decimal:
        """`amount` in `source` as an exact amount in `target`."""
        with exact():
            return amount * self.rate


@dataclass(frozen=True)
class Markup:
    """A fixed amount per line (in the line's currency) or a percentage of the converted
    amount; positive or negative."""

    kind: str
    value: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "value",
                           checked_value(self.kind, self.value, errors.MARKUP_INVALID, "markup"))
        if self.kind == PERCENT and self.value < -100:
            raise PricingError(errors.MARKUP_INVALID,
                               f"a percentage markup of {plain(self.value)} % would sell "
                               f"below nothing; the least is -100", field="value")

    def on(self, cost: Decimal) -> tuple[Decimal, bool]:
        """The exact markup amount added to `cost`, and whether it stopped at zero."""
        wanted = adjustment(self.kind, self.value, cost)
        with exact():
            if wanted >= 0 or cost + wanted >= 0:
                return wanted, False
        return -max(cost, Decimal(0)), True

    @property
    def label(self) -> str:
        """`+10%`, `-20%`, `+1.5`, `-5`."""
        sign = "+" if self.value >= 0 else ""
        return f"{sign}{plain(self.value)}{'%' if self.kind == PERCENT else ''}"


@dataclass(frozen=True)
class PricedLine:
    """A rated line as it is stored: what was used, what it cost, and everything it was
    priced with. `unit_price` is in `price_currency` before FX and markup; `amount` is in
    `currency`, rounded; `exact_amount` is the same before rounding."""

    quantity: Decimal
    unit_price: Decimal | None
    price_currency: str
    amount: Decimal
    exact_amount: Decimal
    currency: str
    fx_rate: Decimal | None = None      # None: priced and billed in the same currency
    markup: Markup | None = None
    markup_amount: Decimal = Decimal(0)
    floored: bool = False               # a negative markup stopped at zero
    segments: tuple[SegmentUse, ...] = ()


def price_line(charge: Charge, usage: UsageInput, price_currency: str, *,
               fx: FxRate | None = None, markup: Markup | None = None) -> PricedLine:
    """Rate `usage` under `charge` (priced in `price_currency`), convert it with `fx`, add
    `markup`, and round the result once to the billed currency's minor unit."""
    minor_unit(price_currency)                     # CURRENCY_UNKNOWN before any work
    if fx is not None and fx.source != price_currency:
        raise PricingError(errors.FX_RATE_INVALID,
                           f"the exchange rate converts from {fx.source}, but the charge is "
                           f"priced in {price_currency}", field="rate")
    rating = charge.rate(usage)
    currency = price_currency if fx is None else fx.target
    cost = rating.amount if fx is None else fx.convert(rating.amount)
    if markup is None:
        added, floored, total = _ZERO, False, cost
    else:
        added, floored = markup.on(cost)
        with exact():
            total = cost + added
    return PricedLine(quantity=rating.quantity, unit_price=rating.unit_price,
                      price_currency=price_currency, amount=round_money(total, currency),
                      exact_amount=total, currency=currency,
                      fx_rate=None if fx is None else fx.rate, markup=markup,
                      markup_amount=added, floored=floored, segments=rating.segments)
