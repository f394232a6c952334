"""Service functions of `fntest` (namespace `fntest.Calc`): one per argument and result kind."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from modelry import directives, ext_point, function
from tests.functions.fnmodule.models import Echo, Gadget, Level, Quote
from tests.functions.fnmodule.trace import trace

CALC = "fntest.Calc"


@function(open_level="API", type="QUERY", namespace=CALC)
def echo(text: str, number: int, ratio: float, flag: bool, amount: Decimal, day: dt.date,
         moment: dt.datetime, level: Level, gadget: Gadget, gadgets: list[Gadget],
         quote: Quote, optional: int = 7, maybe: str | None = None) -> Echo:
    """Every argument kind, sent back in a transient record."""
    trace("Calc.echo")
    return Echo(text=text, number=number, ratio=ratio, flag=flag, amount=amount, day=day,
                moment=moment, level=level, gadget_name=gadget.name,
                gadget_price=gadget.price, gadget_names=",".join(g.name for g in gadgets),
                quote_label=quote.label, optional=optional, maybe=maybe)


@function(open_level="API", type="QUERY", namespace=CALC)
def shout(text: str) -> str:
    """Upper-case `text` and add an exclamation mark."""
    trace("Calc.shout")
    return text.upper() + "!"


@function(open_level="API", type="QUERY", namespace=CALC)
def greet(name: str) -> str:
    """Say hello (extension points of several priorities override it)."""
    trace("Calc.greet")
    return f"hello {name}"


@function(open_level="API", type="QUERY", namespace=CALC)
def half(amount: Decimal) -> Decimal:
    """Half of `amount`, exactly."""
    return amount / 2


@function(open_level="API", type="QUERY", namespace=CALC)
def day_after(day: dt.date) -> dt.date:
    """The next day."""
    return day + dt.timedelta(days=1)


@function(open_level="API", type="QUERY", namespace=CALC)
def in_an_hour(moment: dt.datetime) -> dt.datetime:
    """`moment` plus one hour."""
    return moment + dt.timedelta(hours=1)


@function(open_level="API", type="QUERY", namespace=CALC)
def flip(level: Level) -> Level:
    """The other level."""
    return Level.HIGH if level is Level.LOW else Level.LOW


@function(open_level="API", type="QUERY", namespace=CALC)
def ratio(numerator: float, denominator: float) -> float:
    """A float result."""
    return numerator / denominator


@function(open_level="API", type="QUERY", namespace=CALC)
def is_long(text: str, limit: int = 5) -> bool:
    """A boolean result; `limit` has a Python default."""
    return len(text) > limit


@function(open_level="API", type="QUERY", namespace=CALC)
def gadget_count() -> int:
    """How many gadgets are stored."""
    return Gadget.count()


@function(open_level="API", type="QUERY", namespace=CALC)
def priciest() -> Gadget | None:
    """A model result (or null when there are no gadgets)."""
    found = Gadget.query_list(sort="-price", limit=1)
    return found[0] if found else None


@function(open_level="API", type="QUERY", namespace=CALC)
def quote(gadgets: list[Gadget], label: str = "offer") -> Quote:
    """A transient result computed from a list of model inputs."""
    return Quote(label=label, total=sum((g.price or Decimal(0) for g in gadgets), Decimal(0)),
                 pieces=len(gadgets))


@function(open_level="API", type="QUERY", namespace=CALC)
def requote(quote: Quote) -> Quote:
    """A transient model in and out: the same offer, doubled."""
    return Quote(label=f"{quote.label} x2", total=quote.total * 2,
                 pieces=quote.pieces * 2)


@function(open_level="API", type="CREATE", namespace=CALC)
def stock(gadgets: list[Gadget]) -> list[Gadget]:
    """A mutation: store every gadget (through Gadget.create), return them."""
    trace("Calc.stock")
    return [gadget.create() for gadget in gadgets]


@function(open_level="API", type="DELETE", namespace=CALC)
def clear() -> None:
    """A mutation without a result (GraphQL answers true)."""
    Gadget.delete_batch(Gadget.query_list())


@function(type="QUERY", namespace=CALC)
def internal_total() -> Decimal:
    """LOCAL: Python only."""
    return sum((g.price for g in Gadget.query_list()), Decimal(0))


@ext_point.declare(CALC, "discount")
def discount(amount: Decimal) -> Decimal:
    """A custom extension point: by default no discount."""
    trace("discount.default")
    return amount


@function(open_level="API", type="QUERY", namespace=CALC)
def price_of(amount: Decimal, with_extensions: bool = False) -> Decimal:
    """Calls the custom point from a body (bodies run with back-end directives)."""
    if with_extensions:
        with directives.scope(directives.Directive.EXT_POINT):
            return discount(amount)
    return discount(amount)


@function(open_level="API", type="DELETE", namespace=CALC, name="delete")
def forget_everything() -> int:
    """A service function named like a built-in: its right is a function right."""
    return Gadget.delete_batch(Gadget.query_list())
