"""Documents differing only in literal values share a template (shapes.py): the answers,
and the errors, are those of checking each document in full."""
from __future__ import annotations

from typing import Any

import orjson
import pytest

from modelry.boot import App
from modelry.core.graphql.context import GraphQLSettings
from modelry.core.graphql.executor import Executor
from tests.graphql.conftest import Server


def fresh(app: App) -> Executor:
    """An executor with empty caches."""
    return Executor(app, GraphQLSettings())


def ask(executor: Executor, query: str) -> dict[str, Any]:
    """The response body as a client reads it (through JSON)."""
    return orjson.loads(orjson.dumps(executor.run({"query": query}).body))


def created_tag(executor: Executor, literal: str) -> Any:
    answer = ask(executor, 'mutation { petTagMutation { create(data: {name: %s}) { id name } } }'
                 % literal)
    assert "errors" not in answer, answer
    return answer["data"]["petTagMutation"]["create"]


def test_literals_of_one_shape_keep_their_own_values(demo_app: App, server: Server) -> None:
    executor = fresh(demo_app)
    names = {'"plain"': "plain",
             r'"quote \" back \\ tab \t é \u00e9"': 'quote " back \\ tab \t é é',
             '"""block\n    string"""': "block\nstring", '""': ""}
    for literal, stored in names.items():
        tag = created_tag(executor, literal)
        assert tag["name"] == stored
        again = ask(executor, '{ petTagQuery { queryOne(query: {id: "%s"}) { name } } }'
                    % tag["id"])
        assert again["data"]["petTagQuery"]["queryOne"] == {"name": stored}
    shapes = executor.documents._templates
    # create shapes: plain strings (lexing.py's text), strings with escapes and block
    # strings (the Lexer's tokens: STRING, BLOCK_STRING); one read shape
    assert len(shapes) == 4 and all(template is not None for template in shapes.values())


def test_compiled_reads_of_one_shape_answer_for_their_literals(demo_app: App,
                                                             sample_server: Server) -> None:
    executor = fresh(demo_app)
    query = ('{ petShopQuery { queryPage(page: {size: %d}, queryWrapper: {rsql: "code==%s"})'
             ' { totalElements content { code items(size: %d) { itemName } } } } }')
    for code, size in (("S001", 1), ("S002", 2), ("S003", 3)):
        page = ask(executor, query % (5, code, size))["data"]["petShopQuery"]["queryPage"]
        assert page["totalElements"] == 1
        assert [shop["code"] for shop in page["content"]] == [code]
        assert len(page["content"][0]["items"]) == size
    # a plan for the first text (checked in full), one for the shape of the other two
    assert len(executor.compiled._plans) == 2


@pytest.mark.parametrize(("good", "bad"), [
    ('{ petTagQuery { queryOne(query: {id: "1"}) { name } } }',
     '{ petTagQuery { queryOne(query: {id: "not a number"}) { name } } }'),
    ("{ petTagQuery { queryPage(page: {size: 5}) { totalElements } } }",
     "{ petTagQuery { queryPage(page: {size: 99999999999}) { totalElements } } }"),
    ('mutation { petTagMutation { create(data: {name: "ok"}) { id } } }',
     'mutation { petTagMutation { create(data: {name: "%s"}) { id } } }' % ("x" * 5000)),
])
def test_a_literal_its_type_refuses_is_reported_as_without_templates(
        demo_app: App, server: Server, good: str, bad: str) -> None:
    without = ask(fresh(demo_app), bad)
    executor = fresh(demo_app)
    ask(executor, good)
    with_template = ask(executor, bad)
    assert with_template == without
    assert without["extensions"]["success"] is False and without["data"] is None


def test_documents_a_template_cannot_serve_still_run(demo_app: App, server: Server) -> None:
    executor = fresh(demo_app)
    for number in (1, 2):  # JSON object literal: its inner values have no input type
        created = ask(executor, 'mutation { petShopMutation { create(data: {name: "s%d", '
                                'settings: {depth: %d, tags: ["a"]}}) { name settings } } }'
                      % (number, number))
        assert created["data"]["petShopMutation"]["create"] == {
            "name": f"s{number}", "settings": {"depth": number, "tags": ["a"]}}
    for size in (1, 2):  # a literal in a variable's default value
        page = ask(executor, "query($size: Int = %d) { petShopQuery { queryPage(page: "
                             "{size: $size}) { size } } }" % size)
        assert page["data"]["petShopQuery"]["queryPage"]["size"] == size
    for size in (3, 4):  # a variable named like the template's own
        page = ask(executor, "query($__literal0: Int) { petShopQuery { queryPage(page: "
                             "{size: %d, currentPage: $__literal0}) { size currentPage } } }"
                   % size)
        assert page["data"]["petShopQuery"]["queryPage"] == {"size": size, "currentPage": 1}
    assert list(executor.documents._templates.values()) == [None, None, None]


@pytest.mark.parametrize("document", [
    '{ petShopQuery { queryPage(page: {currentPage: 1, size: 20}, queryWrapper: '
    '{rsql: "income=gt=-1.5"}) { size } } }',
    'mutation { petShopMutation { create(data: {name: "n", income: "12.5", rating: 0.25, '
    'employees: -3, visits: "9007199254740993", ownerId: 4}) { id } } }',
    'mutation { petShopMutation { create(data: {name: "n", rating: 7, employees: 2147483648}) '
    '{ id } } }',  # an Int out of range: refused
    'mutation { petShopMutation { create(data: {name: "n", visits: "x"}) { id } } }',
])
def test_literals_are_coerced_as_graphql_core_coerces_them(demo_app: App,
                                                           document: str) -> None:
    """The literals of a template are coerced from its signatures (shapes._coerced) exactly
    as graphql-core's get_variable_values coerces them, or left to it when refused."""
    from graphql import parse
    from graphql.execution.values import get_variable_values

    from modelry.core.graphql.shapes import _coerced, shape_of, template_of
    schema = demo_app.asgi.state.executor.schema.graphql
    template = template_of(schema, parse(document))
    assert template is not None and template.signatures is not None
    _, values = shape_of(document, 1000)  # type: ignore[misc]
    sent = {f"__literal{index}": value for index, value in enumerate(values)}
    expected = get_variable_values(schema, template.definitions, sent)
    found = _coerced(template.signatures, sent)
    if isinstance(expected, list):  # refused: graphql-core words why
        assert found is None
    else:
        assert found is not None
        assert found.coerced == expected.coerced and found.sources == expected.sources
