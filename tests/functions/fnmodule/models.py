"""Models of `fntest`: a stored model with functions of every kind, and transient ones."""
from __future__ import annotations

import enum
from decimal import Decimal

from modelry import Model, action, fields, function
from tests.functions.fnmodule.trace import trace


class Level(enum.Enum):
    """How fancy a gadget is."""

    LOW = "LOW"
    HIGH = "HIGH"


class Gadget(Model, model="fntest.Gadget"):
    """A stored model whose `create` is overridden and which has its own functions."""

    name = fields.String(required=True, size=64)
    price = fields.Money(default=0)
    level = fields.Enum(Level, default=Level.LOW)
    made_on = fields.Date()
    note = fields.String(size=64)

    @function(type="CREATE")
    def create(self) -> Gadget:
        """Override of the built-in: a gadget without a note gets one, then the insert runs."""
        trace("Gadget.create")
        if self.note is None:
            self.note = "via override"
        return super().create()

    @action()
    def bump(self) -> Gadget:
        """A server action: raise the stored price by one."""
        trace("Gadget.bump")
        stored = Gadget.query_by_id(self.id)
        stored.price = stored.price + 1
        stored.update_by_id()
        return Gadget.query_by_id(self.id)

    @function(open_level="API", type="QUERY")
    @classmethod
    def cheaper_than(cls, limit: Decimal, level: Level | None = None,
                     size: int = 10) -> list[Gadget]:
        """Gadgets priced under `limit` (of one level when given), cheapest first."""
        trace("Gadget.cheaper_than")
        filters = {"level": level} if level is not None else {}
        return cls.query_list(rsql=f"price<{limit}", sort="price", limit=size, **filters)

    @function(open_level="API", type="UPDATE", name="renameAll")
    @staticmethod
    def rename_everything(prefix: str) -> int:
        """A static function under a custom name: prefix every name; how many changed."""
        trace("Gadget.renameAll")
        changed = 0
        for gadget in Gadget.query_list():
            gadget.name = f"{prefix}{gadget.name}"
            changed += gadget.update_by_id()
        return changed

    @function()
    def secret_sauce(self) -> int:
        """LOCAL: callable from Python only."""
        return 42

    @function(open_level="REMOTE", type="QUERY")
    @classmethod
    def remote_only(cls) -> int:
        """REMOTE: not part of the GraphQL API either."""
        return 7


class Quote(Model, model="fntest.Quote", kind="transient"):
    """Transient: a priced offer, used as input and output of functions."""

    label = fields.String(size=64)
    total = fields.Money()
    pieces = fields.Integer()


class Echo(Model, model="fntest.Echo", kind="transient"):
    """Transient: every argument of `Calc.echo`, sent back."""

    text = fields.String(size=256)
    number = fields.Integer()
    ratio = fields.Float()
    flag = fields.Boolean()
    amount = fields.Decimal(precision=20, scale=6)
    day = fields.Date()
    moment = fields.DateTime()
    level = fields.Enum(Level)
    gadget_name = fields.String(size=64)
    gadget_price = fields.Money()
    gadget_names = fields.String(size=256)
    quote_label = fields.String(size=64)
    optional = fields.Integer()
    maybe = fields.String(size=64)
