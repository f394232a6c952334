"""Hypothesis strategies of the billing pricing tests: segment tables with integer edges."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from modelry.modules.billing.calculators import Calculator, Segment
from tests.modules.billing.reference import Row


def money(low: str, high: str, places: int = 2) -> st.SearchStrategy[Decimal]:
    """Finite Decimals in [low, high] with at most `places` decimals."""
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places,
                       allow_nan=False, allow_infinity=False)


@st.composite
def edge_lists(draw: st.DrawFn) -> list[int]:
    """0, then 0 to 4 more increasing integer edges."""
    widths = draw(st.lists(st.integers(1, 60), max_size=4))
    edges = [0]
    for width in widths:
        edges.append(edges[-1] + width)
    return edges


@st.composite
def rows(draw: st.DrawFn, nonnegative: bool = False) -> list[Row]:
    """A valid stepwise segment table: contiguous integer edges from 0, the last unbounded."""
    edges = draw(edge_lists())
    low = "0" if nonnegative else "-10"
    return [(lower, edges[i + 1] if i + 1 < len(edges) else None,
             draw(money(low, "10")), draw(money("0" if nonnegative else "-2", "2", 3)))
            for i, lower in enumerate(edges)]


def calculator_of(table: list[Row], kind: str = "stepwise") -> Calculator:
    """The calculator of a segment table."""
    return Calculator(tuple(Segment(*row) for row in table), kind)
