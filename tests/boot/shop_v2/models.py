"""Models of `boot_shop` 1.1.0."""
from __future__ import annotations

from modelry import Model, fields


class Shop(Model, model="boot_shop.Shop"):
    """A shop, rated, without its note."""

    name = fields.String(size=64, required=True, unique=True)
    rating = fields.Integer()
    owner = fields.ManyToOne("boot_shop.Owner")
    tags = fields.ManyToMany("boot_shop.Tag")


class Owner(Model, model="boot_shop.Owner"):
    """Who owns a shop."""

    name = fields.String(size=64)


class Tag(Model, model="boot_shop.Tag"):
    """A label on shops."""

    name = fields.String(size=32, index=True)
