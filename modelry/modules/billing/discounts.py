"""Discounts on a price, and how a discounted price is shown to a customer.

Display rule: the price the customer pays, then what came off, e.g. a 400 JPY price at
50 % off shows "200 (50% off)", and 30.00 EUR less 5.00 shows "25.00 (5.00 off)". A
discount never takes a price below zero (a fixed discount larger than the price takes the
whole price and no more), and `price == net + discount` holds exactly on every result.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from modelry.modules.billing import errors
from modelry.modules.billing.adjustments import PERCENT, adjustment, checked_value
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.money import exact, plain, round_money, to_decimal


@dataclass(frozen=True)
class Discount:
    """A fixed amount (in the price's currency) or a percentage between 0 and 100."""

    kind: str
    value: Decimal

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", checked_value(self.kind, self.value,
                                                        errors.DISCOUNT_INVALID, "discount"))
        if self.value < 0 or (self.kind == PERCENT and self.value > 100):
            limits = "between 0 and 100" if self.kind == PERCENT else "at least 0"
            raise PricingError(errors.DISCOUNT_INVALID,
                               f"a {self.kind} discount must be {limits}, not "
                               f"{plain(self.value)}", field="value")


@dataclass(frozen=True)
class DiscountedPrice:
    """`price` (rounded to the currency) = `net` (what is paid) + `discount_amount`."""

    price: Decimal
    discount_amount: Decimal
    net: Decimal
    currency: str
    discount: Discount


def apply_discount(price: Decimal, currency: str, discount: Discount) -> DiscountedPrice:
    """`price` less `discount`, rounded half up to the currency's minor unit; the amount
    taken off is what makes price = net + discount exactly."""
    price = round_money(to_decimal(price, "price"), currency)
    wanted = adjustment(discount.kind, discount.value, price)
    with exact():
        net = round_money(price - max(Decimal(0), min(wanted, price)), currency)
        return DiscountedPrice(price, price - net, net, currency, discount)


def discount_label(discounted: DiscountedPrice) -> str:
    """The price and the discount as a customer sees them: "200 (50% off)"."""
    if discounted.discount.kind == PERCENT:
        off = f"{plain(discounted.discount.value)}%"
    else:
        off = str(discounted.discount_amount)
    return f"{discounted.net} ({off} off)"
