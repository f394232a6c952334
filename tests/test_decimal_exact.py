"""Decimal and Money are exact on SQLite, PostgreSQL and MariaDB at every declared
precision (up to MariaDB's 65 digits), and compare and sort as numbers (SQLite keeps
them as sortable text: modelry/core/schema/decimal_text.py)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelry.boot import App, boot
from modelry.core.schema import decimal_text
from tests.decexact import module as decexact
from tests.decexact.models import PRECISIONS, Amounts
from tests.graphql.conftest import Server

ON_A_DATABASE = settings(max_examples=40, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture])
MONEY = PRECISIONS["money"]


def decimals(precision: int, scale: int) -> st.SearchStrategy[Decimal]:
    """Every value a NUMERIC(precision, scale) holds, at exactly that scale."""
    most = 10 ** precision - 1
    return st.integers(-most, most).map(lambda units: Decimal(f"{units}E-{scale}"))


@pytest.fixture
def amounts(make_app: Callable[..., App]) -> Iterator[App]:
    """`decexact` on each database, its table empty, active in this test."""
    app = make_app([decexact])
    with app.activate():
        yield app


def empty(app: App) -> None:
    with app.engine.begin() as connection:
        connection.execute(app.metadata.tables["decexact_amounts"].delete())


# ── the text encoding itself ────────────────────────────────────────────────
ANY_DECIMAL = st.decimals(allow_nan=False, allow_infinity=False, places=None,
                          min_value=Decimal("-1e60"), max_value=Decimal("1e60"))


@settings(max_examples=2000)
@given(ANY_DECIMAL, ANY_DECIMAL)
def test_the_text_orders_and_equals_like_the_numbers(a: Decimal, b: Decimal) -> None:
    text_a, text_b = decimal_text.encode(a), decimal_text.encode(b)
    assert decimal_text.decode(text_a) == a
    assert (text_a < text_b) == (a < b)
    assert (text_a == text_b) == (a == b)


def test_the_text_reads_as_documented() -> None:
    spelled = {Decimal("12.5"): "P0212.5", Decimal("0"): "P00", Decimal("-0.00"): "P00",
               Decimal("0.05"): "P00.05", Decimal("-12.5"): "N9787.4~",
               Decimal("-1"): "N988~", Decimal("1E+3"): "P041000"}
    assert {value: decimal_text.encode(value) for value in spelled} == spelled


# ── stored and read on each database ────────────────────────────────────────
@ON_A_DATABASE
@given(st.fixed_dictionaries({name: decimals(*declared)
                              for name, declared in PRECISIONS.items()}))
def test_every_declared_precision_round_trips_exactly(amounts: App,
                                                      values: dict[str, Decimal]) -> None:
    with amounts.transaction():
        stored = Amounts(**values).create()
        found = Amounts.query_by_id(stored.id)
    for name, value in values.items():
        kept = getattr(found, name)
        assert isinstance(kept, Decimal) and kept == value, name
        assert kept.as_tuple().exponent == -PRECISIONS[name][1], (name, kept)


@ON_A_DATABASE
@given(st.lists(decimals(*MONEY) | st.none(), max_size=8),
       st.decimals(allow_nan=False, allow_infinity=False, places=6,
                   min_value=Decimal("-1e16"), max_value=Decimal("1e16")))
def test_sorts_and_comparisons_follow_the_numbers(amounts: App, values: list[Decimal | None],
                                                  pivot: Decimal) -> None:
    empty(amounts)
    with amounts.transaction():
        ids = [Amounts(money=value).create().id for value in values]
    rows = list(zip(ids, values))
    present = [(id_, value) for id_, value in rows if value is not None]
    missing = [id_ for id_, value in rows if value is None]
    ascending = missing + [id_ for id_, _ in sorted(present, key=lambda r: (r[1], r[0]))]
    descending = [id_ for id_, _ in sorted(present, key=lambda r: (r[1], r[0]), reverse=True)]
    descending += sorted(missing, reverse=True)
    text = format(pivot, "f")
    expected = {
        f"money=gt={text}": [i for i, v in present if v > pivot],
        f"money=le={text}": [i for i, v in present if v <= pivot],
        f"money=={text}": [i for i, v in present if v == pivot],
        f"money=in=({text},{values[0] if values and values[0] is not None else 0})": [
            i for i, v in present if v == pivot
            or v == (values[0] if values[0] is not None else 0)],
    }
    with amounts.transaction():
        assert [r.id for r in Amounts.query_list(sort="money")] == ascending
        assert [r.id for r in Amounts.query_list(sort="-money")] == descending
        for rsql, wanted in expected.items():
            assert sorted(r.id for r in Amounts.query_list(rsql=rsql)) == sorted(wanted), rsql


def test_writes_round_to_the_scale_half_away_from_zero(amounts: App) -> None:
    """As PostgreSQL and MariaDB round; a compared value is not rounded."""
    with amounts.transaction():
        up = Amounts(money=Decimal("1.00005")).create()
        down = Amounts(money=Decimal("-1.00005")).create()
        assert Amounts.query_by_id(up.id).money == Decimal("1.0001")
        assert Amounts.query_by_id(down.id).money == Decimal("-1.0001")
        assert [r.id for r in Amounts.query_list(rsql="money=gt=1.00009")] == [up.id]
        assert Amounts.query_list(rsql="money==1.00005") == []


def test_a_default_is_stored_like_any_value(amounts: App) -> None:
    """Back-end code leaves `fee` out of the INSERT: the column default fills it."""
    with amounts.transaction():
        ids = [Amounts(fee=Decimal("-1")).create().id, Amounts().create().id,
               Amounts(fee=Decimal("0.5")).create().id]
        assert [r.fee for r in Amounts.query_list(sort="fee")] == [
            Decimal("-1.0000"), Decimal("0.0000"), Decimal("0.5000")]
        assert [r.id for r in Amounts.query_list(rsql="fee=ge=0")] == ids[1:]


def test_cole_compares_a_decimal_with_an_integer_column(amounts: App) -> None:
    with amounts.transaction():
        same = Amounts(money=Decimal("3"), pieces=3, cents=Decimal("3")).create()
        Amounts(money=Decimal("-12.5"), pieces=-12, cents=Decimal("-12.5")).create()
        Amounts(money=Decimal("7.0001"), pieces=7, cents=Decimal("7")).create()
        assert [r.id for r in Amounts.query_list(rsql="money=cole=pieces")] == [same.id]
        assert [r.id for r in Amounts.query_list(rsql="pieces=cole=money")] == [same.id]
        assert len(Amounts.query_list(rsql="money=cole=cents")) == 2   # decimal with decimal


# ── through HTTP, general and compiled paths ────────────────────────────────
EXTREMES = [{name: Decimal(f"{sign}{'9' * p}E-{s}") for name, (p, s) in PRECISIONS.items()}
            for sign in ("", "-")] + [{name: Decimal(f"1E-{s}") for name, (_, s) in
                                       PRECISIONS.items()}, {"money": Decimal("0E-4")}]
PAGE = """{ amountsQuery { queryPage(page: {size: 10, sort: {orders: [{field: "money"}]}}) {
    content { %s } } } }""" % " ".join(PRECISIONS)


@pytest.mark.parametrize("compiled", [False, True], ids=["general", "compiled"])
def test_graphql_answers_every_digit(amounts: App, database_url: str, compiled: bool) -> None:
    with amounts.transaction():
        for values in EXTREMES:
            Amounts(**values).create()
    app = boot(database=database_url, modules=[decexact], lifecycle="reload",
               options={"module_online": "never"})
    app.settings.server = {"graphql": {"compiled": compiled}}
    server = Server(app.asgi)  # closes the app when it stops
    try:
        content = server.gql(PAGE).ok()["amountsQuery"]["queryPage"]["content"]
    finally:
        server.stop()
    expected = sorted(EXTREMES, key=lambda values: values["money"])
    assert content == [{name: None if name not in values else format(values[name], "f")
                        for name in PRECISIONS} for values in expected]


def test_sqlite_stores_text_that_never_looks_like_a_number(amounts: App) -> None:
    """On SQLite the NUMERIC column holds text (a number-looking text would be turned
    into a REAL by NUMERIC affinity); elsewhere, NUMERIC."""
    with amounts.transaction():
        Amounts(money=Decimal("9876543210987654.3219")).create()
    with amounts.engine.connect() as connection:
        stored: Any = connection.execute(sa.text(
            "SELECT money FROM decexact_amounts")).scalar_one()
    if amounts.dialect == "sqlite":
        assert stored == "P169876543210987654.3219"
    else:
        assert stored == Decimal("9876543210987654.3219")
