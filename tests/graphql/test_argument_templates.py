"""A compiled call's arguments filled from a template (compiled/arguments.py) equal what
graphql-core coerces, for every request of a document, whatever its variables hold."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from graphql import get_named_type, parse
from graphql.execution.values import get_argument_values, get_variable_values

from modelry.boot import App
from modelry.core.graphql.compiled.arguments import UNSUITABLE, argument_values

ONE = 'query($id: Long) { petShopQuery { queryOne(query: {id: $id}) { id } } }'
PAGE = ('query($p: Int, $s: Int!, $f: String!, $r: String, $d: Direction = DESC) '
        '{ petItemQuery { queryPage(page: {currentPage: $p, size: $s, sort: {orders: '
        '[{field: $f, direction: $d}, {field: "id"}]}}, queryWrapper: {rsql: $r}) '
        '{ content { id } } } }')
INPUT = ('query($q: PetShopInput!) { petShopQuery { queryOne(query: $q) { id } } }')
LITERAL = '{ petItemQuery { queryPage(page: {size: 5}) { content { id } } } }'
CASES = [  # (document, the variables of successive requests)
    (ONE, [{"id": "5"}, {"id": "9007199254740993"}, {}, {"id": None}, {"id": "7"}]),
    (PAGE, [{"p": 2, "s": 10, "f": "price", "r": "stock=gt=1"},
            {"s": 3, "f": "itemName", "d": "ASC"},
            {"p": None, "s": 1, "f": "id", "r": None, "d": "DESC"},
            {"p": 1, "s": 20, "f": "shop", "r": "price=lt=5"}]),
    (INPUT, [{"q": {"id": "3", "name": "x"}}, {"q": {"name": "y"}}, {"q": {}}]),
    (LITERAL, [{}, {}]),
]


@pytest.mark.parametrize(("document", "requests"), CASES,
                         ids=["one by id", "page", "an input variable", "literals"])
def test_a_template_fills_what_graphql_core_coerces(demo_app: App, document: str,
                                                    requests: list[dict[str, Any]]) -> None:
    schema = demo_app.asgi.state.executor.schema.graphql
    operation = parse(document).definitions[0]
    root = operation.selection_set.selections[0]
    call = root.selection_set.selections[0]
    definition = get_named_type(schema.query_type.fields[root.name.value].type).fields[
        call.name.value]
    holder = SimpleNamespace(arguments=None)
    for sent in requests:
        variables = get_variable_values(schema, operation.variable_definitions or (), sent)
        assert not isinstance(variables, list), variables
        expected = get_argument_values(definition, call, variables)
        assert argument_values(definition, call, variables, holder) == expected, sent
    assert holder.arguments is not None and holder.arguments is not UNSUITABLE


MIXED = [  # (document, variables, coerced again by the compiled path once the shape is known)
    ('{ petItemQuery { queryPage(page: {currentPage: 1, size: 2}, queryWrapper: '
     '{rsql: "stock=ge=$N"}) { content { id } } } }', {}, False),
    ('query($p: Int) { petItemQuery { queryPage(page: {currentPage: $p, size: 2}, '
     'queryWrapper: {rsql: "stock=ge=$N"}) { content { id } } } }', {}, True),  # not sent
    ('query($p: Int) { petItemQuery { queryPage(page: {currentPage: $p, size: 2}, '
     'queryWrapper: {rsql: "stock=ge=$N"}) { content { id } } } }', {"p": 1}, True),
    ('mutation { petTagMutation { create(data: {name: "tag $N"}) { name } } }', {}, False),
]


@pytest.mark.parametrize(("document", "variables", "again"), MIXED,
                         ids=["literals only", "a variable not sent", "a variable sent",
                              "a write of literals"])
def test_literals_coerced_by_the_check_are_not_coerced_again(
        demo_app: App, monkeypatch: pytest.MonkeyPatch, document: str,
        variables: dict[str, Any], again: bool) -> None:
    """A document whose only variables are its literals reaches the compiled path with them
    coerced by the document check; any other is coerced there, and answers the same."""
    from modelry.core.graphql.compiled import arguments
    from modelry.core.security.grants import grant_module
    grant_module(demo_app, "demo")
    executor = demo_app.asgi.state.executor
    calls: list[Any] = []

    def counted(*args: Any) -> Any:
        calls.append(args)
        return get_variable_values(*args)
    monkeypatch.setattr(arguments, "get_variable_values", counted)
    answers = []
    for n in (0, 1):  # the second, another literal, is checked by its shape
        body = {"query": document.replace("$N", str(n)), "variables": variables}
        calls.clear()
        answers.append(orjson.loads(orjson.dumps(executor.run(body).body)))
        assert answers[-1]["extensions"]["success"], answers[-1]
    assert len(calls) == (1 if again else 0)
    if "mutation" in document:
        assert [a["data"]["petTagMutation"]["create"]["name"] for a in answers] == \
            ["tag 0", "tag 1"]
    else:  # no stock is negative: both literals match every item
        assert answers[0] == answers[1]
