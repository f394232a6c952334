"""Bulk inserts of JSON columns: every kind of document comes back as it was sent, None is
SQL NULL, and on PostgreSQL the rows still go as arrays in one INSERT ... SELECT FROM
unnest (the documents serialized into a JSONB[]), on every database."""
from __future__ import annotations

import decimal
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from modelry import Model, Module, directives, fields
from modelry.boot import App
from modelry.core.data import bulk_unnest
from tests.sql_capture import statements

bulkjson = Module("bulkjson", depends=["base"], display_name="Bulk JSON")


class Document(Model, model="bulkjson.Document"):
    """A JSON document beside a plain column."""

    number = fields.Integer(required=True)
    body = fields.Json()


DOCUMENTS: list[Any] = [
    {"a": 1, "b": [1, 2.5, None, True], "c": {"d": "e"}},
    ["x", {"y": None}], "a plain string", 'quotes " and \\ backslashes \\"', "{braces,commas}",
    "NULL", "é€𝄞 and a\ttab\nnewline", 42, -0.125, True, False, [], {}, None,
]


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    """The bulkjson module alone, tables empty, active, back-end directives."""
    booted = make_app([bulkjson])
    with booted.activate(), directives.backend_scope():
        yield booted


def _inserts(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("INSERT")]


def test_every_document_round_trips_and_postgresql_inserts_from_arrays(app: App) -> None:
    rows = [{"number": n, "body": body} for n, body in enumerate(DOCUMENTS)]
    with app.transaction(), statements(app.engine) as seen:
        ids = Document.insert_bulk(rows, returning_ids=True)
    if app.engine.dialect.name == "postgresql":
        assert len(_inserts(seen)) == 1 and "unnest" in _inserts(seen)[0], seen
    got = {document.id: document.body for document in Document.query_list()}
    assert [got[number] for number in ids] == DOCUMENTS
    assert [d.number for d in Document.query_list(body__isnull=True)] == [len(DOCUMENTS) - 1]


def test_one_document_in_every_row_is_sent_for_each_row(app: App) -> None:
    same = {"region": "eu", "tags": ["a", "b"]}
    with app.transaction():
        Document.insert_bulk([{"number": n, "body": same} for n in range(3)])
        Document.insert_bulk([{"number": n} for n in range(3, 5)])   # all NULL
    assert sorted((d.number, d.body) for d in Document.query_list()) == [
        (0, same), (1, same), (2, same), (3, None), (4, None)]


def test_a_document_the_serializer_refuses_goes_the_multi_row_way() -> None:
    assert bulk_unnest.json_array_text([{"a": 1}, None], lambda v: '{"a": 1}') == \
        '{"{\\"a\\": 1}",NULL}'
    assert bulk_unnest.json_array_text([{"a": decimal.Decimal(1)}], json.dumps) is None


def test_a_refused_document_is_refused_as_create_refuses_it(app: App) -> None:
    with pytest.raises(Exception) as bulk_error, app.transaction():
        Document.insert_bulk([{"number": 1, "body": {"a": decimal.Decimal(1)}}])
    with pytest.raises(Exception) as create_error, app.transaction():
        Document(number=1, body={"a": decimal.Decimal(1)}).create()
    assert type(bulk_error.value) is type(create_error.value)
    assert Document.count() == 0
