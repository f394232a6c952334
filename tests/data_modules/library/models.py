"""Models of the `library` test module."""
from __future__ import annotations

from modelry import Model, fields


class Branch(Model, model="library.Branch"):
    """A library branch featuring a book of another module."""

    name = fields.String(required=True, size=64)
    featured = fields.ManyToOne("shelf.Book")
    genres = fields.ManyToMany("shelf.Genre")
