"""Dotted paths across every relation kind, one and two levels deep, on each database."""
from __future__ import annotations

import pytest

SHOP_CASES = [
    # many-to-one
    ("owner.name==Alice", [1, 5]),
    ("owner.name!=Alice", [2, 3, 4]),           # NOT EXISTS: shop 4 has no owner
    ("owner.name=like=o", [2, 3]),
    ("owner.id==1", [1, 5]),                    # read from owner_id, no subquery
    ("owner.id=isnull=true", [4]),
    ("parent=isnull=true", [1, 5]),
    ("parent.name=='Kitty corner'", [2, 4]),    # self-reference
    ("parent.income=cole=cost", [2, 4]),        # columns of the parent
    # many-to-one, two levels
    ("owner.city.name==Paris", [1, 5]),
    ("owner.city.name!=Paris", [2, 3, 4]),
    ("owner.city.name=isnull=true", [3, 4]),
    ("parent.parent.name=='Kitty corner'", [3]),
    # one-to-many
    ("items.item_name==collar", [1]),
    ("items.itemName==collar", [1]),
    ("items.price=gt=15", [2]),
    ("items.item_name!=collar", [2, 3, 4, 5]),  # no item called collar
    ("items=isnull=true", [4, 5]),
    ("items=notnull=true", [1, 2, 3]),
    ("items.price=isnull=true", [3, 4, 5]),
    ("items=in=(1,3)", [1, 2]),
    # many-to-many
    ("tags.name==red", [1, 2]),
    ("tags.name!=red", [3, 4, 5]),
    ("tags.name=in=(blue,green)", [1, 4, 5]),
    ("tags=in=(1,3)", [1, 2, 4]),
    ("tags.id==2", [1, 5]),
    ("tags=isnull=true", [3]),
    ("tags.color=isnull=true", [3, 4]),
    ("tags.name==red;tags.name==blue", [1]),
    # two levels through to-many relations
    ("items.labels.name==green", [2]),
    ("items.labels.name==red", [1]),
    ("items.shop.name=='Dog house'", [2]),
    ("owner.city.owners.name==Alice", [1, 5]),
]


@pytest.mark.parametrize(("rsql", "expected"), SHOP_CASES, ids=[c[0] for c in SHOP_CASES])
def test_shop_path(ids, rsql: str, expected: list[int]) -> None:
    assert ids(rsql) == expected


OTHER_CASES = [
    ("rsqltest.City", "owners.name==Alice", [1]),
    ("rsqltest.City", "owners=isnull=true", []),
    ("rsqltest.Item", "shop.tags.name==blue", [1, 2]),
    ("rsqltest.Item", "labels=isnull=true", [2, 4, 5]),
    ("rsqltest.Item", "shop.owner.city.name==Lyon", [3]),
    ("rsqltest.Item", "shop=isnull=true", [5]),
]


@pytest.mark.parametrize(("model", "rsql", "expected"), OTHER_CASES,
                         ids=[f"{c[0]}:{c[1]}" for c in OTHER_CASES])
def test_other_model_path(ids, model: str, rsql: str, expected: list[int]) -> None:
    assert ids(rsql, model=model) == expected
