"""Path length: a selector or sort key crosses at most `max_path_hops` relations (6).

Each relation crossed nests a subquery; ten of them overflowed SQLite's parser and 340
exhausted Python's recursion while SQL was built. A longer path is refused first.
"""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from modelry.core.rsql import (
    DEFAULT_LIMITS, RsqlLimits, RsqlPathTooLong, compile_filter, compile_sort, parse)


def shop_path(hops: int, leaf: str = "id") -> str:
    """`items.shop.items.shop…` crossing `hops` relations, then `leaf`."""
    return ".".join((["items", "shop"] * hops)[:hops] + [leaf])


def test_default_is_six_hops() -> None:
    assert DEFAULT_LIMITS.max_path_hops == 6


def test_parse_refuses_a_selector_with_more_dots_than_the_limit() -> None:
    text = f"name==x;{shop_path(7)}==1"
    with pytest.raises(RsqlPathTooLong) as caught:
        parse(text)
    error = caught.value
    assert error.code == "RSQL_PATH_TOO_LONG"
    assert error.field == shop_path(7)
    assert f"path '{shop_path(7)}' crosses more than 6 relations" in error.message
    # the position is where the seventh relation starts
    assert error.position == len("name==x;") + len(shop_path(6, ""))
    assert text[error.position:].startswith("items.id==1")


def test_a_path_of_340_hops_is_refused_at_once_and_not_echoed() -> None:
    text = f"{shop_path(340)}==1"
    began = time.perf_counter()
    with pytest.raises(RsqlPathTooLong) as caught:
        parse(text)
    elapsed = time.perf_counter() - began
    assert elapsed < 1, elapsed  # was 300 ms before RecursionError; generous bound
    assert len(caught.value.message) < 300
    assert caught.value.field.endswith("…")


def test_the_limit_is_configurable_and_bounded() -> None:
    assert parse("owner.city.name==x", RsqlLimits(max_path_hops=2)) is not None
    with pytest.raises(RsqlPathTooLong):
        parse("owner.city.name==x", RsqlLimits(max_path_hops=1))
    with pytest.raises(RsqlPathTooLong) as caught:
        parse("owner.name==x", RsqlLimits(max_path_hops=0))
    assert caught.value.position == 0
    with pytest.raises(ValueError):
        RsqlLimits(max_path_hops=11)
    with pytest.raises(ValueError):
        RsqlLimits(max_path_hops=-1)


def test_resolving_counts_a_final_to_many_relation(shop_meta, rsql_schema) -> None:
    """`items.labels` has one dot but crosses two relations; a final ManyToOne is its
    column (`owner.city` is owner's city_id) and crosses one."""
    one_hop = RsqlLimits(max_path_hops=1)
    compile_filter("owner.city==1", shop_meta, rsql_schema, limits=one_hop)
    with pytest.raises(RsqlPathTooLong) as caught:
        compile_filter("name==x;items.labels==1", shop_meta, rsql_schema, limits=one_hop)
    assert (caught.value.model, caught.value.position) == ("rsqltest.Shop", 14)


def test_a_parsed_node_is_checked_when_resolved(shop_meta, rsql_schema) -> None:
    node = parse(f"{shop_path(7)}==1", RsqlLimits(max_path_hops=10))
    with pytest.raises(RsqlPathTooLong) as caught:
        compile_filter(node, shop_meta, rsql_schema)
    assert caught.value.model == "rsqltest.Shop"


SIX_HOPS = [  # (a path crossing six relations, a shorter one selecting the same shops)
    ("items.shop.items.shop.items.shop.name=='Kitty corner'", "items.shop.name=='Kitty corner'"),
    ("owner.city.owners.city.owners.city.name==Paris", "owner.city.name==Paris"),
    ("items.shop.items.shop.items.labels.name==red", "items.labels.name==red"),
    ("parent.parent.parent.parent.parent.parent.name!=x", "name!=x"),
]


@pytest.mark.parametrize(("long", "short"), SIX_HOPS, ids=[c[0] for c in SIX_HOPS])
def test_six_hops_run_on_every_database(ids, long: str, short: str) -> None:
    """The longest paths allowed run (SQLite overflowed at ten nested subqueries)."""
    assert ids(long) == ids(short)
    with pytest.raises(RsqlPathTooLong):
        ids(f"parent.{long}")


def test_sort_keys_are_limited_too(rsql_engine, shop_meta, rsql_schema) -> None:
    six = ".".join(["parent"] * 6 + ["name"])
    table = rsql_schema.table(shop_meta)
    statement = sa.select(table.c.id).order_by(*compile_sort(six, shop_meta, rsql_schema),
                                               table.c.id)
    with rsql_engine.connect() as connection:
        assert list(connection.scalars(statement)) == [1, 2, 3, 4, 5]
    for sort in (f"name,parent.{six}", [{"field": f"parent.{six}"}]):
        with pytest.raises(RsqlPathTooLong) as caught:
            compile_sort(sort, shop_meta, rsql_schema)
        assert caught.value.model == "rsqltest.Shop"
