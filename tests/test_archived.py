"""A model's recycle bin (`archived="binned"`, tests/recycle): the GraphQL lists
(queryPage, queryListByWrapper, countByWrapper, on the compiled and the general path)
and Python lists asked with `hide_archived=True` leave binned records out unless the
filter names the field; reads of one record (by id, query_one, a ManyToOne) and
back-end lists always find them; bad declarations name the model and the field."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from modelry import DeclarationError, Model, directives, fields
from modelry.boot import App
from tests.functions.helpers import Client
from tests.recycle import Folder, Note
from tests.recycle import module as recycle


@pytest.fixture
def bin_app(make_app: Callable[..., App]) -> Iterator[App]:
    """`recycle` with folders kept (binned NULL and false) and binned, and a note filed in
    the binned one."""
    app = make_app([recycle])
    with app.activate(), directives.backend_scope():
        with app.transaction():
            Folder(name="inbox").create()                     # binned NULL: kept
            Folder(name="work", binned=False).create()
            old = Folder(name="old", binned=True).create()
            Note(title="memo", folder=old.id).create()
        yield app


def names(records: list[Any]) -> list[str]:
    return sorted(r.name for r in records)


# ── Python API ───────────────────────────────────────────────────────────────
def test_back_end_lists_read_every_row_their_filter_matches(bin_app: App) -> None:
    with bin_app.transaction():
        assert names(Folder.query_list()) == ["inbox", "old", "work"]
        assert Folder.count() == 3 and Folder.query_page(size=10).total_elements == 3


def test_lists_asked_for_people_hide_binned_records(bin_app: App) -> None:
    with bin_app.transaction():
        assert names(Folder.query_list(hide_archived=True)) == ["inbox", "work"]
        assert Folder.count(hide_archived=True) == 2
        page = Folder.query_page(size=10, hide_archived=True)
        assert (names(page.content), page.total_elements) == (["inbox", "work"], 2)
        assert Folder.query_page(size=10, totals=False, hide_archived=True).content[0].name \
            == "inbox"


@pytest.mark.parametrize(("rsql", "filters", "expected"), [
    ("binned==true", {}, ["old"]),
    ("binned=in=(true,false)", {}, ["old", "work"]),
    ("name==old;binned=isnull=false", {}, ["old"]),
    ("name=like=o,binned==true", {}, ["inbox", "old", "work"]),   # named anywhere: decides
    (None, {"binned": True}, ["old"]),
    (None, {"binned__in": [True, False]}, ["old", "work"])])
def test_a_filter_that_names_the_field_decides_alone(bin_app: App, rsql: str | None,
                                                     filters: dict[str, Any],
                                                     expected: list[str]) -> None:
    with bin_app.transaction():
        assert names(Folder.query_list(rsql, hide_archived=True, **filters)) == expected
        assert Folder.count(rsql, hide_archived=True, **filters) == len(expected)


def test_a_filter_on_other_fields_still_hides(bin_app: App) -> None:
    with bin_app.transaction():
        assert Folder.query_list("name==old", hide_archived=True) == []
        assert names(Folder.query_list("name=like=o", hide_archived=True)) == ["inbox", "work"]


def test_one_record_is_always_found(bin_app: App) -> None:
    with bin_app.transaction():
        old = Folder.query_one(name="old")
        assert old is not None and Folder.query_by_id(old.id).binned is True
        note = Note.query_one(title="memo")
        assert note.folder.name == "old"
        assert Note.count("folder.name==old") == 1          # a relation path finds it too


# ── GraphQL ──────────────────────────────────────────────────────────────────
PAGE = '''query($rsql: String) { folderQuery {
  queryPage(page: {currentPage: 1, size: 10, sort: {orders: [{field: "name"}]}},
            queryWrapper: {rsql: $rsql}) { content { name binned } totalElements }
  queryListByWrapper(queryWrapper: {rsql: $rsql}) { name }
  countByWrapper(queryWrapper: {rsql: $rsql}) } }'''


@pytest.fixture(params=[True, False], ids=["compiled", "general"])
def client(request: pytest.FixtureRequest, bin_app: App) -> Client:
    return Client(bin_app, compiled=request.param)


@pytest.mark.parametrize(("rsql", "expected"), [
    (None, ["inbox", "work"]),
    ("name=like=o", ["inbox", "work"]),
    ("binned==true", ["old"]),
    ("binned=in=(true,false)", ["old", "work"])])
def test_graphql_lists_hide_binned_records_unless_asked(client: Client, rsql: str | None,
                                                        expected: list[str]) -> None:
    data = client.gql(PAGE, {"rsql": rsql}).ok()["folderQuery"]
    assert [r["name"] for r in data["queryPage"]["content"]] == expected
    assert data["queryPage"]["totalElements"] == len(expected)
    assert sorted(r["name"] for r in data["queryListByWrapper"]) == expected
    assert data["countByWrapper"] == len(expected)


def test_graphql_reads_of_one_record_find_binned_ones(client: Client, bin_app: App) -> None:
    with bin_app.transaction():
        old = Folder.query_one(name="old")
    data = client.gql('query($id: Long) { folderQuery { '
                      'byId: queryOne(query: {id: $id}) { name binned } '
                      'byName: queryOne(query: {name: "old"}) { name } '
                      'byWrapper: queryOneByWrapper(queryWrapper: {rsql: "name==old"}) { name } }'
                      ' noteQuery { queryListByWrapper { title folder { name binned } } } }',
                      {"id": str(old.id)}).ok()
    assert data["folderQuery"] == {"byId": {"name": "old", "binned": True},
                                   "byName": {"name": "old"}, "byWrapper": {"name": "old"}}
    assert data["noteQuery"]["queryListByWrapper"] == [
        {"title": "memo", "folder": {"name": "old", "binned": True}}]


# ── declarations ─────────────────────────────────────────────────────────────
def test_the_registry_holds_the_field_and_the_fingerprint_ignores_it(bin_app: App) -> None:
    meta = bin_app.registry.model("recycle.Folder")
    assert meta.archived == "binned" and bin_app.registry.model("recycle.Note").archived is None
    assert "archived" not in meta.describe()   # no column changes: RELOAD keeps serving


@pytest.mark.parametrize(("options", "words"), [
    ({"model": "oddities.Bin", "archived": "gone"}, "archived='gone' names no field"),
    ({"model": "oddities.Bin", "archived": "label"}, "the field is a string, not a Boolean"),
    ({"model": "oddities.Bin", "archived": ["done"]}, "names no field"),
    ({"model": "oddities.Bin", "kind": "transient", "archived": "done"}, "stored model itself"),
    ({"inherit": "recycle.Folder", "archived": "done"}, "stored model itself")])
def test_bad_declarations_are_refused_naming_the_model(options: dict[str, Any],
                                                       words: str) -> None:
    code = options.get("model") or options["inherit"]
    with pytest.raises(DeclarationError, match=words) as caught:
        type("Bin", (Model,), {"done": fields.Boolean(), "label": fields.String()}, **options)
    assert str(caught.value).startswith(f"{code.split('.')[0]}: model {code}: archived=")
    assert caught.value.model == code
