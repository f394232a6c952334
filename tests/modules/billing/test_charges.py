"""Charge models: the issue's examples, and each model against the plain reference."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelry.modules.billing import errors
from modelry.modules.billing.calculators import Calculator, Segment, continuous_calculator
from modelry.modules.billing.charges import (
    GraduatedCharge,
    PackageCharge,
    PercentageCharge,
    StandardCharge,
    Usage,
    VolumeCharge,
)
from modelry.modules.billing.errors import PricingError
from tests.modules.billing import reference
from tests.modules.billing.strategies import calculator_of, edge_lists, money, rows

ISSUE_VOLUME = Calculator((Segment(0, 1_000_000, 0, "0.03"), Segment(1_000_000, None, 0, "0.02")),
                          name="volume")


@pytest.mark.parametrize(("quantity", "amount", "unit_price"), [
    (0, "0", "0.03"), (999_999, "29999.97", "0.03"), (1_000_000, "20000.00", "0.02"),
    (1_500_000, "30000.00", "0.02")])
def test_issue_volume_segments(quantity: int, amount: str, unit_price: str) -> None:
    rating = VolumeCharge(ISSUE_VOLUME).rate(quantity)
    assert (rating.amount, rating.unit_price) == (Decimal(amount), Decimal(unit_price))
    assert len(rating.segments) == 1 and rating.segments[0].units == quantity


def test_issue_segments_graduated_price_each_segment_own_units() -> None:
    rating = GraduatedCharge(ISSUE_VOLUME).rate(1_500_000)
    assert rating.amount == Decimal("40000.00") and rating.unit_price is None
    assert [(use.index, use.label, use.units, use.amount) for use in rating.segments] == [
        (1, "[0, 1000000)", 1_000_000, Decimal("30000.00")),
        (2, "[1000000, ∞)", 500_000, Decimal("10000.00"))]
    assert GraduatedCharge(ISSUE_VOLUME).rate(0).amount == 0


def test_graduated_flat_fees_are_due_once_a_segment_is_entered() -> None:
    calculator = Calculator((Segment(0, 10, 5, 1), Segment(10, None, 20, "0.5")))
    charge = GraduatedCharge(calculator)
    assert [charge.rate(q).amount for q in (0, 1, 10, 11, 14)] == [0, 6, 15, 35.5, 37]


def test_standard_charge_sums_usage_events() -> None:
    events = [Usage(Decimal("2.5")), Usage(Decimal("9.5"))]
    rating = StandardCharge("0.50").rate(events)
    assert (rating.quantity, rating.amount, rating.unit_price) == (12, Decimal("6.000"),
                                                                   Decimal("0.50"))


@pytest.mark.parametrize(("quantity", "amount"), [
    (0, 0), (50, 0), (51, 5), (150, 5), (151, 10), ("150.5", 10)])
def test_package_charge_starts_whole_packages_after_free_units(quantity: int | str,
                                                               amount: int) -> None:
    assert PackageCharge(size=100, price=5, free_units=50).rate(quantity).amount == amount


def test_percentage_charge_bounds_each_event() -> None:
    charge = PercentageCharge("2.5", min_per_event="0.30", max_per_event="5.00")
    rating = charge.rate([Usage(amount=10), Usage(amount=100), Usage(amount=1000)])
    assert (rating.quantity, rating.amount) == (1110, Decimal("7.80"))


def test_charges_refuse_what_they_cannot_price() -> None:
    cases = [
        (lambda: PercentageCharge(2).rate(Decimal(10)), errors.USAGE_EVENTS_REQUIRED),
        (lambda: PercentageCharge(2).rate([Usage(5)]), errors.USAGE_AMOUNT_MISSING),
        (lambda: PercentageCharge(2, min_per_event=3, max_per_event=1), errors.CHARGE_INVALID),
        (lambda: PackageCharge(size=0, price=1), errors.CHARGE_INVALID),
        (lambda: StandardCharge(1).rate(-1), errors.QUANTITY_NEGATIVE),
        (lambda: GraduatedCharge(Calculator((Segment(0, 10, 0, 1),))).rate(11),
         errors.QUANTITY_OUT_OF_RANGE),
        (lambda: StandardCharge("1." + "1" * 35).rate("1." + "1" * 35),
         errors.PRECISION_EXCEEDED),          # 72 digits would have to be rounded,
    ]
    for call, code in cases:
        with pytest.raises(PricingError) as caught:
            call()
        assert caught.value.code == code


@given(rows(), st.integers(0, 300), st.integers(0, 100))
def test_graduated_price_of_more_units_adds_their_marginal_price(
        table: list[reference.Row], x: int, y: int) -> None:
    charge = GraduatedCharge(calculator_of(table))
    before, after = charge.rate(x).amount, charge.rate(x + y).amount
    assert before == reference.graduated_units(table, 0, x)
    assert Fraction(after) == Fraction(before) + reference.graduated_units(table, x, y)
    assert after == sum(use.amount for use in charge.rate(x + y).segments)


@given(rows(), st.data())
def test_volume_price_is_a_plus_b_x_of_the_segment_reached(table: list[reference.Row],
                                                           data: st.DataObject) -> None:
    charge = VolumeCharge(calculator_of(table))
    x = data.draw(money("0", "400", 3))
    assert charge.rate(x).amount == reference.volume(table, Fraction(x))
    lower, upper, _, _ = reference.row_at(table, Fraction(x))
    top = Decimal(upper if upper is not None else lower + 500)
    points = sorted(data.draw(st.lists(money(str(lower), str(top), 3).filter(lambda p: p < top),
                                       min_size=3, max_size=3)))
    (x1, x2, x3), (p1, p2, p3) = points, [charge.rate(p).amount for p in points]
    assert (p2 - p1) * (x3 - x2) == (p3 - p2) * (x2 - x1)      # on one straight line


@given(edge_lists(), st.data())
def test_volume_over_a_continuous_calculator_is_graduated_pricing(edges: list[int],
                                                                  data: st.DataObject) -> None:
    prices = [data.draw(money("0", "2", 4)) for _ in edges]
    graduated = GraduatedCharge(Calculator(tuple(
        Segment(lower, edges[i + 1] if i + 1 < len(edges) else None, 0, prices[i])
        for i, lower in enumerate(edges))))
    volume = VolumeCharge(continuous_calculator(edges, prices))
    x = data.draw(money("0", "400", 2))
    assert volume.rate(x).amount == graduated.rate(x).amount


@given(money("0", "1000", 3), money("0.001", "50", 3), money("0", "100", 2),
       money("0", "100", 2))
def test_package_price_is_the_ceiling_formula(quantity: Decimal, size: Decimal,
                                              price: Decimal, free: Decimal) -> None:
    amount = PackageCharge(size, price, free).rate(quantity).amount
    assert amount == reference.package(Fraction(quantity), Fraction(size), Fraction(price),
                                       Fraction(free))


@given(money("0", "100", 3), st.lists(money("0", "5000"), max_size=8),
       st.one_of(st.none(), money("0", "5")), st.one_of(st.none(), money("5", "50")))
def test_percentage_fees_stay_within_their_bounds(percent: Decimal, amounts: list[Decimal],
                                                  low: Decimal | None,
                                                  high: Decimal | None) -> None:
    charge = PercentageCharge(percent, low, high)
    fees = [charge.fee(amount) for amount in amounts]
    assert all((low is None or fee >= low) and (high is None or fee <= high) for fee in fees)
    expected = [reference.percentage_fee(Fraction(amount), Fraction(percent),
                                         None if low is None else Fraction(low),
                                         None if high is None else Fraction(high))
                for amount in amounts]
    assert fees == expected
    assert charge.rate([Usage(amount=amount) for amount in amounts]).amount == sum(expected)
