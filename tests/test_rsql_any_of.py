"""`any_of`: keyword filter groups as an RSQL filter made of nodes, on every database:
it matches what the same filter typed as text matches; its values are bound (quotes,
commas, stars and parentheses are plain characters), dates and times included; it is not
held to the text's length; it refuses what it cannot spell."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from modelry import directives
from modelry.boot import App
from modelry.core.rsql import any_of
from modelry.modules.demo.models import PetShop, ShopStatus
from tests.sql_capture import statements

ODD = 'x",y*)(;z\\'


@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    with directives.backend_scope():
        yield


def shops(app: App) -> None:
    rows = [("a", ShopStatus.OPEN, 3, dt.datetime(2026, 1, 1, 8)),
            ("b", ShopStatus.OPEN, 4, dt.datetime(2026, 1, 15)),
            ("c", ShopStatus.CLOSED, 1, dt.datetime(2026, 1, 31, 23, 59)),
            ("d", ShopStatus.CLOSED, 2, dt.datetime(2026, 2, 1)),
            (ODD, None, 7, None)]
    with app.transaction():
        for name, status, employees, visit in rows:
            PetShop(name=name, status=status, employees=employees, last_visit=visit).create()


def names(found: list) -> list[str]:
    return sorted(shop.name for shop in found)


def test_groups_match_what_the_typed_filter_matches(app: App) -> None:
    shops(app)
    with app.transaction():
        built = PetShop.query_list(any_of([
            {"name__in": ["a", "b"], "employees__ge": 4},
            {"status": ShopStatus.CLOSED, "employees__lt": 2}]))
        typed = PetShop.query_list(rsql="(name=in=(a,b);employees=ge=4),"
                                   "(status==CLOSED;employees=lt=2)")
        assert names(built) == names(typed) == ["b", "c"]
        assert names(PetShop.query_list(any_of([{"name__out": ["a", "b"],
                                                 "employees__ne": 7}]))) == ["c", "d"]


def test_datetimes_bound_as_windows_one_statement_with_totals(app: App) -> None:
    shops(app)
    january = {"last_visit__ge": dt.datetime(2026, 1, 1),
               "last_visit__lt": dt.datetime(2026, 2, 1)}
    with app.transaction(), statements(app.engine) as seen:
        totals = PetShop.group_totals("status", ["employees"], any_of([
            {"status": ShopStatus.OPEN, **january},
            {"status": ShopStatus.CLOSED, "last_visit__ge": dt.datetime(2026, 1, 31),
             "last_visit__le": dt.datetime(2026, 2, 1)}]))
    assert [(row["status"], row["employees"], row["count"]) for row in totals] == [
        (ShopStatus.CLOSED, 3, 2), (ShopStatus.OPEN, 7, 2)]
    assert len(seen) == 1


def test_values_are_bound_and_no_text_limit_holds(app: App) -> None:
    shops(app)
    many = [f"shop-{n:04d}" for n in range(900)] + [ODD]     # past 4,096 characters as text
    with app.transaction():
        assert names(PetShop.query_list(any_of([{"name": ODD}]))) == [ODD]
        assert names(PetShop.query_list(any_of([{"name__in": many}]))) == [ODD]
        assert names(PetShop.query_list(any_of([{"name": "x*"}]))) == []


@pytest.mark.parametrize("groups, refusal", [
    ([], "at least one group"), ([{}], "no empty group"),
    ([{"name__like": "a"}], "unknown operator 'like'"), ([{"name__in": []}], "lists no value"),
    ([{"name": None}], "None is no value")])
def test_what_it_cannot_spell_is_refused(groups: list, refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        any_of(groups)
