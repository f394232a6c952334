"""`Model.group_totals`: one grouped statement; groups ordered with NULL first; totals of
the field's kind, exact for decimals on every database (SQLite adds them in Python);
filters and record rules narrow it; bad arguments are refused naming the field."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from modelry import DataError, directives
from modelry.boot import App
from modelry.modules.demo.models import PetItem, PetShop, ShopStatus
from tests.sql_capture import statements


@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    with directives.backend_scope():
        yield


def shops(app: App) -> None:
    """Five shops: two open, two closed, one with no status; decimals past a float's digits."""
    rows = [("a", ShopStatus.OPEN, 3, 10, 1.5, "0.1000"), ("b", ShopStatus.OPEN, 4, 20, 2.0,
                                                            "0.2000"),
            ("c", ShopStatus.CLOSED, 1, 2**40, None, "12345678901234.5678"),
            ("d", ShopStatus.CLOSED, 2, 2**40, 0.5, "0.0001"), ("e", None, 7, 0, None, None)]
    with app.transaction():
        for name, status, employees, visits, rating, income in rows:
            PetShop(name=name, status=status, employees=employees, visits=visits,
                    rating=rating, income=None if income is None else Decimal(income)).create()


def test_totals_per_group_ordered_with_null_first(app: App) -> None:
    shops(app)
    with app.transaction():
        totals = PetShop.group_totals("status", ["employees", "visits", "rating", "income"])
    assert totals == [
        {"status": None, "employees": 7, "visits": 0, "rating": 0.0, "income": Decimal(0),
         "count": 1},
        {"status": ShopStatus.CLOSED, "employees": 3, "visits": 2**41, "rating": 0.5,
         "income": Decimal("12345678901234.5679"), "count": 2},
        {"status": ShopStatus.OPEN, "employees": 7, "visits": 30, "rating": 3.5,
         "income": Decimal("0.3000"), "count": 2}]
    for row in totals:
        assert type(row["employees"]) is int and type(row["visits"]) is int
        assert isinstance(row["income"], Decimal) and isinstance(row["rating"], float)


def test_no_group_is_the_grand_total_and_filters_narrow_it(app: App) -> None:
    shops(app)
    with app.transaction():
        assert PetShop.group_totals(sums=["employees"]) == [{"employees": 17, "count": 5}]
        assert PetShop.group_totals(sums=["employees"], name__in=["a", "c"]) == \
            [{"employees": 4, "count": 2}]
        assert PetShop.group_totals("status", ["visits"], rsql="employees=gt=2") == [
            {"status": None, "visits": 0, "count": 1},
            {"status": ShopStatus.OPEN, "visits": 30, "count": 2}]
        assert PetShop.group_totals(sums=["visits"], name="nobody") == \
            [{"visits": 0, "count": 0}]
        assert PetShop.group_totals("status", ["visits"], name="nobody") == []


def test_a_many_to_one_groups_by_id_in_one_statement(app: App) -> None:
    with app.transaction():
        kept = PetShop(name="kept").create()
        other = PetShop(name="other").create()
        PetItem.insert_bulk([{"item_name": f"i{n}", "shop": getattr(shop, "id", None), "stock": n}
                             for n, shop in enumerate([kept, kept, other, None])])
        with statements(app.engine) as sent:
            by_shop = PetItem.group_totals(["shop"], ["stock"])
        by_both = PetItem.group_totals(["shop", "breed"], ["stock"])
    assert len(sent) == 1 and "GROUP BY" in sent[0]
    assert by_shop == [{"shop": None, "stock": 3, "count": 1},
                       {"shop": kept.id, "stock": 1, "count": 2},
                       {"shop": other.id, "stock": 2, "count": 1}]
    assert [(row["shop"], row["breed"]) for row in by_both] == \
        [(None, None), (kept.id, None), (other.id, None)]


@pytest.mark.parametrize(("group_by", "sums", "code", "field"), [
    ("status", ["name"], "NOT_NUMERIC", "name"),
    ("status", ["nothing"], "UNKNOWN_FIELD", "nothing"),
    ("items", ["employees"], "NOT_A_COLUMN", "items"),
    ("status", "employees", "BAD_TOTALS", None),
    ("status", [], "BAD_TOTALS", None),
])
def test_bad_arguments_are_refused_naming_the_field(app: App, group_by: str, sums: object,
                                                    code: str, field: str | None) -> None:
    with pytest.raises(DataError) as refused, app.transaction():
        PetShop.group_totals(group_by, sums)
    assert (refused.value.code, refused.value.model, refused.value.field) == \
        (code, "demo.PetShop", field)


def test_maxes_and_mins_per_group_of_numbers_and_dates(app: App) -> None:
    shops(app)
    with app.transaction():
        PetShop.update_where({"name": "a"}, opened_on=dt.date(2026, 1, 5))
        PetShop.update_where({"name": "b"}, opened_on=dt.date(2025, 3, 1))
        totals = PetShop.group_totals("status", ["employees"], maxes=["income", "opened_on"],
                                      mins=["income", "rating"])
        only = PetShop.group_totals(maxes=["visits"], name__in=["a", "b"])
    assert totals == [
        {"status": None, "employees": 7, "max_income": None, "max_opened_on": None,
         "min_income": None, "min_rating": None, "count": 1},
        {"status": ShopStatus.CLOSED, "employees": 3,
         "max_income": Decimal("12345678901234.5678"), "max_opened_on": None,
         "min_income": Decimal("0.0001"), "min_rating": 0.5, "count": 2},
        {"status": ShopStatus.OPEN, "employees": 7, "max_income": Decimal("0.2000"),
         "max_opened_on": dt.date(2026, 1, 5), "min_income": Decimal("0.1000"),
         "min_rating": 1.5, "count": 2}]
    assert only == [{"max_visits": 20, "count": 2}]


def test_a_text_field_has_no_extreme(app: App) -> None:
    with pytest.raises(DataError) as refused, app.transaction():
        PetShop.group_totals(maxes=["name"])
    assert (refused.value.code, refused.value.field) == ("NOT_NUMERIC", "name")
