"""Models of `uniq`: a code unique per shelf (a many-to-one and a string), and an abstract
model whose unique set its stored subclass inherits."""
from __future__ import annotations

from modelry import Model, fields


class Shelf(Model, model="uniq.Shelf"):
    """Where items stand."""

    name = fields.String(size=32)


class Item(Model, model="uniq.Item", unique=[("shelf", "code")]):
    """`code` is unique per shelf; an item on no shelf (NULL) is unique nowhere."""

    shelf = fields.ManyToOne("uniq.Shelf", on_delete="RESTRICT")
    code = fields.String(size=16)
    label = fields.String(size=32)


class Coded(Model, model="uniq.Coded", kind="abstract", unique=[("owner", "code")]):
    """Abstract: `code` unique per owner, for every stored model built on it."""

    owner = fields.String(size=32, required=True)
    code = fields.String(size=16, required=True)


class Tag(Coded, model="uniq.Tag", unique=[("owner", "label")]):
    """Stored: the inherited (owner, code), and its own (owner, label)."""

    label = fields.String(size=32)
