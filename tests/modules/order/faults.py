"""A seeded fault scheduler for the order module's pure layer, against a plain model of the
order table.

Customers pay, fail, retry and get refunds at the local provider; each change sends signed
callbacks through a network that drops, duplicates, delays (sometimes past the signature
window) and so reorders them; an attacker sends forged, tampered, foreign and replayed
callbacks; the merchant closes orders (querying the provider first); a janitor re-queries
the provider for orders left open. `OrderBook` is the plain model: it applies decisions the
way the database slice will (a provider event id is claimed once, like the unique
constraint on `order.Callback`; every applied transition is logged).
"""
from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from decimal import Decimal

from modelry.modules.order import errors, states
from modelry.modules.order.callbacks import (
    CallbackDecision,
    OrderSnapshot,
    check_status,
    receive_callback,
)
from modelry.modules.order.errors import ProviderError
from modelry.modules.order.providers.base import ProviderEvent
from modelry.modules.order.providers.local import LocalProvider, event_body
from modelry.modules.order.states import Transition, transition
from tests.modules.order.helpers import START, Clock, provider

TOLERANCE = 300          # seconds a signature stays valid
JANITOR_EVERY = 240      # seconds between janitor runs
JANITOR_AGE = 120        # the janitor re-queries orders open longer than this


@dataclass
class OrderRecord:
    """One row of the plain order table, with its status log."""

    reference: str
    amount: Decimal
    currency: str
    opened_at: float
    state: str = states.INITIAL
    refunded: Decimal = Decimal(0)
    credits: int = 0                                   # ledger transfers for this order
    log: list[Transition] = field(default_factory=list)
    refund_events: list[ProviderEvent] = field(default_factory=list)

    def snapshot(self) -> OrderSnapshot:
        """The order as the callback checks see it."""
        return OrderSnapshot(self.reference, self.state, self.amount, self.currency,
                             self.refunded)


class OrderBook:
    """The plain model: orders, the claimed provider event ids, and what was refused."""

    def __init__(self) -> None:
        self.orders: dict[str, OrderRecord] = {}
        self.claimed: set[str] = set()
        self.applied = 0
        self.rejections: Counter[str] = Counter()
        self.stats: Counter[str] = Counter()

    def find(self, reference: str) -> OrderSnapshot | None:
        """The order with `reference`, as a snapshot."""
        record = self.orders.get(reference)
        return None if record is None else record.snapshot()

    def act(self, reference: str, event: str) -> None:
        """The application's own event (submit): an illegal one is a bug of the scheduler."""
        self._apply(self.orders[reference], transition(self.orders[reference].state, event))

    def carry_out(self, reference: str | None, decision: CallbackDecision) -> None:
        """Apply a decision; a provider event id seen before (checked first, as the unique
        constraint on `order.Callback` will), or a rejected decision, changes nothing."""
        record = self.orders.get(reference) if reference else None
        before = None if record is None else record.snapshot()
        event = decision.event
        if event is not None and event.event_id in self.claimed:
            self.stats["duplicate event id"] += 1      # acknowledged, whatever it says now
        elif not decision.accepted:
            self.rejections[decision.code or "?"] += 1
        else:
            assert record is not None and decision.transition is not None
            if event is not None:
                self.claimed.add(event.event_id)
            self._apply(record, decision.transition, decision.refunded_after, event)
            return
        assert record is None or record.snapshot() == before, decision

    def _apply(self, record: OrderRecord, change: Transition,
               refunded_after: Decimal | None = None,
               event: ProviderEvent | None = None) -> None:
        assert change.before == record.state, (record.reference, change, record.state)
        if not change.applied:
            self.stats[f"no-op {change.outcome}"] += 1
            return
        record.state = change.after
        if change.event == states.PAY:
            record.credits += 1                      # the idempotent ledger transfer
        if refunded_after is not None:
            assert event is not None
            record.refunded = refunded_after
            record.refund_events.append(event)
        record.log.append(change)
        self.applied += 1


@dataclass
class Story:
    """What a customer does at the provider, and when (seconds after START)."""

    steps: list[tuple[float, str, Decimal | None]]  # (when, "pay"/"fail"/"refund", amount)
    close_at: float | None


class FaultScheduler:
    """Drives `orders` orders through the faults above with a seeded random generator."""

    def __init__(self, seed: int, orders: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.clock = Clock()
        self.provider: LocalProvider = provider(self.clock, tolerance=TOLERANCE)
        self.book = OrderBook()
        self.count = orders
        self._queue: list[tuple[float, int, Callable[[], None]]] = []
        self._sequence = itertools.count()
        self._last_seen: dict[str, object] = {}
        self.expected_rejections: Counter[str] = Counter()

    # -- the timeline ----------------------------------------------------------------

    def at(self, when: float, action: Callable[[], None]) -> None:
        """Run `action` at `when` seconds after START."""
        heapq.heappush(self._queue, (when, next(self._sequence), action))

    def run(self) -> OrderBook:
        """Play the whole timeline, then one last janitor run over every open order."""
        horizon = 0.0
        for number in range(self.count):
            horizon = max(horizon, self._open_order(number))
        for when in range(JANITOR_EVERY, int(horizon) + JANITOR_EVERY, JANITOR_EVERY):
            self.at(when, lambda: self.janitor(JANITOR_AGE))
        while self._queue:
            when, _, action = heapq.heappop(self._queue)
            self.clock.now = START + timedelta(seconds=when)
            action()
        self.janitor(0)
        return self.book

    # -- orders and customers ----------------------------------------------------------

    def _open_order(self, number: int) -> float:
        rng = self.rng
        reference = f"S{self.seed}-{number}"
        amount = Decimal(rng.randint(1, 100_000)).scaleb(-2)
        currency = rng.choice(["EUR", "USD"])
        opened = rng.uniform(0, 3600)
        self.book.orders[reference] = OrderRecord(reference, amount, currency, opened)
        self.at(opened, lambda: self._submit(reference, amount, currency))
        story = self._story(opened, amount)
        for when, step, part in story.steps:
            self.at(when, lambda step=step, part=part: self._customer(reference, step, part))
        if story.close_at is not None:
            self.at(story.close_at, lambda: self.close(reference))
        for when in self._attacks(reference, opened):
            self.at(when, lambda: self._attack(reference))
        return max([opened, *(when for when, _, _ in story.steps)])

    def _story(self, opened: float, amount: Decimal) -> Story:
        rng = self.rng
        later = itertools.accumulate(rng.uniform(1, 900) for _ in range(6))
        times = [opened + offset for offset in later]
        roll = rng.random()
        if roll < 0.45:
            steps: list[tuple[float, str, Decimal | None]] = [(times[0], "pay", None)]
        elif roll < 0.60:
            steps = [(times[0], "fail", None), (times[1], "pay", None)]
        elif roll < 0.75:
            steps = [(times[0], "fail", None)]
        else:
            steps = []                                 # abandoned
        if steps and steps[-1][1] == "pay" and rng.random() < 0.35:
            steps += [(when, "refund", part) for when, part in
                      zip(times[2:], self._refund_parts(amount), strict=False)]
        close_at = None
        if not steps or rng.random() < 0.2:
            close_at = opened + rng.uniform(60, 3000)
        return Story(steps, close_at)

    def _refund_parts(self, amount: Decimal) -> list[Decimal]:
        cents = int(amount * 100)
        total = cents if self.rng.random() < 0.5 else self.rng.randint(1, cents)
        cuts = sorted(self.rng.sample(range(1, total), min(self.rng.randint(0, 2),
                                                             total - 1)))
        edges = [0, *cuts, total]
        return [Decimal(b - a).scaleb(-2) for a, b in itertools.pairwise(edges)]

    def _submit(self, reference: str, amount: Decimal, currency: str) -> None:
        self.book.act(reference, states.SUBMIT)
        self.provider.open(reference, amount, currency)

    def _customer(self, reference: str, step: str, part: Decimal | None) -> None:
        try:
            if step == "pay":
                event = self.provider.pay(reference)
            elif step == "fail":
                event = self.provider.fail(reference)
            else:
                assert part is not None
                event = self.provider.refund(reference, part)
        except ProviderError as exc:                   # e.g. paying a closed payment
            assert exc.code == "PROVIDER_REFUSED"
            self.book.stats[f"provider refused {step}"] += 1
            return
        self._send(event)

    # -- the network -------------------------------------------------------------------

    def _send(self, event: ProviderEvent) -> None:
        """The provider sends `event` once or more (retries), each copy signed when sent;
        the network drops some and delays the rest."""
        rng = self.rng
        now = self._now()
        copies = 1 + (rng.randint(1, 3) if rng.random() < 0.3 else 0)
        for copy in range(copies):
            if rng.random() < 0.2:
                self.book.stats["dropped"] += 1
                continue
            sent = now + copy * rng.uniform(5, 600)
            self.at(sent, lambda: self._transmit(event))

    def _transmit(self, event: ProviderEvent) -> None:
        headers, body = self.provider.callback(event)
        slow = self.rng.random() < 0.1
        delay = self.rng.uniform(200, 900) if slow else self.rng.expovariate(1 / 5)
        self.at(self._now() + delay, lambda: self._deliver(headers, body, event))

    def _arrived(self, event: ProviderEvent | None) -> None:
        """Count an event that arrives after a later one of its order (reordered)."""
        if event is not None:
            if self._last_seen.get(event.reference, event.occurred_at) > event.occurred_at:
                self.book.stats["reordered"] += 1
            self._last_seen[event.reference] = max(
                event.occurred_at, self._last_seen.get(event.reference, event.occurred_at))

    def _deliver(self, headers: dict[str, str], body: bytes,
                 event: ProviderEvent | None, expected: str | None = None) -> None:
        self._arrived(event)
        decision = receive_callback(self.provider, headers, body, self.book.find)
        if expected is not None:
            assert decision.code == expected, (expected, decision)
            self.expected_rejections[expected] += 1
        if decision.code == errors.CALLBACK_BAD_SIGNATURE and expected is None:
            self.book.stats["signature expired in transit"] += 1
        reference = decision.event.reference if decision.event is not None else None
        self.book.carry_out(reference, decision)

    # -- the attacker --------------------------------------------------------------------

    def _attacks(self, reference: str, opened: float) -> list[float]:
        return [opened + self.rng.uniform(0, 3000) for _ in range(self.rng.choice(
            [0, 0, 0, 0, 1, 1, 2]))]

    def _attack(self, reference: str) -> None:
        record = self.book.orders[reference]
        rng = self.rng
        forged = ProviderEvent(f"forged-{next(self._sequence)}", reference, "paid",
                               record.amount, record.currency, self.clock())
        kind = rng.choice(["amount", "currency", "tampered", "unknown", "replay", "refund"])
        if kind == "refund":                           # one cent past what is refundable
            forged = replace(forged, kind="refunded",
                             amount=record.amount - record.refunded + Decimal("0.01"))
            expected = (errors.REFUND_EXCEEDS_PAID if record.state in states.PAID_STATES
                        else errors.ORDER_ILLEGAL_TRANSITION)
        elif kind == "amount":
            forged = replace(forged, amount=record.amount + Decimal("0.01"))
            expected = errors.CALLBACK_AMOUNT_MISMATCH
        elif kind == "currency":
            forged = replace(forged, currency="GBP")
            expected = errors.CALLBACK_CURRENCY_MISMATCH
        elif kind == "unknown":
            forged = replace(forged, reference=f"{reference}-nobody")
            expected = errors.CALLBACK_UNKNOWN_ORDER
        else:
            expected = errors.CALLBACK_BAD_SIGNATURE
        if kind == "tampered":                         # a genuine signature, a new body
            headers = self.provider.sign(event_body(forged))
            body = event_body(replace(forged, amount=forged.amount * 2))
        elif kind == "replay":                         # captured, replayed much later
            stamp = int(self.clock().timestamp()) - TOLERANCE - rng.randint(1, 3600)
            headers, body = self.provider.callback(forged, timestamp=stamp)
        else:
            headers, body = self.provider.callback(forged)
        self._deliver(headers, body, None, expected)

    # -- the merchant and the janitor ---------------------------------------------------

    def close(self, reference: str) -> None:
        """The merchant closes an order: close it at the provider, then settle it from the
        provider's answer (which says paid if closing came too late)."""
        if self.book.orders[reference].state not in states.PAYABLE_STATES:
            return
        self.provider.close(reference)
        self._settle(reference, "close")

    def janitor(self, age: float) -> None:
        """Re-query the provider for every order open longer than `age` seconds."""
        now = self._now()
        for record in self.book.orders.values():
            if record.state in states.PAYABLE_STATES and now - record.opened_at >= age:
                self._settle(record.reference, "janitor")

    def _settle(self, reference: str, who: str) -> None:
        record = self.book.orders[reference]
        decision = check_status(record.snapshot(), self.provider.query(reference))
        if decision is not None:
            if decision.transition is not None and decision.transition.applied:
                self.book.stats[f"{who} settled"] += 1
            self.book.carry_out(reference, decision)

    def _now(self) -> float:
        return (self.clock() - START).total_seconds()
