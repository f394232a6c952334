"""Bulk inserts of JSON columns: every kind of document comes back as it was sent, None is
SQL NULL, and on PostgreSQL the rows still go as arrays in one INSERT ... SELECT FROM
unnest (the documents serialized into a JSONB[]), on every database; rows of one call that
name different fields."""
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
    parent = fields.ManyToOne("bulkjson.Document", on_delete="CASCADE")


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


def test_rows_naming_other_fields_each_read_their_own(app: App) -> None:
    """Rows of one call may name different fields (a relation by name or by column):
    each row is read for the fields it names."""
    with app.transaction():
        first = Document(number=0).create()
        Document.insert_bulk([
            {"number": 1, "body": {"a": 1}}, {"number": 2}, {"number": 3, "parent": first.id},
            {"number": 4, "parent_id": first.id, "body": [4]}, {"number": 5, "parent": first},
            {"number": 6, "body": "six"}, {"number": 7, "body": "seven"}])
    got = sorted((d.number, d.body, d.parent_id) for d in Document.query_list())
    assert got == [(0, None, None), (1, {"a": 1}, None), (2, None, None), (3, None, first.id),
                   (4, [4], first.id), (5, None, first.id), (6, "six", None),
                   (7, "seven", None)]
    with pytest.raises(Exception, match="given twice"), app.transaction():
        Document.insert_bulk([{"number": 8}, {"number": 9, "parent": first.id,
                                              "parent_id": first.id}])
