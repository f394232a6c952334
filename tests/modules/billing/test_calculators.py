"""Calculators: validation names the failing edge; continuous calculators have no jump and
rise when every unit price is >= 0."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelry.modules.billing import errors
from modelry.modules.billing.calculators import (
    CONTINUOUS,
    Calculator,
    Segment,
    continuous_calculator,
    validate_segments,
)
from modelry.modules.billing.errors import CalculatorError, PricingError
from tests.modules.billing import reference
from tests.modules.billing.strategies import calculator_of, edge_lists, money, rows

EPSILON = Decimal("0.000001")


def _refused(segments: list[Segment], kind: str = "stepwise") -> CalculatorError:
    with pytest.raises(CalculatorError) as caught:
        Calculator(tuple(segments), kind, name="data")
    return caught.value


def test_issue_volume_table_is_stepwise_and_refused_as_continuous() -> None:
    table = [Segment(0, 1_000_000, 0, "0.03"), Segment(1_000_000, None, 0, "0.02")]
    Calculator(tuple(table))                          # stepwise: the jump is declared
    error = _refused(table, CONTINUOUS)
    assert error.code == errors.CALCULATOR_DISCONTINUOUS
    assert (error.edge, error.below, error.above, error.segment) == (1_000_000, 30_000, 20_000, 1)
    assert str(error) == ("calculator 'data' is declared continuous but jumps at 1000000: "
                          "30000 from below (segment 1 [0, 1000000): 0 + 0.03·x), 20000 from "
                          "above (segment 2 [1000000, ∞): 0 + 0.02·x)")


def test_a_gap_is_named_by_its_edges() -> None:
    error = _refused([Segment(0, 100, 0, 1), Segment(150, None, 0, 1)])
    assert (error.code, error.edge, error.segment) == (errors.CALCULATOR_GAP, 100, 1)
    assert "no segment covers [100, 150) between segments 1 and 2" in str(error)


def test_an_overlap_is_named_by_its_edge() -> None:
    error = _refused([Segment(0, 100, 0, 1), Segment(80, None, 0, 1)])
    assert (error.code, error.edge) == (errors.CALCULATOR_OVERLAP, 80)
    assert "segments 1 and 2 overlap at 80 (segment 1 ends at 100)" in str(error)


def test_an_unbounded_segment_before_another_overlaps_it() -> None:
    error = _refused([Segment(0, None, 0, 1), Segment(100, None, 0, 1)])
    assert (error.code, error.edge) == (errors.CALCULATOR_OVERLAP, 100)
    assert "segment 1 ends at ∞" in str(error)


def test_segments_out_of_order_are_refused() -> None:
    error = _refused([Segment(0, 100, 0, 1), Segment(200, None, 0, 1), Segment(100, 200, 0, 1)])
    assert (error.code, error.edge, error.segment) == (errors.CALCULATOR_ORDER, 100, 3)


def test_the_first_segment_starts_at_zero() -> None:
    error = _refused([Segment(10, None, 0, 1)])
    assert (error.code, error.edge) == (errors.CALCULATOR_START, 10)
    assert "starts at 10, not at 0" in str(error)


def test_empty_segments_empty_calculators_and_unknown_kinds_are_refused() -> None:
    assert _refused([Segment(0, 0, 0, 1), Segment(0, None, 0, 1)]).code == (
        errors.CALCULATOR_SEGMENT_EMPTY)
    assert _refused([]).code == errors.CALCULATOR_EMPTY
    assert _refused([Segment(0, None, 0, 1)], "smooth").code == errors.CALCULATOR_KIND_INVALID


def test_a_float_is_not_a_price() -> None:
    with pytest.raises(PricingError) as caught:
        Segment(0, None, 0, 0.1)  # type: ignore[arg-type]
    assert caught.value.code == errors.AMOUNT_INVALID


def test_quantities_outside_a_bounded_calculator_are_refused() -> None:
    calculator = Calculator((Segment(0, 100, 0, 1),))
    for quantity, code in ((Decimal(100), errors.QUANTITY_OUT_OF_RANGE),
                           (Decimal(-1), errors.QUANTITY_NEGATIVE)):
        with pytest.raises(PricingError) as caught:
            calculator.price(quantity)
        assert caught.value.code == code


@given(edge_lists(), st.data(), money("-10", "10"))
def test_continuous_calculators_agree_just_below_and_at_every_edge(
        edges: list[int], data: st.DataObject, base: Decimal) -> None:
    prices = [data.draw(money("-2", "2", 4)) for _ in edges]
    calculator = continuous_calculator(edges, prices, base)
    fees = reference.continuous_flat_fees(edges, prices, base)
    assert [Fraction(s.a) for s in calculator.segments] == fees
    for index, edge in enumerate(edges[1:]):
        at, below = calculator.price(Decimal(edge)), calculator.price(edge - EPSILON)
        assert at - below == prices[index] * EPSILON         # a slope, never a jump
        assert calculator.segments[index].price(Decimal(edge)) == at


@given(edge_lists(), st.data(), money("0", "10"))
def test_continuous_calculators_with_unit_prices_from_zero_up_never_fall(
        edges: list[int], data: st.DataObject, base: Decimal) -> None:
    prices = [data.draw(money("0", "2", 4)) for _ in edges]
    calculator = continuous_calculator(edges, prices, base)
    points = sorted(data.draw(st.lists(money("0", str(edges[-1] + 20), 3), min_size=2)))
    values = [calculator.price(point) for point in points]
    assert values == sorted(values)


@given(edge_lists().filter(lambda edges: len(edges) > 1), st.data())
def test_a_broken_flat_fee_is_reported_at_its_first_edge(edges: list[int],
                                                         data: st.DataObject) -> None:
    prices = [data.draw(money("-2", "2", 3)) for _ in edges]
    good = continuous_calculator(edges, prices)
    broken_at = data.draw(st.integers(1, len(edges) - 1))
    shift = data.draw(money("-5", "5").filter(bool))
    segments = list(good.segments)
    old = segments[broken_at]
    segments[broken_at] = Segment(old.lower, old.upper, old.a + shift, old.b)
    with pytest.raises(CalculatorError) as caught:
        validate_segments(segments, CONTINUOUS)
    error = caught.value
    assert error.code == errors.CALCULATOR_DISCONTINUOUS
    assert error.edge == edges[broken_at] and error.segment == broken_at
    assert error.above - error.below == shift
    assert f"jumps at {edges[broken_at]}:" in str(error)


@given(rows())
def test_stepwise_tables_are_accepted_and_continuous_ones_exactly_when_no_edge_jumps(
        table: list[reference.Row]) -> None:
    calculator_of(table)
    jumps = [lower for (_, _, a0, b0), (lower, _, a1, b1) in zip(table, table[1:])
             if a0 + b0 * lower != a1 + b1 * lower]
    if jumps:
        with pytest.raises(CalculatorError) as caught:
            calculator_of(table, CONTINUOUS)
        assert caught.value.edge == jumps[0]
    else:
        calculator_of(table, CONTINUOUS)
