"""Init data: module data files (YAML, CSV) loaded on install, updated on upgrade."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable, Iterator

import pytest

from modelry import Module
from modelry.boot import App
from modelry.boot.data_files import (
    DataFileError, DataLoadReport, load_module_data, read_module_data)
from modelry.boot.data_formats import Ref, parse_csv
from modelry.modules.base.metadata import ModelData
from tests.data_modules.library.models import Branch
from tests.data_modules.shelf.models import Author, Book, Format, Genre

SHELF, LIBRARY, BROKEN = (f"tests.data_modules.{name}" for name in ("shelf", "library", "broken"))
# make_app boots RELOAD before it creates the tables: skip RELOAD's schema check
RELOAD_UNCHECKED = {"check_module": False}
SHELF_V2 = ["data/v2/shelf.Genre.csv", "data/v2/authors.yaml", "data/v2/books.yaml",
            "data/more_books.csv"]


@pytest.fixture
def books(make_app: Callable[..., App]) -> Iterator[App]:
    """The shelf, library and broken test modules on each database, tables empty."""
    app = make_app([SHELF, LIBRARY, BROKEN], options=RELOAD_UNCHECKED)
    with app.activate():
        yield app


def load(app: App, code: str, mode: str = "install", data: list[str] | None = None,
         version: str | None = None) -> DataLoadReport:
    """Load module `code`'s data files (or `data`, as a new version of the module would)."""
    module = app.registry.modules[code]
    if data is not None or version is not None:
        module = Module(code, version=version or module.version, depends=module.depends,
                        data=module.data if data is None else data, package=module.package)
    return load_module_data(app, module, mode=mode)


def by_xid(module: str, external_id: str) -> ModelData:
    """The install-registry row of `module.external_id`."""
    row = ModelData.query_one(module=module, external_id=external_id)
    assert row is not None, f"no ModelData row for {module}.{external_id}"
    return row


def record(cls: Any, module: str, external_id: str) -> Any:
    """The record `module.external_id` names."""
    return cls.query_by_id(by_xid(module, external_id).res_id)


def names(records: list[Any]) -> set[str]:
    return {r.name for r in records}


# ── install ─────────────────────────────────────────────────────────────────
def test_install_loads_yaml_and_csv_with_values_and_refs(books: App) -> None:
    report = load(books, "shelf")

    assert report == DataLoadReport(created=10, updated=0, skipped=0)
    assert (Genre.count(), Author.count(), Book.count()) == (3, 3, 4)
    assert record(Genre, "shelf", "genre_crime").code is None  # empty CSV cell
    dune = record(Book, "shelf", "book_dune")
    assert (dune.title, dune.price, dune.pages, dune.rating) == ("Dune", Decimal("12.50"), 412,
                                                                 4.5)
    assert dune.format is Format.HARDCOVER and dune.published == dt.date(1965, 8, 1)
    assert dune.info == {"series": "Dune", "volume": 1} and dune.in_print is True  # default
    assert dune.author.name == "Frank Herbert"
    assert names(dune.genres) == {"Science fiction", "Fantasy"}
    assert record(Book, "shelf", "book_earthsea").format is Format.PAPERBACK  # by value
    orient = record(Book, "shelf", "book_orient")
    assert (orient.price, orient.pages, orient.in_print) == (Decimal("8.99"), 256, False)
    assert orient.info == {"detective": "Poirot"} and orient.published == dt.date(1934, 1, 1)
    assert orient.author.name == "Agatha Christie" and names(orient.genres) == {"Crime"}
    dispossessed = record(Book, "shelf", "book_dispossessed")
    assert dispossessed.price is None and dispossessed.format is Format.EBOOK
    assert names(dispossessed.genres) == {"Science fiction", "Fantasy"}
    le_guin = record(Author, "shelf", "author_le_guin")
    assert le_guin.born == dt.date(1929, 10, 21)
    assert {b.title for b in le_guin.books} == {"A Wizard of Earthsea", "The Dispossessed"}
    assert record(Author, "shelf", "author_herbert").born == dt.date(1920, 10, 8)


def test_install_writes_one_registry_row_per_record(books: App) -> None:
    load(books, "shelf")

    rows = ModelData.query_list(module="shelf")
    assert len(rows) == 10
    assert {(r.model, r.external_id) for r in rows if r.model == "shelf.Genre"} == {
        ("shelf.Genre", "genre_scifi"), ("shelf.Genre", "genre_fantasy"),
        ("shelf.Genre", "genre_crime")}
    assert [r.external_id for r in rows if r.noupdate] == ["author_le_guin"]
    for row in rows:
        model = {"shelf.Genre": Genre, "shelf.Author": Author, "shelf.Book": Book}[row.model]
        assert model.query_by_id(row.res_id) is not None


def test_refs_reach_records_of_other_modules(books: App) -> None:
    load(books, "shelf")
    report = load(books, "library")

    assert report == DataLoadReport(created=4)
    poetry = by_xid("library", "genre_poetry")
    assert poetry.model == "shelf.Genre" and Genre.query_by_id(poetry.res_id).name == "Poetry"
    main = record(Branch, "library", "branch_main")
    assert main.featured.title == "Dune"
    assert names(main.genres) == {"Science fiction", "Poetry"}
    east = record(Branch, "library", "branch_east")
    assert east.featured.title == "Murder on the Orient Express"
    assert names(east.genres) == {"Crime", "Poetry"}
    west = record(Branch, "library", "branch_west")
    assert west.featured is None and west.genres == []


def test_loading_twice_creates_no_duplicates(books: App) -> None:
    load(books, "shelf")
    dune_version = record(Book, "shelf", "book_dune").opt_version

    assert load(books, "shelf", mode="install") == DataLoadReport(skipped=10)
    assert load(books, "shelf", mode="upgrade") == DataLoadReport(skipped=10)
    assert (Genre.count(), Author.count(), Book.count()) == (3, 3, 4)
    assert ModelData.count(module="shelf") == 10
    assert record(Book, "shelf", "book_dune").opt_version == dune_version  # not rewritten


def test_demo_module_data_files_load(make_app: Callable[..., App]) -> None:
    from modelry.modules.demo.models import PetBreed, PetTag
    app = make_app(["demo"], options=RELOAD_UNCHECKED)
    demo = app.registry.modules["demo"]
    files = Module("demo", version=demo.version, depends=demo.depends,
                   data=["data/breeds.yaml", "data/tags.csv"], package=demo.package)
    with app.activate():
        assert load_module_data(app, files, mode="install") == DataLoadReport(created=10)
        assert load_module_data(app, files, mode="upgrade") == DataLoadReport(skipped=10)
        assert "Maine Coon" in names(PetBreed.query_list())
        birds = PetTag.query_one(name="birds")
        assert (birds.color, birds.description) == ("yellow", "Parrots, budgies and canaries")
        assert PetTag.query_one(name="reptiles").description is None


# ── upgrade ─────────────────────────────────────────────────────────────────
def test_upgrade_updates_changed_values_and_adds_new_entries(books: App) -> None:
    load(books, "shelf")
    dune = record(Book, "shelf", "book_dune")
    with books.transaction():  # a user's edit of a field the new files do not give
        dune.pages = 500
        assert dune.update_by_id() == 1

    report = load(books, "shelf", mode="upgrade", data=SHELF_V2, version="1.1.0")

    # created: genre_horror, book_left_hand; updated: scifi, crime, christie, dune;
    # skipped: fantasy, herbert, earthsea, orient, dispossessed (unchanged), le_guin (no-update)
    assert report == DataLoadReport(created=2, updated=4, skipped=6)
    assert record(Genre, "shelf", "genre_scifi").name == "Science Fiction"
    assert record(Genre, "shelf", "genre_crime").code == "CR"
    assert record(Genre, "shelf", "genre_horror").name == "Horror"
    assert record(Author, "shelf", "author_christie").born == dt.date(1890, 9, 15)
    upgraded = record(Book, "shelf", "book_dune")
    assert (upgraded.title, upgraded.price) == ("Dune (anniversary edition)", Decimal("14.00"))
    assert names(upgraded.genres) == {"Science Fiction"}
    assert upgraded.pages == 500 and upgraded.format is Format.HARDCOVER  # not in the file
    assert upgraded.opt_version == dune.opt_version + 1  # written once, without a held version
    left_hand = record(Book, "shelf", "book_left_hand")
    assert left_hand.author.name == "Ursula K. Le Guin" and left_hand.format is Format.EBOOK
    assert (Genre.count(), Book.count(), ModelData.count(module="shelf")) == (4, 5, 12)
    assert by_xid("shelf", "author_herbert").noupdate is True  # the new file says so


def test_upgrade_leaves_noupdate_records_alone_even_if_a_user_changed_them(books: App) -> None:
    load(books, "shelf")
    with books.transaction():
        le_guin = record(Author, "shelf", "author_le_guin")
        le_guin.name = "Ursula Kroeber Le Guin"
        le_guin.update_by_id()
    edited = record(Author, "shelf", "author_le_guin")

    report = load(books, "shelf", mode="upgrade", data=SHELF_V2, version="1.1.0")

    assert report.skipped == 6
    kept = record(Author, "shelf", "author_le_guin")
    assert (kept.name, kept.born) == ("Ursula Kroeber Le Guin", dt.date(1929, 10, 21))
    assert kept.write_date == edited.write_date  # not written at all


def test_noupdate_set_on_the_registry_row_protects_the_record(books: App) -> None:
    load(books, "shelf")
    row = by_xid("shelf", "book_dune")
    with books.transaction():
        row.noupdate = True
        assert row.update_by_id() == 1

    report = load(books, "shelf", mode="upgrade", data=SHELF_V2, version="1.1.0")

    assert report == DataLoadReport(created=2, updated=3, skipped=7)
    dune = record(Book, "shelf", "book_dune")
    assert (dune.title, names(dune.genres)) == ("Dune", {"Science Fiction", "Fantasy"})


def test_deleted_record_is_recreated_on_upgrade(books: App) -> None:
    load(books, "shelf")
    scifi, le_guin = by_xid("shelf", "genre_scifi"), by_xid("shelf", "author_le_guin")
    with books.transaction():
        assert Genre.query_by_id(scifi.res_id).delete_by_id() == 1
        assert Author.query_by_id(le_guin.res_id).delete_by_id() == 1  # a no-update record

    report = load(books, "shelf", mode="upgrade")

    # re-created: scifi, le_guin; updated: dune (genre link), earthsea (author, set null
    # by the delete), dispossessed (both)
    assert report == DataLoadReport(created=2, updated=3, skipped=5)
    new_scifi = by_xid("shelf", "genre_scifi")
    assert new_scifi.res_id != scifi.res_id and ModelData.count(module="shelf") == 10
    assert Genre.query_by_id(new_scifi.res_id).name == "Science fiction"
    assert names(record(Book, "shelf", "book_dune").genres) == {"Science fiction", "Fantasy"}
    author = record(Author, "shelf", "author_le_guin")
    assert author.name == "Ursula K. Le Guin" and len(author.books) == 2


# ── errors: each names module, file, entry and field, and writes nothing ────
DB_ERRORS = [
    # file, code, entry, field, words in the message
    ("unknown_model.yaml", "UNKNOWN_MODEL", "magazine_one", None, "shelf.Magazine"),
    ("transient_model.yaml", "NOT_STORED", "shelf_one", None, "transient"),
    ("unknown_field.yaml", "UNKNOWN_FIELD", "genre_colour", "colour", "no field"),
    ("unknown_column.csv", "UNKNOWN_FIELD", "genre_csv_colour", "colour", "line 3"),
    ("system_field.yaml", "SYSTEM_FIELD", "genre_with_id", "id", "system"),
    ("bad_ref.yaml", "BAD_REF", "book_ghost", "author", "author_nobody"),
    ("other_module_ref.yaml", "BAD_REF", "book_stray", "genres", "nowhere.genre_x"),
    ("wrong_target.yaml", "BAD_REF", "book_wrong", "author", "shelf.Author"),
    ("late_ref.yaml", "BAD_REF", "book_early", "author", "author_late"),
    ("plain_id_ref.yaml", "BAD_REF", "book_numeric", "author", "{ref: external_id}"),
    ("plain_ref_column.csv", "BAD_REF", "book_plain", "author", "column 'author:ref'"),
    ("ref_on_scalar.yaml", "BAD_REF", "genre_refname", "name", "relation fields"),
    ("bad_value.yaml", "VALIDATION_FAILED", "book_pages", "pages", "integer"),
    ("bad_enum.yaml", "BAD_VALUE", "book_pamphlet", "format", "PAMPHLET"),
    ("missing_required.yaml", "VALIDATION_FAILED", "book_untitled", "title", "required"),
    ("unique_clash.yaml", "UNIQUE_VIOLATION", "genre_crime_again", "name", "already used"),
    ("bad_json.csv", "BAD_VALUE", "book_json", "info", "not JSON"),
]


@pytest.mark.parametrize(("file", "code", "entry", "field", "words"), DB_ERRORS,
                         ids=[case[0] for case in DB_ERRORS])
def test_error_rolls_back_the_module_data_and_names_where(
        books: App, file: str, code: str, entry: str, field: str | None,
        words: str) -> None:
    load(books, "shelf")
    with pytest.raises(DataFileError) as raised:
        load(books, "broken", data=["data/good.yaml", f"data/{file}"])

    error = raised.value
    assert (error.module, error.file, error.entry, error.field) == (
        "broken", f"data/{file}", entry, field)
    assert error.code == code
    for part in ("broken", f"data/{file}", f"broken.{entry}", words):
        assert part in error.message
    if field is not None:
        assert repr(field) in error.message
    assert ModelData.count(module="broken") == 0
    assert Genre.query_one(name="Written before the error") is None
    assert Author.query_one(name="Also written before the error") is None
    assert ModelData.count(module="shelf") == 10  # the other module's data stays


def test_error_rolls_back_only_the_savepoint_of_the_caller_transaction(books: App) -> None:
    with books.transaction():
        load(books, "shelf")
        with pytest.raises(DataFileError):
            load(books, "broken", data=["data/good.yaml", "data/unique_clash.yaml"])
        assert load(books, "library").created == 4  # the transaction is still usable

    assert ModelData.count(module="shelf") == 10 and ModelData.count(module="library") == 4
    assert ModelData.count(module="broken") == 0 and Genre.count() == 4


def test_upgrade_error_keeps_the_installed_values(books: App) -> None:
    load(books, "shelf")
    with pytest.raises(DataFileError, match="book_pages"):
        load(books, "shelf", mode="upgrade", version="1.1.0",
             data=[*SHELF_V2, "data/v2/broken_books.yaml"])

    assert record(Genre, "shelf", "genre_scifi").name == "Science fiction"
    assert record(Book, "shelf", "book_dune").title == "Dune"
    assert Genre.count() == 3 and ModelData.count(module="shelf") == 10


def test_malformed_later_file_writes_nothing(books: App) -> None:
    with pytest.raises(DataFileError, match="not valid YAML") as raised:
        load(books, "broken", data=["data/good.yaml", "data/malformed.yaml"])
    assert raised.value.line == 3 and raised.value.code == "MALFORMED_DATA"
    assert Genre.count() == 0 and ModelData.count() == 0


FORMAT_ERRORS = [
    # file, entry, line, words in the message
    ("malformed.yaml", None, 3, "not valid YAML"),
    ("not_a_list.yaml", None, 1, "must be a list"),
    ("unknown_key.yaml", "genre_typo", 1, "unknown entry key(s) value"),
    ("duplicate_id.yaml", "genre_twice", 4, "already defined in data/duplicate_id.yaml, line 1"),
    ("ragged.csv", "genre_ragged", 4, "4 cells, the header 3"),
    ("no_model.csv", None, 1, "cannot tell the model"),
    ("unsupported.txt", None, None, "unsupported data file type '.txt'"),
    ("missing.yaml", None, None, "file not found"),
]


@pytest.mark.parametrize(("file", "entry", "line", "words"), FORMAT_ERRORS,
                         ids=[case[0] for case in FORMAT_ERRORS])
def test_malformed_file_is_refused_before_anything_loads(
        file: str, entry: str | None, line: int | None, words: str) -> None:
    module = Module("broken", depends=["shelf"], data=["data/good.yaml", f"data/{file}"],
                    package=BROKEN)
    with pytest.raises(DataFileError) as raised:
        read_module_data(module)  # load_module_data reads every file before it writes

    error = raised.value
    assert (error.module, error.file, error.entry, error.line) == (
        "broken", f"data/{file}", entry, line)
    assert words in error.message and f"broken: data file data/{file}" in error.message


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="install, upgrade"):
        load_module_data(object(), Module("broken", package=BROKEN), mode="reinstall")


def test_csv_refs_split_on_spaces_and_commas_and_empty_cells_are_none() -> None:
    entries = parse_csv("# model: shelf.Book\n# noupdate: yes\n"
                        "id,title,genres:ref,author:ref,pages\n"
                        'b1,One,"g1, g2 other.g3",a1,\n', default_model=None)

    assert len(entries) == 1
    entry = entries[0]
    assert (entry.model, entry.external_id, entry.noupdate, entry.line) == (
        "shelf.Book", "b1", True, 4)
    assert entry.values == {"title": "One", "genres": [Ref("g1"), Ref("g2"), Ref("other.g3")],
                            "author": [Ref("a1")], "pages": None}
