"""Models of the `shelf` test module: every field kind a data file may set."""
from __future__ import annotations

import enum

from modelry import Model, fields


class Format(enum.Enum):
    """Member names differ from values, so data files may use either."""

    HARDCOVER = "hardcover"
    PAPERBACK = "paperback"
    EBOOK = "ebook"


class Genre(Model, model="shelf.Genre"):
    """A genre; linked to books through a generated join table."""

    name = fields.String(required=True, size=64, unique=True)
    code = fields.String(size=16)


class Author(Model, model="shelf.Author"):
    """A writer with books (OneToMany)."""

    name = fields.String(required=True, size=64)
    born = fields.Date()
    books = fields.OneToMany("shelf.Book", inverse="author")


class Book(Model, model="shelf.Book", optimistic_lock=True):
    """A book: locked, so data updates need UNLOCK."""

    title = fields.String(required=True, size=128)
    price = fields.Money()
    pages = fields.Integer()
    in_print = fields.Boolean(default=True)
    format = fields.Enum(Format)
    published = fields.Date()
    rating = fields.Float()
    info = fields.Json()
    author = fields.ManyToOne("shelf.Author")
    genres = fields.ManyToMany("shelf.Genre")


class Shelf(Model, model="shelf.Shelf", kind="transient"):
    """Transient: data files cannot load it."""

    label = fields.String()
