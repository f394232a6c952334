"""Models of `sortidx`: a book on an optional shelf."""
from __future__ import annotations

from modelry import Model, fields


class Shelf(Model, model="sortidx.Shelf"):
    """Where books stand."""

    name = fields.String(size=32)


class Book(Model, model="sortidx.Book"):
    """`code` is indexed and NOT NULL, `rank` indexed and nullable, `isbn` unique and
    nullable, `title` not indexed."""

    code = fields.String(size=16, required=True, index=True)
    isbn = fields.String(size=16, unique=True)
    rank = fields.Integer(index=True)
    title = fields.String(size=32)
    shelf = fields.ManyToOne("sortidx.Shelf", on_delete="SET NULL")
