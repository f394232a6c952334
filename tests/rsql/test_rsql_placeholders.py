"""`$#{name}` placeholders: resolved from the mapping, bound like any value."""
from __future__ import annotations

import datetime as dt

import pytest

from modelry.core.rsql import (
    RsqlArgumentError, RsqlUnknownPlaceholder, RsqlValueError, compile_filter)

from .models import ShopStatus

CASES = [
    ("owner_id==$#{currentUserId}", {"currentUserId": 1}, [1, 5]),
    ("owner_id==$#{currentUserId}", {"currentUserId": "2"}, [2]),
    ("rank=in=$#{ranks}", {"ranks": [1, 2]}, [1, 2]),
    ("rank=out=$#{ranks}", {"ranks": (1, 2)}, [3, 4, 5]),
    ("rank=in=$#{ranks}", {"ranks": []}, []),
    ("rank=out=$#{ranks}", {"ranks": []}, [1, 2, 3, 4, 5]),
    ("rank=in=($#{first},4)", {"first": 1}, [1, 4]),
    ("name==$#{name}", {"name": "Kitty corner"}, [1]),
    ("name==$#{name}", {"name": "Kitty*"}, []),            # a placeholder is never a pattern
    ("name=='$#{name}'", {}, []),                           # quoted: plain text
    ("opened==$#{day}", {"day": dt.date(2024, 1, 15)}, [1, 5]),
    ("status==$#{status}", {"status": ShopStatus.CLOSED}, [2]),
    ("owner.city.name==$#{city}", {"city": "Paris"}, [1, 5]),
    ("tags=in=$#{tags}", {"tags": {3}}, [4]),
    ("$#{x}==1", None, None),
]


@pytest.mark.parametrize(("rsql", "placeholders", "expected"), CASES[:-1],
                         ids=[f"{c[0]}:{c[1]}" for c in CASES[:-1]])
def test_placeholder(ids, rsql: str, placeholders: dict, expected: list[int]) -> None:
    assert ids(rsql, placeholders=placeholders) == expected


def test_unknown_placeholder(shop_meta, rsql_schema) -> None:
    with pytest.raises(RsqlUnknownPlaceholder) as caught:
        compile_filter("rank==1;owner_id==$#{currentUserId}", shop_meta, rsql_schema, {"x": 1})
    error = caught.value
    assert (error.code, error.position, error.model, error.field) == (
        "RSQL_UNKNOWN_PLACEHOLDER", 18, "rsqltest.Shop", "owner")
    assert "currentUserId" in error.message


def test_list_placeholder_needs_a_list_operator(shop_meta, rsql_schema) -> None:
    with pytest.raises(RsqlArgumentError) as caught:
        compile_filter("rank==$#{ranks}", shop_meta, rsql_schema, {"ranks": [1, 2]})
    assert caught.value.position == 6


@pytest.mark.parametrize(("rsql", "value"), [
    ("rank=lt=$#{v}", None), ("rank==$#{v}", {"a": 1}), ("rank=in=$#{v}", [1, None]),
    ("opened==$#{v}", dt.datetime(2024, 1, 1)), ("active==$#{v}", "maybe")])
def test_placeholder_value_must_convert(shop_meta, rsql_schema, rsql: str, value: object) -> None:
    with pytest.raises(RsqlValueError) as caught:
        compile_filter(rsql, shop_meta, rsql_schema, {"v": value})
    assert caught.value.position == rsql.index("$")
