"""ManyToOne(constraint=False): no foreign key in the database, the same guarantees from
the data manager (checked once per statement), on every database."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa

from modelry import (DeclarationError, ForeignKeyViolation, Model, Module, RecordReferenced,
                     directives, fields)
from modelry.boot import App
from tests.threads import run_threads

reftest = Module("reftest", depends=["base"], display_name="References without keys")


class Book(Model, model="reftest.Book"):
    """A record others refer to."""

    title = fields.String(size=32)


class Line(Model, model="reftest.Line"):
    """An append-only row referring to books without foreign keys."""

    book = fields.ManyToOne("reftest.Book", required=True, constraint=False)
    other = fields.ManyToOne("reftest.Book", constraint=False)
    amount = fields.Integer(default=0)


@pytest.fixture
def app(make_app: Callable[..., App]) -> Iterator[App]:
    """reftest booted, tables empty, active, back-end directives."""
    booted = make_app([reftest], pool_size=6)
    with booted.activate(), directives.backend_scope():
        yield booted


def test_the_table_has_no_foreign_key_and_the_field_says_restrict(app: App) -> None:
    table = app.data.table(app.registry.model("reftest.Line"))
    keys = sa.inspect(app.engine).get_foreign_keys(table.name)
    assert keys == []
    field = app.registry.model("reftest.Line").fields["book"]
    assert (field.on_delete, field.constraint) == ("RESTRICT", False)
    assert field.describe()["constraint"] is False


def test_every_write_naming_a_missing_record_is_refused(app: App) -> None:
    with app.transaction():
        book = Book(title="Ledger").create()
    writes = [lambda: Line(book=book.id + 99).create(),
              lambda: Line.insert_bulk([{"book": book.id}, {"book": book.id + 98}]),
              lambda: Line.create_batch([Line(book=book.id), Line(book=book.id + 97)])]
    for write in writes:
        with pytest.raises(ForeignKeyViolation) as refused, app.transaction():
            write()
        assert refused.value.code == "FOREIGN_KEY_VIOLATION"
        assert refused.value.field == "book" and "reftest.Line.book" in str(refused.value)
    with app.transaction():
        line = Line(book=book.id).create()
    with pytest.raises(ForeignKeyViolation, match="has id"), app.transaction():
        line.other = book.id + 5
        line.update_by_id()
    with pytest.raises(ForeignKeyViolation), app.transaction():
        Line.update_where({"id": line.id}, other=book.id + 6)
    assert [(r.book_id, r.other_id) for r in Line.query_list()] == [(book.id, None)]


def test_a_referenced_record_cannot_be_deleted_and_stays(app: App) -> None:
    with app.transaction():
        kept, free = Book(title="Kept").create(), Book(title="Free").create()
        Line.insert_bulk([{"book": kept.id, "other": kept.id}])
    with app.transaction():
        with pytest.raises(RecordReferenced, match="reftest.Line.book") as refused:
            Book.delete_batch([kept.id, free.id])
        assert refused.value.code == "RECORD_REFERENCED"
        # caught: the transaction goes on, and nothing of the refused delete happened
        assert {b.title for b in Book.query_list()} == {"Kept", "Free"}
    with app.transaction():
        assert Book.delete_batch([free.id]) == 1
    assert [b.title for b in Book.query_list()] == ["Kept"]


def test_a_declaration_that_would_cascade_is_refused() -> None:
    with pytest.raises(DeclarationError, match="on_delete must be RESTRICT"):
        class Loose(Model, model="reftest.Loose"):  # noqa: F841
            book = fields.ManyToOne("reftest.Book", constraint=False, on_delete="CASCADE")


def test_a_delete_racing_an_insert_never_leaves_an_orphan(app: App) -> None:
    """Writers insert lines for a book while another thread deletes it: either the delete
    is refused, or every line naming the book was refused; never a line without its book."""
    for round_ in range(4):
        with app.transaction():
            book = Book(title=f"Race {round_}").create()
        barrier = threading.Barrier(3)

        def work(k: int, book_id: int = book.id, barrier: threading.Barrier = barrier) -> str:
            with app.activate(), directives.backend_scope():
                barrier.wait()
                try:
                    with app.transaction():
                        if k == 0:
                            Book.delete_batch([book_id])
                        else:
                            Line.insert_bulk([{"book": book_id, "amount": k}])
                    return "ok"
                except (RecordReferenced, ForeignKeyViolation) as refused:
                    return refused.code

        outcome = run_threads(3, work)
        lines = Line.count(book=book.id)
        exists = Book.query_by_id(book.id) is not None
        assert exists or lines == 0, (outcome, lines)
        assert (outcome[0] == "ok") != exists, outcome
