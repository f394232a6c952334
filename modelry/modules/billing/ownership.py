"""Whose bill a customer's usage goes on, when the customer has several subscriptions.

The usage of a plan's charge goes on the bill of the customer's lowest-id subscription to
that plan alive in the usage window; the usage of a charge without a plan (and of a period
charge without a plan) on the customer's lowest-id subscription alive in the window, of any
plan or package. So two subscriptions to one plan bill its usage once, and usage after a
first subscription ended goes on the one that is still running. (Subscriptions of one
customer to one plan whose periods are anchored on different days are attributed window
by window, so a window they share goes to the lower id.)
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Life:
    """What ownership reads of a subscription."""

    id: int
    plan: int | None
    starts: dt.date
    ends: dt.date | None

    def alive(self, start: dt.date, end: dt.date) -> bool:
        """Whether it existed on some day of [start, end)."""
        return self.starts < end and (self.ends is None or self.ends > start)


@dataclass
class Owners:
    """Every subscription of the run's customers, by customer."""

    lives: dict[int, list[Life]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, subscriptions: Iterable[Any]) -> Owners:
        """Built from `billing.Subscription` records."""
        owners = cls()
        for found in sorted(subscriptions, key=lambda s: s.id):
            owners.lives[found.customer_id].append(
                Life(found.id, found.plan_id, found.starts_on, found.ends_on))
        return owners

    def owner(self, customer: int, plan: int | None, start: dt.date, end: dt.date) -> int | None:
        """The subscription that bills the usage of `plan`'s charges (None: the charges
        without a plan) in [start, end)."""
        for life in self.lives.get(customer, ()):
            if life.alive(start, end) and (plan is None or life.plan == plan):
                return life.id
        return None
