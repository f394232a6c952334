"""`__in` and RSQL `=in=` / `=out=` lists (one array parameter on PostgreSQL): a value
longer than its column never matches by its prefix, NULLs and negation behave as SQL IN,
and a long list reads what a short one does."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from modelry import Model, Module, directives, fields
from modelry.boot import App

inlists = Module("inlists", display_name="In lists")


class Code(Model, model="inlists.Code"):
    """A short code."""

    code = fields.String(size=4)
    rank = fields.Integer()


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    booted = make_app([inlists])
    with booted.activate(), directives.backend_scope():
        with booted.transaction():
            Code.insert_bulk([{"code": "abcd", "rank": 1}, {"code": "ab", "rank": 2},
                              {"code": None, "rank": 3}])
        yield booted


def ranks(records: list[Model]) -> list[int]:
    return sorted(record.rank for record in records)


def test_a_value_longer_than_the_column_matches_nothing(app: App) -> None:
    assert Code.query_list(code__in=["abcdXYZ"]) == []
    assert Code.query_list("code=in=(abcdXYZ,zz)") == []
    assert ranks(Code.query_list(code__in=["abcdXYZ", "abcd"])) == [1]


def test_nulls_and_negation_behave_as_in(app: App) -> None:
    assert ranks(Code.query_list(code__in=["ab", None])) == [2]
    assert ranks(Code.query_list("code=out=(ab)")) == [1, 3]   # a NULL is not in (ab)
    assert ranks(Code.query_list(rank__in=[1, 3, 99])) == [1, 3]


def test_a_long_list_reads_what_a_short_one_does(app: App) -> None:
    many = [f"x{n}" for n in range(3000)] + ['a"b', "a\\b", "ab"]
    assert ranks(Code.query_list(code__in=many)) == [2]
    assert ranks(Code.query_list(rank__in=list(range(2, 5000)))) == [2, 3]
