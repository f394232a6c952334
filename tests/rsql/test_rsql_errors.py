"""Compile errors: each kind with its code, position in the text, model and field."""
from __future__ import annotations

import pytest

from modelry.core import rsql
from modelry.core.rsql import (
    RsqlArgumentError, RsqlError, RsqlOperatorNotAllowed, RsqlUnknownField, RsqlValueError,
    compile_filter)
from modelry.errors import ModelryError

SHOP, OWNER = "rsqltest.Shop", "rsqltest.Owner"

CASES = [
    # unknown fields (the allow-list), in paths too
    ("nme==x", RsqlUnknownField, 0, SHOP, "nme"),
    ("rank==1;owner.nme==x", RsqlUnknownField, 14, OWNER, "nme"),
    ("owner.city.nme==x", RsqlUnknownField, 11, "rsqltest.City", "nme"),
    ("name.first==x", RsqlUnknownField, 0, SHOP, "name"),
    ("shop_idx==1", RsqlUnknownField, 0, SHOP, "shop_idx"),
    ("name_id==1", RsqlUnknownField, 0, SHOP, "name_id"),
    # operators that do not apply to the type
    ("active=lt=true", RsqlOperatorNotAllowed, 6, SHOP, "active"),
    ("rank=like=1", RsqlOperatorNotAllowed, 4, SHOP, "rank"),
    ("payload==x", RsqlOperatorNotAllowed, 7, SHOP, "payload"),
    ("blob=in=(a)", RsqlOperatorNotAllowed, 4, SHOP, "blob"),
    ("level=starts=1", RsqlOperatorNotAllowed, 5, SHOP, "level"),
    ("opened=ends=1", RsqlOperatorNotAllowed, 6, SHOP, "opened"),
    ("owner.city=like=1", RsqlOperatorNotAllowed, 10, OWNER, "city"),
    ("rank==1*", RsqlOperatorNotAllowed, 6, SHOP, "rank"),
    ("payload=cole=blob", RsqlOperatorNotAllowed, 7, SHOP, "payload"),
    ("income=cole=name", RsqlOperatorNotAllowed, 12, SHOP, "name"),
    ("status=cole=level", RsqlOperatorNotAllowed, 12, SHOP, "level"),
    # =cole= names a column of the same model
    ("income=cole=cots", RsqlUnknownField, 12, SHOP, "cots"),
    ("income=cole=owner.rank", RsqlUnknownField, 12, SHOP, "owner.rank"),
    ("income=cole=items", RsqlUnknownField, 12, SHOP, "items"),
    ("income=cole=$#{x}", RsqlArgumentError, 12, SHOP, "income"),
    # values that do not convert
    ("rank==abc", RsqlValueError, 6, SHOP, "rank"),
    ("rank==1.5", RsqlValueError, 6, SHOP, "rank"),
    ("rank=in=(1,x)", RsqlValueError, 11, SHOP, "rank"),
    ("visits==99999999999999999999", RsqlValueError, 8, SHOP, "visits"),
    ("rank==١٢", RsqlValueError, 6, SHOP, "rank"),
    ("income==1e999", RsqlValueError, 8, SHOP, "income"),
    ("income==NaN", RsqlValueError, 8, SHOP, "income"),
    ("rating==inf", RsqlValueError, 8, SHOP, "rating"),
    ("rating==1e400", RsqlValueError, 8, SHOP, "rating"),
    ("active==yes", RsqlValueError, 8, SHOP, "active"),
    ("opened==2024-13-01", RsqlValueError, 8, SHOP, "opened"),
    ("opened==２０２４-01-01", RsqlValueError, 8, SHOP, "opened"),
    ("updated_at==yesterday", RsqlValueError, 12, SHOP, "updated_at"),
    ("opens_at==25:00", RsqlValueError, 10, SHOP, "opens_at"),
    ("opens_at==10:00+01:00", RsqlValueError, 10, SHOP, "opens_at"),
    ("status==BOGUS", RsqlValueError, 8, SHOP, "status"),
    ("level==9", RsqlValueError, 7, SHOP, "level"),
    ("id==x", RsqlValueError, 4, SHOP, "id"),
    ("owner.id==x", RsqlValueError, 10, OWNER, "id"),
    ("rank=isnull=maybe", RsqlValueError, 12, SHOP, "rank"),
]


@pytest.mark.parametrize(("rsql", "kind", "position", "model", "field"), CASES,
                         ids=[case[0] for case in CASES])
def test_error(shop_meta, rsql_schema, rsql: str, kind: type, position: int, model: str,
               field: str) -> None:
    with pytest.raises(kind) as caught:
        compile_filter(rsql, shop_meta, rsql_schema)
    error = caught.value
    assert (error.position, error.model, error.field) == (position, model, field)
    assert error.to_dict() == {"code": kind.code, "message": error.message, "model": model,
                               "field": field, "position": position}


def test_unknown_field_suggests_a_name(shop_meta, rsql_schema) -> None:
    with pytest.raises(RsqlUnknownField, match="did you mean 'name'"):
        compile_filter("nmae==x", shop_meta, rsql_schema)


def test_value_error_names_the_members(shop_meta, rsql_schema) -> None:
    with pytest.raises(RsqlValueError, match="OPEN, CLOSED, PAUSED"):
        compile_filter("status==BOGUS", shop_meta, rsql_schema)


def test_every_error_kind_has_its_own_code() -> None:
    kinds = [value for value in vars(rsql).values()
             if isinstance(value, type) and issubclass(value, RsqlError)]
    assert len(kinds) >= 13
    assert len({kind.code for kind in kinds}) == len(kinds)
    assert all(issubclass(kind, ModelryError) for kind in kinds)


def test_syntax_errors_name_the_model(shop_meta, rsql_schema) -> None:
    with pytest.raises(rsql.RsqlSyntaxError) as caught:
        compile_filter("rank==1;", shop_meta, rsql_schema)
    assert (caught.value.position, caught.value.model) == (8, SHOP)
