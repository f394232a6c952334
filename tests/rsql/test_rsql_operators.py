"""Every operator, executed on each database, asserting the ids a user would get back."""
from __future__ import annotations

import pytest

CASES = [
    ("rank==2", [2]),
    ("rank!=2", [1, 3, 4, 5]),
    ("rank=lt=2", [1]),
    ("rank<2", [1]),
    ("rank=le=2", [1, 2]),
    ("rank<=2", [1, 2]),
    ("rank=gt=4", [5]),
    ("rank>4", [5]),
    ("rank=ge=4", [4, 5]),
    ("rank>=4", [4, 5]),
    ("rank=in=(1,4,9)", [1, 4]),
    ("rank=in=2", [2]),
    ("rank=out=(1,4)", [2, 3, 5]),
    ("rank=isnull=true", [3]),
    ("rank=isnull=false", [1, 2, 4, 5]),
    ("rank=notnull=true", [1, 2, 4, 5]),
    ("rank=notnull=false", [3]),
    ("description=like=and", [1, 4, 5]),
    ("description=notlike=and", [2, 3]),
    ("name=starts=Dog", [2]),
    ("name=notstarts=Dog", [1, 3, 4, 5]),
    ("name=ends=co", [3]),
    ("name=notends=co", [1, 2, 4, 5]),
    ("income=cole=cost", [1, 4]),
    ("income=colnot=cost", [2, 3, 5]),
    ("name==Dog*", [2]),
    ("name==*house", [2]),
    ("name==*i*", [1, 3, 4]),
    ("name!=*i*", [2, 5]),
    ("name=='Dog house'", [2]),
    ("name==\"Dog house\"", [2]),
    ("rank=IN=(1,2)", [1, 2]),
]


@pytest.mark.parametrize(("rsql", "expected"), CASES, ids=[case[0] for case in CASES])
def test_operator(ids, rsql: str, expected: list[int]) -> None:
    assert ids(rsql) == expected


LOGIC = [
    ("rank=gt=1;rank=lt=5", [2, 4]),
    ("rank=gt=1 and rank=lt=5", [2, 4]),
    ("rank==1,rank==5", [1, 5]),
    ("rank==1 or rank==5", [1, 5]),
    ("rank==1 OR rank==5 AND active==false", [1, 5]),   # AND binds tighter
    ("rank==1,rank==5;active==false", [1, 5]),
    ("(rank==1,rank==5);active==false", [5]),
    ("((rank==1 or rank==2) and (active==true or rank==2)) or rank==4", [1, 2, 4]),
    ("  rank == 1 ;  name == 'Kitty corner'  ", [1]),
]


@pytest.mark.parametrize(("rsql", "expected"), LOGIC, ids=[case[0] for case in LOGIC])
def test_and_or_parentheses(ids, rsql: str, expected: list[int]) -> None:
    assert ids(rsql) == expected


def test_blank_filter_matches_everything(ids) -> None:
    assert ids("   ") == [1, 2, 3, 4, 5]
