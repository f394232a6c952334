"""NULL semantics: a negated operator matches exactly what its positive form does not."""
from __future__ import annotations

import pytest

from .data import ALL_SHOPS

PAIRS = [
    ("rank==2", "rank!=2"),
    ("rank=in=(1,2)", "rank=out=(1,2)"),
    ("description=like=and", "description=notlike=and"),
    ("name=starts=D", "name=notstarts=D"),
    ("name=ends=e", "name=notends=e"),
    ("income=cole=cost", "income=colnot=cost"),
    ("rank=notnull=true", "rank=isnull=true"),
    ("rank=isnull=false", "rank=notnull=false"),
    ("name==*o*", "name!=*o*"),
    ("status==OPEN", "status!=OPEN"),
    ("active==true", "active!=true"),
    ("owner.name==Alice", "owner.name!=Alice"),
    ("owner.city.name==Paris", "owner.city.name!=Paris"),
    ("items.price=in=(5,20)", "items.price=out=(5,20)"),
    ("tags.name==red", "tags.name!=red"),
    ("tags.color=notnull=true", "tags.color=isnull=true"),
    ("parent.income=cole=cost", "parent.income=colnot=cost"),
]


@pytest.mark.parametrize(("positive", "negated"), PAIRS, ids=[p[1] for p in PAIRS])
def test_negation_is_the_exact_complement(ids, positive: str, negated: str) -> None:
    matched, rest = ids(positive), ids(negated)
    assert not set(matched) & set(rest)
    assert sorted(matched + rest) == ALL_SHOPS


def test_not_equal_includes_null(ids) -> None:
    assert 3 in ids("rank!=2")            # rank is NULL on shop 3
    assert 3 in ids("rank=out=(1,2)")
    assert 5 in ids("name!='Dog house'")  # name is NULL on shop 5


def test_ordering_never_matches_null(ids) -> None:
    assert ids("rank=lt=100") == [1, 2, 4, 5]
    assert ids("rank=ge=-100") == [1, 2, 4, 5]


def test_null_placeholder_means_is_null(ids) -> None:
    assert ids("rank==$#{nothing}", placeholders={"nothing": None}) == [3]
    assert ids("rank!=$#{nothing}", placeholders={"nothing": None}) == [1, 2, 4, 5]


def test_cole_needs_both_values(ids) -> None:
    assert 3 not in ids("income=cole=cost")   # income NULL
    assert 5 in ids("income=colnot=cost")     # cost NULL
