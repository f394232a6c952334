"""Routing a recharge order over a product's channels: which channels may take an amount,
and in which order to try them.

A product is routed over one or more channels (`Route`), each with an `AmountRule` (fixed
face values such as 30|50|100|200, or a range such as 1-9999). `plan` gives the order in
which to try the eligible routes for one order, under one of two routing rules:

- PRIORITY: by priority (lower first), then by channel code, then by channel id: a fixed
  order, the first channel taking every order it can and the others standing by.
- WEIGHTED: a weighted random order without replacement, seeded by the order number, so
  that each channel comes first for about its share of the orders, and the same order always
  gets the same plan (a re-run of a fulfilment task falls back along the same path).

`next_route` is the fallback: the first route of the plan not yet tried for the order.
"""
from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from modelry.modules.channel import errors, money
from modelry.modules.channel.errors import ChannelError

PRIORITY = "PRIORITY"
WEIGHTED = "WEIGHTED"
RULES: tuple[str, ...] = (PRIORITY, WEIGHTED)

ANY = "*"
_NUMBER = r"\d+(?:\.\d+)?"
_FIXED = re.compile(rf"{_NUMBER}(?:\s*\|\s*{_NUMBER})*")
# An en dash too: operators copy ranges such as "1–9999" from suppliers' documents.
_RANGE = re.compile(rf"({_NUMBER})\s*[-–]\s*({_NUMBER})")


def _rule_error(message: str) -> ChannelError:
    return ChannelError(errors.AMOUNT_RULE_INVALID, message, model="channel.Channel",
                        field="amount_rule")


def _bound(value: Decimal | int, what: str) -> Decimal:
    return money.positive(value, errors.AMOUNT_RULE_INVALID, what, model="channel.Channel",
                          field="amount_rule")


@dataclass(frozen=True)
class AmountRule:
    """The amounts a channel accepts: one of the `fixed` face values, or any amount from
    `low` to `high` (both inclusive), or, with neither, any amount > 0.

    Fixed values are kept sorted and without repeats, so that two rules accepting the same
    amounts are equal and `parse(str(rule)) == rule`.
    """

    fixed: tuple[Decimal, ...] = ()
    low: Decimal | None = None
    high: Decimal | None = None

    def __post_init__(self) -> None:
        fixed = tuple(sorted({_bound(value, "a fixed amount") for value in self.fixed}))
        object.__setattr__(self, "fixed", fixed)
        if (self.low is None) != (self.high is None):
            raise _rule_error(f"an amount range needs both bounds, not low={self.low!r} "
                              f"high={self.high!r}")
        if self.low is None or self.high is None:
            return
        if fixed:
            raise _rule_error(f"an amount rule is fixed amounts or a range, not both "
                              f"({'|'.join(map(money.plain, fixed))} and "
                              f"{self.low}-{self.high})")
        low, high = _bound(self.low, "an amount range's low"), _bound(self.high,
                                                                      "an amount range's high")
        if low > high:
            raise _rule_error(f"an amount range's low {money.plain(low)} is above its high "
                              f"{money.plain(high)}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    @classmethod
    def parse(cls, text: str) -> AmountRule:
        """The rule `text` states: "30|50|100|200" (fixed amounts), "1-9999" (a range, both
        ends inclusive), "" or "*" (any amount > 0)."""
        if not isinstance(text, str):
            raise _rule_error(f"an amount rule is a text, not {type(text).__name__} {text!r}")
        stripped = text.strip()
        try:
            if stripped in ("", ANY):
                return cls()
            if _FIXED.fullmatch(stripped):
                return cls(fixed=tuple(Decimal(part) for part in stripped.split("|")))
            matched = _RANGE.fullmatch(stripped)
            if matched:
                return cls(low=Decimal(matched[1]), high=Decimal(matched[2]))
        except ChannelError as error:
            raise _rule_error(f"amount rule {text!r}: {error.message}") from None
        raise _rule_error(f"amount rule {text!r} is none of: fixed amounts (30|50|100), a "
                          f"range (1-9999), or any amount (\"*\" or empty)")

    def allows(self, amount: Decimal) -> bool:
        """Whether a channel with this rule accepts an order of `amount` (never one <= 0)."""
        value = money.number(amount, errors.AMOUNT_INVALID, "amount")
        if value <= 0:
            return False
        if self.fixed:
            return value in self.fixed
        if self.low is not None and self.high is not None:
            return self.low <= value <= self.high
        return True

    def __str__(self) -> str:
        if self.fixed:
            return "|".join(money.plain(value) for value in self.fixed)
        if self.low is not None and self.high is not None:
            return f"{money.plain(self.low)}-{money.plain(self.high)}"
        return ANY


@dataclass(frozen=True)
class Route:
    """One channel a product may be routed over: the channel's id and code, its `priority`
    (lower first, for PRIORITY routing), its `weight` (> 0, for WEIGHTED routing), whether
    it is enabled, and the amounts it accepts."""

    channel: int
    code: str
    priority: int = 100
    weight: int = 1
    enabled: bool = True
    rule: AmountRule = AmountRule()

    def __post_init__(self) -> None:
        checks = (("channel", self.channel, int), ("code", self.code, str),
                  ("priority", self.priority, int), ("weight", self.weight, int),
                  ("enabled", self.enabled, bool), ("rule", self.rule, AmountRule))
        for field, value, kind in checks:
            if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
                raise self._invalid(f"{field} must be {kind.__name__}, "
                                    f"not {type(value).__name__} {value!r}", field)
        if not self.code:
            raise self._invalid("code must not be empty", "code")
        if self.weight <= 0:
            raise self._invalid(f"weight must be > 0, not {self.weight}", "weight")

    def _invalid(self, why: str, field: str) -> ChannelError:
        return ChannelError(errors.ROUTE_INVALID,
                            f"route of channel {self.channel!r} ({self.code!r}): {why}",
                            model="channel.Route", field=field)


def _priority_order(route: Route) -> tuple[int, str, int]:
    return route.priority, route.code, route.channel


def _weighted_order(routes: list[Route], key: str) -> list[Route]:
    """`routes` drawn one by one without replacement, each with a chance proportional to its
    weight among those left. Integer draws: no float ties, and the same key always draws the
    same order (`routes` comes sorted, so the input order does not matter either)."""
    draw = random.Random(hashlib.sha256(key.encode()).digest())
    left, order = list(routes), []
    while left:
        point = draw.randrange(sum(route.weight for route in left))
        for index, route in enumerate(left):
            point -= route.weight
            if point < 0:
                order.append(left.pop(index))
                break
    return order


def plan(routes: Sequence[Route], amount: Decimal, rule: str, key: str) -> list[Route]:
    """The order in which to try `routes` for the order numbered `key` of `amount`: only
    enabled routes whose AmountRule allows the amount, by `rule` (PRIORITY or WEIGHTED);
    [] when none can take it."""
    value = money.positive(amount, errors.AMOUNT_INVALID, "amount",
                           model=errors.RECHARGE_MODEL, field="amount")
    if rule not in RULES:
        raise ChannelError(errors.ROUTING_RULE_UNKNOWN,
                           f"routing rule {rule!r} is unknown (rules: {', '.join(RULES)})",
                           model="channel.Product", field="routing")
    if not isinstance(key, str) or not key:
        raise ChannelError(errors.ROUTING_KEY_INVALID,
                           f"the routing key must be the order number, a non-empty str, not "
                           f"{key!r}")
    seen: set[int] = set()
    for route in routes:
        if route.channel in seen:
            raise ChannelError(errors.ROUTE_DUPLICATE,
                               f"channel {route.channel} ({route.code!r}) is routed twice",
                               model="channel.Route", field="channel")
        seen.add(route.channel)
    eligible = sorted((route for route in routes if route.enabled and route.rule.allows(value)),
                      key=_priority_order)
    return eligible if rule == PRIORITY else _weighted_order(eligible, key)


def next_route(routes: Sequence[Route], amount: Decimal, rule: str, key: str,
               tried: Collection[int]) -> Route | None:
    """The first route of `plan(routes, amount, rule, key)` whose channel is not in `tried`
    (the fallback after a failure), or None when every eligible channel has been tried."""
    return next((route for route in plan(routes, amount, rule, key)
                 if route.channel not in tried), None)
