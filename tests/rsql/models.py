"""The `rsqltest` module: models covering every field kind and every relation kind."""
from __future__ import annotations

import enum

from modelry.core import fields
from modelry.core.model import Model
from modelry.core.module import Module

module = Module("rsqltest", version="1.0.0")


class ShopStatus(enum.Enum):
    """A string-valued enum (stored by value)."""

    OPEN = "open"
    CLOSED = "closed"
    PAUSED = "paused"


class Level(enum.Enum):
    """An integer-valued enum."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3


class City(Model, model="rsqltest.City"):
    name = fields.String(size=64)
    owners = fields.OneToMany("rsqltest.Owner", inverse="city")


class Owner(Model, model="rsqltest.Owner"):
    name = fields.String(size=64)
    city = fields.ManyToOne("rsqltest.City")


class Tag(Model, model="rsqltest.Tag"):
    name = fields.String(size=32)
    color = fields.String(size=32)


class Shop(Model, model="rsqltest.Shop"):
    name = fields.String(size=64)
    code = fields.String(size=32)
    description = fields.Text()
    rank = fields.Integer()
    visits = fields.BigInteger()
    rating = fields.Float()
    income = fields.Money()
    cost = fields.Money()
    ratio = fields.Decimal(precision=10, scale=4)
    active = fields.Boolean()
    opened = fields.Date()
    updated_at = fields.DateTime()
    opens_at = fields.Time()
    status = fields.Enum(ShopStatus)
    level = fields.Enum(Level)
    payload = fields.Json()
    blob = fields.Binary()
    owner = fields.ManyToOne("rsqltest.Owner")
    parent = fields.ManyToOne("rsqltest.Shop")
    items = fields.OneToMany("rsqltest.Item", inverse="shop")
    tags = fields.ManyToMany("rsqltest.Tag")


class Item(Model, model="rsqltest.Item"):
    item_name = fields.String(size=64)
    price = fields.Money()
    shop = fields.ManyToOne("rsqltest.Shop")
    labels = fields.ManyToMany("rsqltest.Tag")
