"""Hostile variants of fuzzed documents: numbers beyond every type, long relation paths.

schemathesis keeps numbers within their GraphQL types and writes random text into RSQL
arguments; an attacker does neither. `hostile` rewrites a document's literals: some
integers and floats become huge (2^63, 10^40, 1e309), some `rsql` arguments a dotted
path of up to 40 relations, which must be refused cleanly (RSQL_PATH_TOO_LONG past the
limit). `scalars` are schemathesis' strategies for the demo's custom scalars, huge
values included.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    ArgumentNode, FloatValueNode, IntValueNode, ObjectFieldNode, StringValueNode, Visitor, parse,
    print_ast, visit)
from hypothesis import strategies as st
from schemathesis.graphql import nodes

Draw = Callable[[st.SearchStrategy[Any]], Any]
HUGE_INTS = st.sampled_from(["2147483648", "9223372036854775808", "-9223372036854775809",
                             "1" + "0" * 40, "9" * 400])
HUGE_FLOATS = st.sampled_from(["1e309", "-1e309", "1e-400", "1.7976931348623157e308",
                               "9" * 400 + ".5"])
RELATIONS = st.sampled_from(["owner", "shops", "items", "shop", "tags", "breed", "winners"])
HUGE_DECIMALS = st.sampled_from(["1e400", "-1e400", "9" * 60, "0." + "0" * 60 + "1", "NaN",
                                 "Infinity"])


def scalars() -> dict[str, st.SearchStrategy[Any]]:
    """schemathesis strategies (AST nodes) for Long and BigDecimal, huge values included."""
    longs = st.integers(-(2 ** 63), 2 ** 63 - 1) | st.integers(2 ** 63, 10 ** 30)
    decimals = st.decimals(allow_nan=False, allow_infinity=False).map(str) | HUGE_DECIMALS
    return {"Long": longs.map(nodes.Int), "BigDecimal": decimals.map(nodes.String)}


def long_path(draw: Draw) -> str:
    """A filter on a dotted path of 1 to 40 relations."""
    hops = draw(st.integers(1, 40))
    return ".".join(draw(RELATIONS) for _ in range(hops)) + ".id==1"


def hostile(text: str, draw: Draw) -> str:
    """`text` with some numbers made huge and some filters made long paths."""
    rewriter = _Rewriter(draw)
    return print_ast(visit(parse(text), rewriter))


class _Rewriter(Visitor):
    def __init__(self, draw: Draw) -> None:
        super().__init__()
        self.draw = draw

    def enter_int_value(self, node: IntValueNode, *_: Any) -> Any:
        if self.draw(st.integers(0, 3)) == 0:
            return IntValueNode(value=self.draw(HUGE_INTS))
        return None

    def enter_float_value(self, node: FloatValueNode, *_: Any) -> Any:
        if self.draw(st.integers(0, 2)) == 0:
            return FloatValueNode(value=self.draw(HUGE_FLOATS))
        return None

    def enter_argument(self, node: ArgumentNode, *_: Any) -> Any:
        if node.name.value == "rsql" and self.draw(st.booleans()):  # a to-many list's filter
            return ArgumentNode(name=node.name, value=StringValueNode(value=long_path(self.draw)))
        return None

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> Any:
        if node.name.value == "rsql" and self.draw(st.booleans()):  # queryWrapper: {rsql}
            return ObjectFieldNode(name=node.name,
                                   value=StringValueNode(value=long_path(self.draw)))
        return None
