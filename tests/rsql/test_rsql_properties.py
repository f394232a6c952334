"""Properties: values never change the SQL's structure; any input parses or raises RsqlError."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import mysql, postgresql, sqlite

from modelry.core.rsql import like
from modelry.core.rsql import (
    Node, RsqlError, RsqlLimits, RsqlSyntaxError, compile_filter, parse, quote)
from modelry.core.rsql.nodes import Comparison, Group

DIALECTS = [sqlite.dialect(), postgresql.dialect(), mysql.dialect()]
TEMPLATES = [
    "name=={}", "name!={}", "name=like={}", "name=notstarts={}", "name=ends={}",
    "description=in=({},{})", "code=out=({})", "owner.city.name=={}", "tags.name!={}",
    "items.item_name=like={}", "rank==1;(name=={},code!={})",
]
TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=60)
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _sql(clause: sa.ColumnElement[bool]) -> list[str]:
    return [str(clause.compile(dialect=dialect)) for dialect in DIALECTS]


def _params(clause: sa.ColumnElement[bool]) -> list[object]:
    return list(clause.compile().params.values())


@pytest.mark.parametrize("template", TEMPLATES)
@settings(SETTINGS, max_examples=40)
@given(value=TEXT)
def test_quoted_values_never_change_the_sql(shop_meta, rsql_schema, template: str,
                                            value: str) -> None:
    holes = template.count("{}")
    reference = compile_filter(template.format(*[quote("x")] * holes), shop_meta, rsql_schema)
    clause = compile_filter(template.format(*[quote(value)] * holes), shop_meta, rsql_schema)
    assert _sql(clause) == _sql(reference)
    bound = [item for param in _params(clause)
             for item in (param if isinstance(param, list) else [param])]
    assert {value, like.contains(value), like.starts(value), like.ends(value)} & set(bound)


@SETTINGS
@given(value=TEXT)
def test_placeholder_values_never_change_the_sql(shop_meta, rsql_schema, value: str) -> None:
    text = "name==$#{v};owner.name!=$#{v}"
    reference = compile_filter(text, shop_meta, rsql_schema, {"v": "x"})
    clause = compile_filter(text, shop_meta, rsql_schema, {"v": value})
    assert _sql(clause) == _sql(reference)
    assert _params(clause) == [value, value]


@SETTINGS
@given(value=TEXT)
def test_wildcard_values_keep_one_like(shop_meta, rsql_schema, value: str) -> None:
    reference = compile_filter(f"name=={quote('*x', wildcards=True)}", shop_meta, rsql_schema)
    clause = compile_filter(f"name=={quote('*' + value, wildcards=True)}", shop_meta,
                            rsql_schema)
    assert _sql(clause) == _sql(reference)


def test_nul_is_refused(shop_meta, rsql_schema) -> None:
    with pytest.raises(RsqlSyntaxError):
        compile_filter("name==" + quote("a\x00b"), shop_meta, rsql_schema)


TOKENS = st.sampled_from([
    "name", "rank", "owner", "owner.city.name", "tags.name", "items", "income", "status",
    "payload", "opened", "nope", "and", "or", "==", "!=", "=in=", "=out=", "=lt=", "<", ">=",
    "=like=", "=isnull=", "=cole=", "=x=", "=", "!", ";", ",", "(", ")", " ", " and ", " or ",
    "'", '"', "\\", "*", "$#{", "}", "$#{p}", "1", "-2.5", "true", "OPEN", "2024-01-15",
    "cost", "'a b'", '"c\\"d"', "é", "\x00", "\n",
])
SOUP = st.lists(TOKENS, max_size=25).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=80), SOUP)


@SETTINGS
@given(text=ANY_TEXT)
def test_any_text_parses_or_raises_rsql_error(text: str) -> None:
    try:
        node = parse(text)
    except RsqlError as error:
        assert error.position is None or 0 <= error.position <= len(text)
    else:
        assert isinstance(node, Node.__args__)  # type: ignore[attr-defined]


@SETTINGS
@given(text=ANY_TEXT)
def test_any_text_compiles_or_raises_rsql_error(shop_meta, rsql_schema, text: str) -> None:
    try:
        clause = compile_filter(text, shop_meta, rsql_schema, {"p": 1})
    except RsqlError as error:
        assert error.position is None or 0 <= error.position <= len(text)
    else:
        _sql(clause)


@settings(max_examples=40, deadline=None)
@given(depth=st.one_of(st.integers(0, 120), st.integers(0, 3000)), limit=st.integers(0, 100))
@example(depth=0, limit=0).via("no parentheses")
@example(depth=100, limit=100).via("at the ceiling")
@example(depth=101, limit=100).via("one over")
@example(depth=3000, limit=0).via("far over")
def test_nesting_up_to_the_limit_parses_and_deeper_is_refused(depth: int, limit: int) -> None:
    text = "(" * depth + "a==1" + ")" * depth
    limits = RsqlLimits(max_length=10_000, max_depth=limit)
    if depth > limit:
        with pytest.raises(RsqlError) as refused:
            parse(text, limits)
        assert refused.value.code == "RSQL_TOO_DEEP"
        assert refused.value.position == limit  # the first '(' past the limit
        return
    node = parse(text, limits)
    assert node.depth == depth
    for _ in range(depth):
        assert isinstance(node, Group)
        node = node.child
    assert isinstance(node, Comparison)
    assert (node.selector, node.operator, node.arguments[0].text) == ("a", "==", "1")
