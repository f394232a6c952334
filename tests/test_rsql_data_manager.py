"""RSQL through the data manager: filters, sorting, placeholders, errors — on every database."""
from __future__ import annotations

from decimal import Decimal

import pytest

from modelry.core.rsql import RsqlError
from modelry.errors import DataError
from modelry.modules.demo.models import PetItem, PetShop, ShopStatus
from modelry.modules.demo.sample import load_sample_data


@pytest.fixture
def shops(app):
    load_sample_data(shops=6, items_per_shop=3)
    return {shop.code: shop for shop in PetShop.query_list()}


def codes(records):
    return [record.code for record in records]


def test_query_list_filters_with_rsql_and_sorts(shops):
    found = PetShop.query_list(rsql="status==OPEN,income=ge=5000", sort="-income")
    assert codes(found) == ["S006", "S005", "S003"]
    assert all(s.status is ShopStatus.OPEN or s.income >= Decimal(5000) for s in found)


def test_rsql_combines_with_keyword_filters(shops):
    found = PetShop.query_list(rsql="income=gt=1000", employees__le=3)
    assert codes(found) == ["S002", "S003"]


def test_dotted_paths_across_relations(shops):
    by_owner = PetShop.query_list(rsql="owner.name==Bob", sort="code")
    assert codes(by_owner) == ["S001", "S004"]
    by_tag = PetShop.query_list(rsql="tags.name==fish", sort="code")
    assert all("fish" in [t.name for t in shop.tags] for shop in by_tag) and by_tag
    by_item = PetShop.query_list(rsql="items.itemName=='Item 2.1'")
    assert codes(by_item) == ["S002"]


def test_query_page_count_and_sort_orders(shops):
    page = PetShop.query_page(rsql="income=gt=1000", page=2, size=2,
                              sort=[{"field": "income", "direction": "DESC"}])
    assert (page.total_elements, page.total_pages, page.current_page) == (5, 3, 2)
    assert codes(page.content) == ["S004", "S003"]
    assert PetShop.count(rsql="status=in=(OPEN,CLOSED)") == 4


def test_sort_across_many_to_one(shops):
    items = PetItem.query_list(rsql="shop.code=in=(S001,S002)", sort="-shop.income,item_name")
    assert [i.item_name for i in items] == ["Item 2.1", "Item 2.2", "Item 2.3",
                                            "Item 1.1", "Item 1.2", "Item 1.3"]


def test_placeholder_current_user(app, shops):
    with app.acting_as(42):
        PetShop(name="Mine", code="MINE").create()
        mine = PetShop.query_list(rsql="createUid==$#{currentUserId}")
    assert codes(mine) == ["MINE"]


def test_rsql_errors_name_model_field_and_position(shops):
    with pytest.raises(RsqlError) as unknown:
        PetShop.query_list(rsql="name==x;nmae==y")
    assert unknown.value.code == "RSQL_UNKNOWN_FIELD"
    assert (unknown.value.model, unknown.value.field, unknown.value.position) == (
        "demo.PetShop", "nmae", 8)
    assert isinstance(unknown.value, DataError)
    with pytest.raises(RsqlError) as bad_sort:
        PetShop.query_list(sort="tags.name")
    assert bad_sort.value.code == "RSQL_BAD_SORT"
    with pytest.raises(RsqlError) as bad_value:
        PetShop.count(rsql="income=gt=lots")
    assert bad_value.value.code == "RSQL_BAD_VALUE" and bad_value.value.field == "income"
