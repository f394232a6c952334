"""Sorting: strings and GraphQL orders, checked against metadata, NULL smallest everywhere."""
from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql

from modelry.core.rsql import (
    RsqlSortError, RsqlTooLong, RsqlUnknownField, compile_filter, compile_sort)


@pytest.fixture
def sorted_ids(rsql_engine, rsql_schema, shop_meta) -> Callable[..., list[int]]:
    """Shop ids in the order `sort` gives (optionally filtered)."""
    table = rsql_schema.table(shop_meta)

    def run(sort, rsql: str = "") -> list[int]:
        statement = (sa.select(table.c.id)
                     .where(compile_filter(rsql, shop_meta, rsql_schema))
                     .order_by(*compile_sort(sort, shop_meta, rsql_schema)))
        with rsql_engine.connect() as connection:
            return list(connection.scalars(statement))
    return run


CASES = [
    ("rank", [3, 1, 2, 4, 5]),
    ("-rank", [5, 4, 2, 1, 3]),
    ("+rank", [3, 1, 2, 4, 5]),
    ("name", [5, 4, 2, 3, 1]),
    ("-income,id", [2, 1, 5, 4, 3]),
    ("active,-id", [3, 5, 2, 4, 1]),
    ("status,id", [3, 2, 1, 5, 4]),
    ("opened,-rank", [3, 2, 5, 1, 4]),
    ("owner,id", [4, 1, 5, 2, 3]),
    ("-owner.name,id", [3, 2, 1, 5, 4]),
    ("owner.city.name,id", [3, 4, 2, 1, 5]),
    ("parent.rank,-id", [5, 1, 4, 2, 3]),
    (" updatedAt , id ", [3, 2, 1, 5, 4]),
    ([{"field": "rank", "direction": "DESC"}], [5, 4, 2, 1, 3]),
    ([{"field": "rank", "direction": "desc"}], [5, 4, 2, 1, 3]),
    ([{"field": "level"}, {"field": "id", "direction": "DESC"}], [3, 5, 1, 4, 2]),
    ([{"field": "owner.name", "direction": "ASC"}, {"field": "id"}], [4, 1, 5, 2, 3]),
    ("", [1, 2, 3, 4, 5]),
]


@pytest.mark.parametrize(("sort", "expected"), CASES, ids=[str(c[0]) for c in CASES])
def test_sort(sorted_ids, sort, expected: list[int]) -> None:
    ordered = sorted_ids(sort)
    if sort:
        assert ordered == expected
    else:
        assert sorted(ordered) == expected


def test_sort_with_filter(sorted_ids) -> None:
    assert sorted_ids("-rank", "rank=notnull=true") == [5, 4, 2, 1]


ERRORS = [
    ("rank,nme", RsqlUnknownField, 5, "nme"),
    ("-owner.nme", RsqlUnknownField, 7, "nme"),
    ("tags.name", RsqlSortError, 0, "tags.name"),
    ("items", RsqlSortError, 0, "items"),
    ("rank,payload", RsqlSortError, 5, "payload"),
    ("rank,,name", RsqlSortError, 5, None),
    ("rank, -", RsqlSortError, 6, None),
    ([{"field": "rank"}, {"field": "name", "direction": "UP"}], RsqlSortError, 1, None),
    ([{"direction": "ASC"}], RsqlSortError, 0, None),
    ([{"field": "nope"}], RsqlUnknownField, 0, "nope"),
]


@pytest.mark.parametrize(("sort", "kind", "position", "field"), ERRORS,
                         ids=[str(e[0]) for e in ERRORS])
def test_sort_errors(shop_meta, rsql_schema, sort, kind, position: int, field) -> None:
    with pytest.raises(kind) as caught:
        compile_sort(sort, shop_meta, rsql_schema)
    assert caught.value.position == position
    assert caught.value.field == field


def test_sort_too_long(shop_meta, rsql_schema) -> None:
    with pytest.raises(RsqlTooLong):
        compile_sort("rank," * 1000, shop_meta, rsql_schema)


def test_sort_keys_render_per_dialect(shop_meta, rsql_schema) -> None:
    table = rsql_schema.table(shop_meta)
    statement = sa.select(table.c.id).order_by(*compile_sort("rank,-name", shop_meta,
                                                             rsql_schema))
    postgres = str(statement.compile(dialect=postgresql.dialect()))
    maria = str(statement.compile(dialect=mysql.dialect()))
    assert "rank ASC NULLS FIRST" in postgres and "name DESC NULLS LAST" in postgres
    assert "NULLS" not in maria and "`rank` ASC" in maria
