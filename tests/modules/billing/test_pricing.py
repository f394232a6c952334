"""Priced lines: FX copied onto the line, markups (negative ones stop at zero), one
rounding per line to the currency's minor unit, and discounts as the customer sees them."""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelry.modules.billing import errors
from modelry.modules.billing.adjustments import FIXED, PERCENT
from modelry.modules.billing.charges import PackageCharge, StandardCharge
from modelry.modules.billing.discounts import Discount, apply_discount, discount_label
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.money import quantum, round_money
from modelry.modules.billing.pricing import FxRate, Markup, price_line
from tests.modules.billing.strategies import money

EUR_CNY = FxRate("EUR", "CNY", "7.8125")
BUNDLE = PackageCharge(size=10, price="4.99")     # a package of 10 GB at 4.99 EUR


def test_a_package_in_euro_sold_in_yuan_carries_its_rate_and_markup() -> None:
    line = price_line(BUNDLE, 25, "EUR", fx=EUR_CNY, markup=Markup(PERCENT, 10))
    assert line.exact_amount == Decimal("14.97") * Decimal("7.8125") * Decimal("1.1")
    assert (line.amount, line.currency, line.price_currency) == (Decimal("128.65"), "CNY", "EUR")
    assert (line.fx_rate, line.markup, line.floored) == (Decimal("7.8125"), Markup(PERCENT, 10),
                                                          False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.fx_rate = Decimal(8)  # type: ignore[misc]
    later = price_line(BUNDLE, 25, "EUR", fx=FxRate("EUR", "CNY", 8))
    assert later.amount == Decimal("119.76") and line.amount == Decimal("128.65")


def test_a_negative_markup_sells_below_cost_and_stops_at_zero() -> None:
    promotion = price_line(StandardCharge(10), 3, "EUR", markup=Markup(PERCENT, -20))
    assert (promotion.amount, promotion.markup_amount) == (Decimal("24.00"), -6)
    free = price_line(StandardCharge(10), 3, "EUR", markup=Markup(FIXED, -50))
    assert (free.amount, free.markup_amount, free.floored) == (0, -30, True)
    assert price_line(StandardCharge(10), 3, "EUR", markup=Markup(FIXED, "1.5")).amount == 31.5
    assert Markup(PERCENT, -20).label == "-20%" and Markup(FIXED, "1.5").label == "+1.5"


def test_rounding_is_half_up_to_each_currency_minor_unit() -> None:
    assert round_money(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert round_money(Decimal("-0.125"), "EUR") == Decimal("-0.13")
    assert round_money(Decimal("0.0005"), "KWD") == Decimal("0.001")
    assert str(round_money(Decimal("199.5"), "JPY")) == "200"
    line = price_line(StandardCharge("0.0125"), 3, "USD", fx=FxRate("USD", "JPY", "151.37"))
    assert (line.exact_amount, line.amount) == (Decimal("5.676375"), Decimal("6"))


def test_refusals_name_what_is_wrong() -> None:
    cases = [
        (lambda: price_line(StandardCharge(1), 1, "XXX"), errors.CURRENCY_UNKNOWN),
        (lambda: FxRate("EUR", "CNY", 0), errors.FX_RATE_INVALID),
        (lambda: price_line(StandardCharge(1), 1, "USD", fx=EUR_CNY), errors.FX_RATE_INVALID),
        (lambda: Markup(PERCENT, -101), errors.MARKUP_INVALID),
        (lambda: Markup("ratio", 1), errors.MARKUP_INVALID),
        (lambda: Discount(PERCENT, 120), errors.DISCOUNT_INVALID),
        (lambda: Discount(FIXED, -1), errors.DISCOUNT_INVALID),
    ]
    for call, code in cases:
        with pytest.raises(PricingError) as caught:
            call()
        assert caught.value.code == code


def test_discounts_show_the_price_paid_then_what_came_off() -> None:
    half = apply_discount(Decimal(400), "JPY", Discount(PERCENT, 50))
    assert discount_label(half) == "200 (50% off)"
    five_off = apply_discount(Decimal(30), "EUR", Discount(FIXED, 5))
    assert discount_label(five_off) == "25.00 (5.00 off)"
    all_off = apply_discount(Decimal(3), "EUR", Discount(FIXED, 5))
    assert (all_off.net, all_off.discount_amount) == (0, 3)
    assert discount_label(apply_discount(Decimal("9.99"), "EUR",
                                         Discount(PERCENT, "12.5"))) == "8.74 (12.5% off)"


@given(money("0", "5", 6), money("0", "100000", 3), st.sampled_from(["EUR", "JPY", "KWD"]),
       st.one_of(st.none(), money("0.000001", "500", 6)),
       st.one_of(st.none(), st.builds(Markup, st.just(PERCENT), money("-100", "100", 2)),
                 st.builds(Markup, st.just(FIXED), money("-100", "100", 3))))
def test_a_line_rounds_once_by_at_most_half_a_minor_unit(
        unit_price: Decimal, quantity: Decimal, currency: str, rate: Decimal | None,
        markup: Markup | None) -> None:
    fx = None if rate is None else FxRate("USD", currency, rate)
    line = price_line(StandardCharge(unit_price), quantity, "USD" if fx else currency, fx=fx,
                      markup=markup)
    cost = Fraction(unit_price) * Fraction(quantity) * Fraction(rate if rate else 1)
    if markup is None:
        wanted = Fraction(0)
    else:
        wanted = Fraction(markup.value) * (cost / 100 if markup.kind == PERCENT else 1)
    assert Fraction(line.exact_amount) == max(cost + wanted, Fraction(0))
    assert line.floored == (cost + wanted < 0)
    assert abs(line.amount - line.exact_amount) <= quantum(currency) / 2
    assert line.amount.as_tuple().exponent == quantum(currency).as_tuple().exponent
    assert line.amount >= 0 and line.currency == currency


@given(money("0", "100000"), st.sampled_from(["EUR", "JPY", "KWD"]),
       st.one_of(st.builds(Discount, st.just(PERCENT), money("0", "100", 2)),
                 st.builds(Discount, st.just(FIXED), money("0", "1000", 3))))
def test_a_discount_splits_the_price_exactly(price: Decimal, currency: str,
                                             discount: Discount) -> None:
    result = apply_discount(price, currency, discount)
    assert result.net + result.discount_amount == result.price == round_money(price, currency)
    assert 0 <= result.net <= result.price
    assert discount_label(result).startswith(f"{result.net} (")
