"""Directives the data manager honours: CHECK, DEFAULT_VALUE, USE_PK_STRATEGY and UNLOCK."""
from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import re
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from modelry import (
    DataError, IntegrityViolation, Model, Module, NotNullViolation, ValidationFailed, directives,
    fields)
from modelry.boot import App
from modelry.directives import Directive, session
from modelry.modules.demo.models import PetBreed, PetOwner, PetShop, ShopStatus

# ── a model with callable defaults (the demo has constant defaults only) ─────
dirtest = Module("dirtest", depends=["demo"], display_name="Directive defaults")
_serials = itertools.count(1)


def next_serial() -> str:
    """A new ticket serial: called once per record."""
    return f"T-{next(_serials):05}"


class Ticket(Model, model="dirtest.Ticket"):
    """Defaults of every kind: a callable, a callable returning a date, a constant."""

    title = fields.String(required=True, size=20)
    serial = fields.String(size=16, default=next_serial)
    opened_on = fields.Date(default=dt.date.today)
    priority = fields.Integer(default=3)


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    """The demo module plus dirtest, tables empty, active, back-end directives."""
    booted = make_app([dirtest])
    with booted.activate(), directives.backend_scope():
        yield booted


@contextlib.contextmanager
def inserted_columns(engine: sa.Engine, table: str) -> Iterator[list[list[str]]]:
    """The column lists of the INSERTs into `table` sent inside the block."""
    seen: list[list[str]] = []
    pattern = re.compile(rf"INSERT INTO {table} \(([^)]*)\)", re.IGNORECASE)

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        match = pattern.search(statement)
        if match:
            seen.append([c.strip().strip('"`') for c in match.group(1).split(",")])

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _errors(failure: ValidationFailed) -> set[tuple[str, str]]:
    return {(e["field"], e["code"]) for e in failure.errors}


# ── CHECK ────────────────────────────────────────────────────────────────────
def test_check_off_sends_a_too_long_string_to_the_database(app: App, backend: str) -> None:
    name = "n" * 70  # the column is VARCHAR(64)
    if backend == "sqlite":
        # SQLite does not enforce VARCHAR lengths: the value is stored as given
        shop = PetShop(name=name).create()
        assert PetShop.query_by_id(shop.id).name == name
        return
    # PostgreSQL and MariaDB (strict mode) refuse it; no pydantic check ran
    with pytest.raises(DataError) as caught:
        PetShop(name=name).create()
    assert not isinstance(caught.value, ValidationFailed)
    assert caught.value.code == "INVALID_VALUE"
    assert caught.value.model == "demo.PetShop"
    assert PetShop.count() == 0


def test_check_off_leaves_required_fields_to_the_database(app: App) -> None:
    with pytest.raises(IntegrityViolation) as caught:
        PetShop(code="no name").create()
    assert caught.value.model == "demo.PetShop"
    assert PetShop.count() == 0


def test_check_on_collects_every_error(app: App) -> None:
    shop = PetShop(code="c" * 40, employees="many", status="NOPE", tax_rate=Decimal("1.23456"),
                   income=Decimal("12345678901234567"), opened_on="someday")
    with directives.scope(Directive.CHECK), pytest.raises(ValidationFailed) as caught:
        shop.create()
    failure = caught.value
    assert _errors(failure) == {
        ("name", "REQUIRED"), ("code", "STRING_TOO_LONG"), ("employees", "INT_PARSING"),
        ("status", "ENUM"), ("tax_rate", "VALUE_ERROR"), ("income", "VALUE_ERROR"),
        ("opened_on", "DATE_FROM_DATETIME_PARSING")}
    assert {e["model"] for e in failure.errors} == {"demo.PetShop"}
    messages = {e["field"]: e["message"] for e in failure.errors}
    assert "32" in messages["code"]
    assert "4 digits after the decimal point" in messages["tax_rate"]
    assert "16 digits before the decimal point" in messages["income"]
    assert (failure.code, failure.model) == ("VALIDATION_FAILED", "demo.PetShop")
    for field in ("name", "code", "employees", "status", "tax_rate", "income", "opened_on"):
        assert field in str(failure)
    assert PetShop.count() == 0
    assert shop.id is None


def test_check_on_accepts_and_converts_valid_values(app: App) -> None:
    with directives.scope(Directive.CHECK):
        shop = PetShop(name="Checked", employees="5", income="12.5", status="CLOSED",
                       tax_rate=Decimal("12.3456")).create()
    stored = PetShop.query_by_id(shop.id)
    assert (stored.employees, stored.income, stored.status, stored.tax_rate) == (
        5, Decimal("12.5"), ShopStatus.CLOSED, Decimal("12.3456"))


def test_check_on_update_checks_only_the_given_fields(app: App) -> None:
    shop = PetShop(name="Kept", code="K").create()
    with directives.scope(Directive.CHECK):
        partial = PetShop(id=shop.id, opt_version=0, employees=2)  # no name: fine
        assert partial.update_by_id() == 1
        cleared = PetShop(id=shop.id, opt_version=1, name=None, code="x" * 33)
        with pytest.raises(ValidationFailed) as caught:
            cleared.update_by_id()
    assert _errors(caught.value) == {("name", "REQUIRED"), ("code", "STRING_TOO_LONG")}
    stored = PetShop.query_by_id(shop.id)
    assert (stored.name, stored.code, stored.employees, stored.opt_version) == (
        "Kept", "K", 2, 1)


def test_check_on_refuses_a_whole_batch(app: App) -> None:
    with directives.scope(Directive.CHECK), pytest.raises(ValidationFailed) as caught:
        PetShop.create_batch([PetShop(name="fine"), PetShop(name="bad", employees="x")])
    assert _errors(caught.value) == {("employees", "INT_PARSING")}
    assert PetShop.count() == 0


def test_check_through_run_and_session(app: App) -> None:
    def create_nameless() -> Any:
        return PetShop(code="none").create()

    with pytest.raises(ValidationFailed):
        directives.run(create_nameless, Directive.CHECK)
    with pytest.raises(IntegrityViolation):  # run restored the back-end set
        create_nameless()
    session.directive().enable_check()
    with pytest.raises(ValidationFailed):
        create_nameless()
    session.directive().disable_check()
    with pytest.raises(IntegrityViolation):
        create_nameless()


def test_a_new_thread_starts_without_check(app: App) -> None:
    outcome: list[type[BaseException]] = []

    def create_nameless() -> None:
        try:
            with app.transaction():
                PetShop(code="thread").create()
        except DataError as error:
            outcome.append(type(error))

    with directives.scope(Directive.CHECK):
        thread = threading.Thread(target=create_nameless)
        thread.start()
        thread.join(timeout=60)
        with pytest.raises(ValidationFailed):
            PetShop(code="main").create()
    assert outcome == [NotNullViolation]   # the database refused it: CHECK was off


# ── DEFAULT_VALUE ────────────────────────────────────────────────────────────
def test_default_value_on_fills_python_defaults_including_callables(app: App) -> None:
    today = dt.date.today()
    with directives.scope(Directive.DEFAULT_VALUE), \
            inserted_columns(app.engine, "dirtest_ticket") as columns:
        first = Ticket(title="first").create()
        second = Ticket(title="second").create()
    assert re.fullmatch(r"T-\d{5}", first.serial) and re.fullmatch(r"T-\d{5}", second.serial)
    assert first.serial != second.serial  # the callable runs once per record
    stored = Ticket.query_by_id(first.id)
    assert (stored.serial, stored.priority) == (first.serial, 3)
    assert stored.opened_on in (today, dt.date.today())
    assert {"serial", "opened_on", "priority"} <= set(columns[0])


def test_default_value_on_keeps_given_values(app: App) -> None:
    with directives.scope(Directive.DEFAULT_VALUE):
        ticket = Ticket(title="mine", serial="OWN", priority=1,
                        opened_on=dt.date(2024, 2, 29)).create()
    stored = Ticket.query_by_id(ticket.id)
    assert (stored.serial, stored.priority, stored.opened_on) == (
        "OWN", 1, dt.date(2024, 2, 29))


def test_default_value_off_leaves_defaults_to_the_column(app: App) -> None:
    with inserted_columns(app.engine, "dirtest_ticket") as columns:
        ticket = Ticket(title="bare").create()
    assert "serial" not in columns[0] and "priority" not in columns[0]
    stored = Ticket.query_by_id(ticket.id)
    assert stored.serial is None  # a callable default has no column default
    assert stored.opened_on is None
    assert stored.priority == 3  # a constant default is also the column's default
    assert ticket.priority == 3  # the record is refreshed from the row


def test_default_value_off_demo_shop_gets_column_defaults(app: App) -> None:
    with inserted_columns(app.engine, "demo_pet_shop") as columns:
        shop = PetShop(name="Bare").create()
    left_out = {"income", "status", "employees", "visits", "is_open"}
    if app.engine.dialect.name == "sqlite":
        # exact decimals live as text there: SQLAlchemy sends the column default itself, so
        # that tables an older modelry made (DEFAULT 0, a number) still get the text form
        left_out.remove("income")
        assert "income" in columns[0]
    assert not left_out & set(columns[0])
    stored = PetShop.query_by_id(shop.id)
    assert (stored.income, stored.status, stored.employees, stored.visits, stored.is_open) == (
        Decimal(0), ShopStatus.OPEN, 1, 0, True)
    with directives.scope(Directive.DEFAULT_VALUE), \
            inserted_columns(app.engine, "demo_pet_shop") as filled:
        PetShop(name="Filled").create()
    assert {"income", "status", "employees", "visits", "is_open"} <= set(filled[0])


@pytest.mark.parametrize("bits", [(), (Directive.DEFAULT_VALUE,)], ids=["backend", "default"])
def test_construct_fills_every_default(app: App, bits: tuple[Directive, ...]) -> None:
    with directives.scope(*bits):
        ticket = Ticket.construct(title="drafted")
        assert re.fullmatch(r"T-\d{5}", ticket.serial)
        assert (ticket.priority, ticket.opened_on) == (3, dt.date.today())
        assert Ticket.count() == 0
        ticket.create()
    assert Ticket.query_by_id(ticket.id).serial == ticket.serial


def test_client_defaults_check_and_fill(app: App) -> None:
    with directives.client_scope():
        ticket = Ticket(title="client").create()
        with pytest.raises(ValidationFailed):
            Ticket(title="t" * 21).create()
    assert re.fullmatch(r"T-\d{5}", Ticket.query_by_id(ticket.id).serial)
    assert Ticket.count() == 1


# ── USE_PK_STRATEGY ──────────────────────────────────────────────────────────
def test_pk_strategy_save_without_id_inserts(app: App) -> None:
    PetOwner(name="Ann", email="ann@example.com").create()
    with directives.scope(Directive.USE_PK_STRATEGY):
        breed = PetBreed(name="Koi").save()
        assert breed.id is not None
        # no id: an insert, even though a row with this unique email exists
        with pytest.raises(IntegrityViolation):
            PetOwner(name="Other", email="ann@example.com").save()
    assert PetBreed.count() == 1
    assert [o.name for o in PetOwner.query_list()] == ["Ann"]


def test_pk_strategy_save_with_id_updates(app: App) -> None:
    owner = PetOwner(name="Ann", email="ann@example.com").create()
    shop = PetShop(name="Shop").create()
    with directives.scope(Directive.USE_PK_STRATEGY):
        PetOwner(id=owner.id, name="Anne").save()
        PetShop(id=shop.id, opt_version=0, name="Shop 2").save()
    stored = PetOwner.query_by_id(owner.id)
    assert (stored.name, stored.email, PetOwner.count()) == ("Anne", "ann@example.com", 1)
    stored_shop = PetShop.query_by_id(shop.id)
    assert (stored_shop.name, stored_shop.opt_version, PetShop.count()) == ("Shop 2", 1, 1)


def test_save_without_pk_strategy_finds_the_row_by_a_unique_field(app: App) -> None:
    ann = PetOwner(name="Ann", email="ann@example.com").create()
    koi = PetBreed(name="Koi").create()
    again = PetOwner(name="Anne", email="ann@example.com").save()
    assert again.id == ann.id
    assert PetBreed(name="Koi").save().id == koi.id
    assert (PetOwner.count(), PetBreed.count()) == (1, 1)
    assert PetOwner.query_by_id(ann.id).name == "Anne"
    bob = PetOwner(name="Bob", email="bob@example.com").save()  # no match: insert
    nameless = PetOwner(name="No email").save()  # no unique value at all: insert
    assert len({ann.id, bob.id, nameless.id}) == 3
    assert PetOwner.count() == 3


def test_save_by_unique_field_of_a_locked_model_needs_the_version(app: App) -> None:
    shop = PetShop(name="Coded", code="S1").create()
    with pytest.raises(DataError) as caught:
        PetShop(name="Recoded", code="S1").save()
    assert caught.value.code == "OPT_VERSION_REQUIRED"
    PetShop(name="Recoded", code="S1", opt_version=0).save()
    stored = PetShop.query_by_id(shop.id)
    assert (stored.name, stored.opt_version, PetShop.count()) == ("Recoded", 1, 1)


# ── UNLOCK ───────────────────────────────────────────────────────────────────
def test_unlock_turns_the_optimistic_lock_off(app: App) -> None:
    shop = PetShop(name="Locked").create()

    def overwrite(name: str) -> int:
        return PetShop(id=shop.id, name=name).update_by_id()

    with pytest.raises(DataError, match="opt_version"):
        overwrite("refused")
    assert directives.run(overwrite, Directive.UNLOCK, args=("by run",)) == 1
    with directives.scope(Directive.UNLOCK, Directive.CHECK):
        assert overwrite("by scope") == 1
    session.directive().disable_optimistic_locker()
    assert overwrite("by session") == 1
    stored = PetShop.query_by_id(shop.id)
    assert (stored.name, stored.opt_version) == ("by session", 3)
