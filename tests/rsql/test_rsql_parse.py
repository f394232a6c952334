"""The grammar: connectives, precedence, quoting, positions, limits and the parse cache."""
from __future__ import annotations

import pytest

from modelry.core.rsql import (
    DEFAULT_LIMITS, And, Comparison, Group, Or, Placeholder, RsqlArgumentError, RsqlError,
    RsqlLimits, RsqlSyntaxError, RsqlTooDeep, RsqlTooLong, RsqlTooManyValues,
    RsqlUnknownOperator, Value, parse, quote)


def test_comparison_node() -> None:
    node = parse("name=like='a b'")
    assert node == Comparison("name", "=like=", (Value("a b", 10, True),), False, 0, 4)


def test_and_binds_tighter_than_or() -> None:
    node = parse("a==1,b==2;c==3")
    assert isinstance(node, Or)
    first, second = node.children
    assert isinstance(first, Comparison) and isinstance(second, And)
    assert [c.selector for c in second.children] == ["b", "c"]


@pytest.mark.parametrize("text", ["a==1 and b==2", "a==1 AND b==2", "a==1;b==2",
                                  "a==1 ; b==2", "(a==1)and(b==2)"])
def test_and_spellings(text: str) -> None:
    node = parse(text)
    node = node if isinstance(node, And) else None
    assert node is not None and len(node.children) == 2


@pytest.mark.parametrize("text", ["a==1 or b==2", "a==1 Or b==2", "a==1,b==2", "a==1 , b==2"])
def test_or_spellings(text: str) -> None:
    assert isinstance(parse(text), Or)


def test_keywords_are_values_and_selectors_where_they_fit() -> None:
    node = parse("or==and;and==or")
    assert isinstance(node, And)
    assert [(c.selector, c.arguments[0].text) for c in node.children] == [
        ("or", "and"), ("and", "or")]


def test_groups_nest_and_count_depth() -> None:
    node = parse("((a==1,b==2);c==3)")
    assert isinstance(node, Group) and node.depth == 2 and node.position == 0
    assert isinstance(node.child, And)
    assert isinstance(node.child.children[0], Group)


@pytest.mark.parametrize(("spelling", "canonical"), [
    ("<", "=lt="), ("<=", "=le="), (">", "=gt="), (">=", "=ge="), ("=LIKE=", "=like="),
    ("!=", "!="), ("==", "==")])
def test_operator_spellings(spelling: str, canonical: str) -> None:
    assert parse(f"a{spelling}1").operator == canonical


@pytest.mark.parametrize(("text", "value", "wildcards"), [
    ("a==x", "x", ()),
    ("a==*x*", "*x*", (0, 2)),
    ('a=="say \\"hi\\""', 'say "hi"', ()),
    ("a=='it\\'s'", "it's", ()),
    ('a=="back\\\\slash"', "back\\slash", ()),
    ('a=="lit\\*eral*"', "lit*eral*", (8,)),
    ("a=='(;,)=!<> '", "(;,)=!<> ", ()),
    ("a==''", "", ()),
    ("a==2024-01-15T10:30:00+01:00", "2024-01-15T10:30:00+01:00", ()),
    ("a==-1.5e3", "-1.5e3", ()),
    ("a==ünïcode", "ünïcode", ()),
])
def test_values(text: str, value: str, wildcards: tuple[int, ...]) -> None:
    argument = parse(text).arguments[0]
    assert (argument.text, argument.wildcards) == (value, wildcards)


def test_value_list_positions() -> None:
    node = parse("a=in=( x , 'y' ,z)")
    assert node.listed
    assert [(v.text, v.position) for v in node.arguments] == [("x", 7), ("y", 11), ("z", 16)]


def test_placeholders() -> None:
    node = parse("a=in=($#{ids},3)")
    assert node.arguments[0] == Placeholder("ids", 6)
    assert parse("a=='$#{ids}'").arguments[0] == Value("$#{ids}", 3, True)


def test_parse_is_cached() -> None:
    text = "name==cached;rank=gt=3"
    assert parse(text) is parse(text)
    assert parse(text, RsqlLimits(max_depth=5)) is not parse(text)
    assert parse(text, RsqlLimits(max_depth=5)) == parse(text)


SYNTAX_ERRORS = [
    ("", 0), ("   ", 0), ("a==1;", 5), ("a=1", 1), ("(a==1", 5), ("a==1)", 4),
    ("a==1 b==2", 5), ("==1", 0), ('a=="x', 3), ("a=='x", 3), ("a==(1,2", 7),
    ("a=in=()", 6), ("a.==1", 1), ("a==1 andy==2", 5), ("a==x\x00", 4), ("a==$#{x", 3),
    ("a==$#{x}y", 3), ("a;b", 1), ("a==b==c", 4), ("1a==1", 0), ("a==1,,b==2", 5),
]


@pytest.mark.parametrize(("text", "position"), SYNTAX_ERRORS,
                         ids=[repr(e[0]) for e in SYNTAX_ERRORS])
def test_syntax_errors(text: str, position: int) -> None:
    with pytest.raises(RsqlSyntaxError) as caught:
        parse(text)
    assert caught.value.code == "RSQL_SYNTAX"
    assert caught.value.position == position
    assert f"(at position {position})" in caught.value.message


def test_unknown_operator() -> None:
    with pytest.raises(RsqlUnknownOperator) as caught:
        parse("a==1;b=near=2")
    assert (caught.value.position, caught.value.field) == (6, "b")


def test_list_for_a_single_value_operator() -> None:
    with pytest.raises(RsqlArgumentError) as caught:
        parse("a==1;b=gt= (1,2)")
    assert (caught.value.code, caught.value.position) == ("RSQL_BAD_ARGUMENTS", 11)


def test_length_limit() -> None:
    fits = "a==" + "x" * (DEFAULT_LIMITS.max_length - 3)
    assert isinstance(parse(fits), Comparison)
    with pytest.raises(RsqlTooLong) as caught:
        parse(fits + "x")
    assert (caught.value.code, caught.value.position) == ("RSQL_TOO_LONG", 4096)
    with pytest.raises(RsqlTooLong):
        parse("a==12345", RsqlLimits(max_length=5))


def test_depth_limit() -> None:
    limit = DEFAULT_LIMITS.max_depth
    assert parse("(" * limit + "a==1" + ")" * limit).depth == limit
    with pytest.raises(RsqlTooDeep) as caught:
        parse("b==1;" + "(" * (limit + 1) + "a==1" + ")" * (limit + 1))
    assert (caught.value.code, caught.value.position) == ("RSQL_TOO_DEEP", 5 + limit)
    with pytest.raises(RsqlTooDeep) as caught:
        parse("(a==1);((b==2,(c==3)))", RsqlLimits(max_depth=2))
    assert caught.value.position == 14


def test_very_deep_nesting_is_refused_not_crashed() -> None:
    with pytest.raises(RsqlTooDeep):
        parse("(" * 2000 + "a==1" + ")" * 2000)


def test_in_list_limit() -> None:
    values = ",".join(str(i) for i in range(DEFAULT_LIMITS.max_in_items))
    assert len(parse(f"a=in=({values})").arguments) == DEFAULT_LIMITS.max_in_items
    with pytest.raises(RsqlTooManyValues) as caught:
        parse(f"b==1;a=in=({values},x)")
    assert (caught.value.code, caught.value.position, caught.value.field) == (
        "RSQL_TOO_MANY_VALUES", 11, "a")
    with pytest.raises(RsqlTooManyValues):
        parse("a=out=(1,2,3)", RsqlLimits(max_in_items=2))


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError):
        RsqlLimits(max_depth=1000)
    with pytest.raises(ValueError):
        RsqlLimits(max_length=0)


@pytest.mark.parametrize("value", ["plain", 'with "quotes"', "back\\slash", "star*", "'", ""])
def test_quote_round_trips(value: str) -> None:
    argument = parse(f"a=={quote(value)}").arguments[0]
    assert (argument.text, argument.wildcards) == (value, ())


def test_errors_share_a_base() -> None:
    assert issubclass(RsqlTooLong, RsqlError) and issubclass(RsqlSyntaxError, RsqlError)
