"""Bulk inserts: `Model.insert_bulk(rows)` takes plain dicts, builds no records, fills rows as
create() does, and sends a few statements per thousands of rows, on every database."""
from __future__ import annotations

import datetime as dt
import enum
import itertools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from modelry import (DataError, Model, Module, NotNullViolation, UniqueViolation,
                     ValidationFailed, directives, fields)
from modelry.boot import App
from modelry.core.data import bulk, bulk_pages
from modelry.directives import Directive
from modelry.modules.demo.models import PetShop
from tests.sql_capture import statements

bulktest = Module("bulktest", depends=["demo"], display_name="Bulk inserts")
_serials = itertools.count(1)


def next_serial() -> str:
    """A new serial: called once per record."""
    return f"R-{next(_serials):05}"


class Level(enum.Enum):
    """How high a reading is."""

    LOW = "LOW"
    HIGH = "HIGH"


class Reading(Model, model="bulktest.Reading"):
    """A value of every kind a bulk insert converts."""

    value = fields.Integer(required=True)
    serial = fields.String(size=16, default=next_serial)
    amount = fields.Money(default=0)
    ratio = fields.Float()
    level = fields.Enum(Level, default=Level.LOW)
    taken_at = fields.DateTime()
    payload = fields.Json()
    blob = fields.Binary()
    note = fields.String(size=8)
    code = fields.String(size=16, unique=True)
    sealed = fields.Boolean(readonly=True)
    shop = fields.ManyToOne("demo.PetShop", on_delete="CASCADE")


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    """The demo module plus bulktest, tables empty, active, back-end directives."""
    booted = make_app([bulktest])
    with booted.activate(), directives.backend_scope():
        yield booted


def _inserts(seen: list[str]) -> list[str]:
    return [s for s in seen if s.lstrip().upper().startswith("INSERT")]


def _refused(call: Callable[[], Any], error: type[Exception] = DataError) -> Any:
    with pytest.raises(error) as caught:
        call()
    return caught.value


# ── rows in, few statements out ──────────────────────────────────────────────
def test_insert_bulk_returns_the_count_and_builds_no_records(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Any] = []
    original = Model.__init__
    monkeypatch.setattr(Model, "__init__", lambda self, **v: (built.append(self),
                                                               original(self, **v))[1])
    rows = [{"value": n, "code": f"C{n}"} for n in range(250)]
    with app.transaction(), statements(app.engine) as seen:
        assert Reading.insert_bulk(rows) == 250
    assert built == []
    assert 1 <= len(_inserts(seen)) <= 2, seen  # PostgreSQL: 2 x 100 rows, then 50
    assert len(seen) == len(_inserts(seen))
    monkeypatch.undo()
    stored = {r.code: r.value for r in Reading.query_list()}
    assert stored == {f"C{n}": n for n in range(250)}


def test_ids_come_back_in_row_order(app: App) -> None:
    rows = [{"value": n, "code": f"C{n:04}"} for n in range(1234)]
    with app.transaction():
        ids = Reading.insert_bulk(rows, returning_ids=True)
    assert len(ids) == len(set(ids)) == 1234 and all(isinstance(i, int) for i in ids)
    by_id = {r.id: r.code for r in Reading.query_list()}
    assert [by_id[i] for i in ids] == [row["code"] for row in rows]
    assert Reading.insert_bulk([]) == 0 and Reading.insert_bulk([], returning_ids=True) == []


def test_given_ids_are_kept_and_new_ids_follow_them(app: App) -> None:
    ids = Reading.insert_bulk([{"value": 1}, {"value": 2, "id": 5000}, {"value": 3}],
                              returning_ids=True)
    assert ids[1] == 5000 and len(set(ids)) == 3
    assert {r.id: r.value for r in Reading.query_list()} == dict(zip(ids, [1, 2, 3]))
    later = Reading(value=4).create()  # PostgreSQL's sequence moved past the given id
    assert later.id > 5000


def test_rows_are_filled_as_create_fills_a_record(app: App) -> None:
    Reading.insert_bulk([{"value": 1, "code": "bulk"}, {"value": 2, "amount": Decimal("5")}])
    Reading(value=1, code="created").create()
    bulk_row, other, created = Reading.query_list(sort="id")
    fill = ("amount", "level", "serial", "ratio", "sealed")
    assert [getattr(bulk_row, n) for n in fill] == [getattr(created, n) for n in fill] == [
        Decimal("0"), Level.LOW, None, None, None]  # a callable default needs DEFAULT_VALUE
    assert (other.amount, other.code) == (Decimal("5"), None)


def test_default_value_calls_a_callable_default_for_each_row(app: App) -> None:
    with directives.scope(Directive.DEFAULT_VALUE):
        Reading.insert_bulk([{"value": n} for n in range(3)] + [{"value": 3, "serial": "own"}])
    serials = [r.serial for r in Reading.query_list(sort="id")]
    assert len(set(serials)) == 4 and serials[3] == "own"
    assert all(s.startswith("R-") for s in serials[:3])


def test_values_are_converted_by_their_fields(app: App) -> None:
    shop = PetShop(name="Shop").create()
    aware = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    Reading.insert_bulk([
        {"value": 1, "level": Level.HIGH, "taken_at": aware, "amount": Decimal("0.0001"),
         "payload": {"a": [1, 2]}, "blob": b"\x00\xff", "shop": shop.id, "ratio": 0.5},
        {"value": 2, "level": "HIGH", "amount": "12.5", "shop_id": shop.id},
        {"value": 3, "shop": shop, "amount": 7}])
    first, second, third = Reading.query_list(sort="id")
    assert (first.level, first.taken_at, first.amount, first.payload, first.blob,
            first.shop_id, first.ratio) == (Level.HIGH, dt.datetime(2026, 3, 1, 10, 0),
                                            Decimal("0.0001"), {"a": [1, 2]}, b"\x00\xff",
                                            shop.id, 0.5)
    assert (second.level, second.amount, second.shop_id) == (Level.HIGH, Decimal("12.5"),
                                                             shop.id)
    assert (third.amount, third.shop_id) == (Decimal("7"), shop.id)


def test_audit_fields_and_version_are_set(app: App) -> None:
    with app.acting_as(5):
        ids = PetShop.insert_bulk([{"name": "A"}, {"name": "B"}], returning_ids=True)
    for shop in PetShop.query_list(id__in=ids):
        assert (shop.create_uid, shop.write_uid, shop.opt_version) == (5, 5, 0)
        assert shop.create_date is not None and shop.create_date == shop.write_date


# ── refusals ─────────────────────────────────────────────────────────────────
@pytest.mark.parametrize(("row", "code", "field"), [
    ({"value": 1, "colour": "red"}, "UNKNOWN_FIELD", "colour"),
    ({"value": 1, "create_date": dt.datetime(2026, 1, 1)}, "FIELD_NOT_WRITABLE", "create_date"),
    ({"value": 1, "write_uid": 3}, "FIELD_NOT_WRITABLE", "write_uid"),
])
def test_names_that_are_not_writable_columns_are_refused(
        app: App, row: dict[str, Any], code: str, field: str) -> None:
    refused = _refused(lambda: Reading.insert_bulk([{"value": 0}, row]))
    assert (refused.code, refused.model, refused.field) == (code, "bulktest.Reading", field)
    assert Reading.count() == 0


def test_other_refusals(app: App) -> None:
    refused = _refused(lambda: PetShop.insert_bulk([{"name": "A", "tags": []}]))
    assert (refused.code, refused.field) == ("NOT_A_COLUMN", "tags")
    refused = _refused(lambda: Reading.insert_bulk([{"value": 1, "shop": 1, "shop_id": 1}]))
    assert (refused.code, refused.field) == ("DUPLICATE_FIELD", "shop")
    assert _refused(lambda: Reading.insert_bulk([{"value": 1}, 7])).code == "BAD_ROW"
    unsaved = PetShop(name="unsaved")
    refused = _refused(lambda: Reading.insert_bulk([{"value": 1, "shop": unsaved}]))
    assert (refused.code, refused.field) == ("ID_REQUIRED", "shop")
    assert Reading.count() == 0


def test_check_reports_every_error_with_its_row(app: App) -> None:
    rows = [{"value": 1}, {"value": "many", "note": "far too long"}, {"note": "ok"}]
    with directives.scope(Directive.CHECK):
        failure = _refused(lambda: Reading.insert_bulk(rows), ValidationFailed)
    assert {(e["row"], e["field"], e["code"]) for e in failure.errors} == {
        (1, "value", "INT_PARSING"), (1, "note", "STRING_TOO_LONG"), (2, "value", "REQUIRED")}
    assert all(e["message"].startswith(f"row {e['row']}: ") for e in failure.errors)
    assert Reading.count() == 0
    with directives.scope(Directive.CHECK):
        assert Reading.insert_bulk([{"value": "7", "amount": "1.5"}]) == 1  # converted
    stored, = Reading.query_list()
    assert (stored.value, stored.amount) == (7, Decimal("1.5"))


def test_not_finite_numbers_are_refused_without_check(app: App) -> None:
    failure = _refused(lambda: Reading.insert_bulk([{"value": 1, "ratio": float("nan")}]),
                       ValidationFailed)
    assert (failure.errors[0]["code"], failure.field) == ("NOT_FINITE", "ratio")


def test_database_refusals_name_the_model_and_field(app: App) -> None:
    Reading.insert_bulk([{"value": 1, "code": "same"}])
    unique = _refused(lambda: Reading.insert_bulk([{"value": 2, "code": "same"}]),
                      UniqueViolation)
    assert (unique.model, unique.field) == ("bulktest.Reading", "code")
    missing = _refused(lambda: Reading.insert_bulk([{"value": 3}, {"note": "no value"}]),
                       NotNullViolation)
    assert (missing.model, missing.field) == ("bulktest.Reading", "value")
    assert Reading.count() == 1


def test_client_values_refuse_ids_and_read_only_fields(app: App) -> None:
    with directives.scope(Directive.FROM_CLIENT):
        assert _refused(lambda: Reading.insert_bulk([{"value": 1, "id": 9}])).code == \
            "ID_NOT_ALLOWED"
        refused = _refused(lambda: Reading.insert_bulk([{"value": 1, "sealed": True}]))
        assert (refused.code, refused.field) == ("FIELD_NOT_WRITABLE", "sealed")
        assert Reading.insert_bulk([{"value": 1, "id": None}]) == 1  # a null id writes nothing
    assert Reading.insert_bulk([{"value": 2, "sealed": True}]) == 1  # back-end code may
    assert [r.sealed for r in Reading.query_list(sort="id")] == [None, True]


def test_write_transforms_and_listeners_apply(app: App) -> None:
    heard: list[str] = []
    app.data.on_write.append(heard.append)
    app.data.write_transforms[("bulktest.Reading", "note")] = str.upper
    try:
        Reading.insert_bulk([{"value": 1, "note": "quiet"}])
    finally:
        del app.data.write_transforms[("bulktest.Reading", "note")]
        app.data.on_write.remove(heard.append)
    assert heard == ["bulktest.Reading"]
    assert Reading.query_one().note == "QUIET"


def test_a_readonly_transaction_is_refused(app: App) -> None:
    with app.transaction(readonly=True):
        refused = _refused(lambda: Reading.insert_bulk([{"value": 1}]))
    assert (refused.code, refused.model) == ("READONLY_TRANSACTION", "bulktest.Reading")


# ── chunks ───────────────────────────────────────────────────────────────────
def test_mariadb_pages_fit_the_parameter_limit_and_the_packet() -> None:
    rows = [{"a": "x" * 100, "b": n} for n in range(10)]  # about 204 + 32 bytes each
    assert [len(p) for p in bulk_pages.pages(rows, per_page=4, budget=10_000)] == [4, 4, 2]
    assert [len(p) for p in bulk_pages.pages(rows, per_page=100, budget=500)] == [2, 2, 2, 2, 2]
    assert [len(p) for p in bulk_pages.pages(rows[:2], per_page=100, budget=1)] == [1, 1]


def test_postgresql_statements_stay_under_its_parameter_limit(app: App) -> None:
    statement, keys = bulk._multi_row_insert(app.data.table(app.registry.model(
        "bulktest.Reading")), ("value", "note"), 3)
    assert keys[2] == [("value", "value__2"), ("note", "note__2")]
    bound = set(statement.compile().params)
    assert {f"{column}__{n}" for column in ("value", "note") for n in range(3)} <= bound
    assert bulk.rows_per_statement(12) == bulk.ROWS_PER_STATEMENT == 100
    assert bulk.rows_per_statement(1000) == 65  # 65 x 1000 bound values < 65,535


def test_every_value_kind_round_trips_and_postgresql_inserts_from_arrays(app: App) -> None:
    """Every database keeps each kind of value; PostgreSQL sends the rows as arrays in one
    INSERT ... SELECT FROM unnest (the others in multi-row INSERTs)."""
    shop = PetShop(name="Shop").create()
    aware = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    rows: list[dict[str, Any]] = [
        {"value": 2**31 - 1, "level": Level.HIGH, "taken_at": aware, "amount": 7,
         "blob": b"\x00\xff", "shop": shop, "ratio": 1, "note": "it's ok"},
        {"value": -5, "amount": Decimal("0.0001"), "ratio": 0.5, "note": None}]
    rows += [{"value": n} for n in range(500)]
    with app.transaction(), statements(app.engine) as seen:
        ids = Reading.insert_bulk(rows, returning_ids=True)
    if app.engine.dialect.name == "postgresql":
        assert len(_inserts(seen)) == 1 and "unnest" in _inserts(seen)[0], seen
    else:
        assert _inserts(seen) and not any("unnest" in sql for sql in _inserts(seen)), seen
    first, second, *rest = (Reading.query_one(id=i) for i in ids[:3])
    assert (first.value, first.level, first.taken_at, first.amount, first.blob, first.shop_id,
            first.ratio, first.note) == (2**31 - 1, Level.HIGH, dt.datetime(2026, 3, 1, 10, 0),
                                         Decimal("7"), b"\x00\xff", shop.id, 1.0, "it's ok")
    assert (second.value, second.amount, second.ratio, second.note, second.level) == (
        -5, Decimal("0.0001"), 0.5, None, Level.LOW)
    assert rest[0].value == 0 and Reading.count() == 502
    if app.engine.dialect.name != "sqlite":  # SQLite's columns check neither length nor range
        # the INSERT's own checks: a text too long is refused (an array cast would cut it)
        assert _refused(lambda: Reading.insert_bulk([{"value": 1, "note": "far too long"}]))
        assert _refused(lambda: Reading.insert_bulk([{"value": 2**31}]))
    assert Reading.count() == 502


AWKWARD_TEXTS = ['a"b', "c\\d", "NULL", "{x,y}", " padded ", "", "é€𝄞", "\\\"", "'", "a\tb\nc"]


def test_texts_that_array_syntax_quotes_round_trip(app: App) -> None:
    """Texts PostgreSQL's array syntax would read otherwise (quotes, backslashes, braces,
    commas, spaces, the word NULL) come back as sent, next to a real NULL."""
    rows: list[dict[str, Any]] = [{"value": n, "serial": text}
                                  for n, text in enumerate(AWKWARD_TEXTS)]
    rows.append({"value": len(rows), "serial": None})
    with app.transaction():
        ids = Reading.insert_bulk(rows, returning_ids=True)
    got = {r.id: r.serial for r in Reading.query_list(id__in=ids)}
    assert [got[i] for i in ids] == [*AWKWARD_TEXTS, None]


def test_identical_rows_and_columns_of_one_value_are_all_inserted(app: App) -> None:
    """Columns holding one value in every row go once beside the arrays on PostgreSQL;
    rows that are all alike, and a single row, are still each inserted."""
    when = dt.datetime(2026, 1, 2, 3, 4, 5)
    with app.transaction():
        Reading.insert_bulk([{"value": 7, "note": "same", "taken_at": when}] * 3)
        Reading.insert_bulk([{"value": 8, "note": None, "level": Level.HIGH}])
        Reading.insert_bulk([{"value": n, "note": "x", "ratio": 1} for n in range(4)]
                            + [{"value": 9, "note": "x", "ratio": 1.0}])
    got = sorted((r.value, r.note, r.taken_at, r.level, r.ratio) for r in Reading.query_list())
    assert got[:4] == [(0, "x", None, Level.LOW, 1.0), (1, "x", None, Level.LOW, 1.0),
                       (2, "x", None, Level.LOW, 1.0), (3, "x", None, Level.LOW, 1.0)]
    assert got[4:] == [(7, "same", when, Level.LOW, None)] * 3 + [
        (8, None, None, Level.HIGH, None), (9, "x", None, Level.LOW, 1.0)]
