"""Faulty upstream suppliers for the channel fault scheduler (`faults_db`), reached only
through the declared field mapping (`fake_supplier.MAPPING`, one secret per supplier),
over HTTP: each is a `supplier_server.supplier_app` under `/<code>` of one ASGI app.

Each submission of an order number draws what the supplier does with it (`BEHAVIOURS`):
succeed, fail, take it and answer later (a query says PROCESSING until it settles), time
out having done it, time out while still working, lose it (a query never finds it; these
three hang up without an answer), answer garbage, answer FAIL and later report a success
(a supplier contradicting itself), or call back before answering. A settled submission is
called back (or not) through `Network`, which delays, duplicates, reorders and drops
callbacks and adds forged ones; they are posted over HTTP to
`/api/channel/suppliers/{code}/callback` as a supplier would.
"""
from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from starlette.applications import Starlette
from starlette.routing import Mount

from tests.modules.channel.supplier_server import HANG_UP, Answer, supplier_app

SUCCESS, FAIL, PROCESSING, LOST = "SUCCESS", "FAIL", "PROCESSING", "LOST"
BEHAVIOURS: dict[str, int] = {       # behaviour: weight of its draw
    "succeed": 30, "fail": 14, "pending": 14, "timeout_done": 8, "timeout_pending": 6,
    "lost": 2, "garbage": 8, "contradict": 4, "callback_first": 6}
SETTLED = ("succeed", "fail", "timeout_done")   # what the final rounds draw from
GARBAGE = (b"<html>502 bad gateway</html>", b"[1, 2, 3]", b'{"code": "9999", "msg": "?"}',
           b'{"code": "0000", "data": ', b"")


def md5_sign(fields: dict[str, str], secret: str) -> str:
    """A supplier's own signature rule (md5 of the sorted non-empty fields and its key)."""
    text = "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "sign" and fields[k])
    return hashlib.md5(f"{text}&key={secret}".encode()).hexdigest().upper()


@dataclass
class Submission:
    """One submission of an order number to a supplier, and what the supplier holds of
    it: SUCCESS, FAIL, PROCESSING (settles at `settles_at` into `settles_to`) or LOST."""

    supplier: str
    number: str
    channel: str
    index: int
    behaviour: str
    state: str
    settles_at: int = 0
    settles_to: str = ""
    contradicted: bool = False      # answered FAIL, then reported a success

    @property
    def reference(self) -> str:
        """The supplier's trade number of this submission."""
        return f"T-{self.supplier}-{self.number}-{self.index}"


@dataclass(order=True)
class Delivery:
    """A callback on its way: posted at step `due`."""

    due: int
    sequence: int
    supplier: str = field(compare=False)
    form: dict[str, str] = field(compare=False)
    # a genuine callback is acknowledged, or 404 once the order moved to another supplier
    expected: tuple[int, ...] = field(compare=False, default=(200, 404))


class Network:
    """Callbacks in flight, delivered at their step in a random order."""

    def __init__(self, rng: random.Random, post: Callable[[str, dict[str, str]], int]) -> None:
        self.rng = rng
        self.post = post
        self.queue: list[Delivery] = []
        self.sequence = itertools.count()
        self.stats: Counter[str] = Counter()

    def send(self, supplier: str, form: dict[str, str], due: int,
             expected: tuple[int, ...] = (200, 404)) -> None:
        """Queue `form` for delivery at step `due`."""
        heapq.heappush(self.queue, Delivery(due, next(self.sequence), supplier, form, expected))

    def deliver(self, step: int) -> None:
        """Post every callback due by `step`, shuffled (so reordered)."""
        due = []
        while self.queue and self.queue[0].due <= step:
            due.append(heapq.heappop(self.queue))
        self.rng.shuffle(due)
        for delivery in due:
            status = self.post(delivery.supplier, delivery.form)
            assert status in delivery.expected, \
                f"callback {delivery.form} to {delivery.supplier}: HTTP {status}"
            self.stats[f"callback HTTP {status}"] += 1

    def flush(self) -> None:
        """Deliver everything still in flight."""
        while self.queue:
            self.deliver(self.queue[0].due)


class FaultySuppliers:
    """The suppliers `secrets` names (code → secret), served under `url` by `asgi`, with
    their submissions by (supplier, number): the last one is what a query answers."""

    def __init__(self, rng: random.Random, secrets: dict[str, str], network: Network) -> None:
        self.rng = rng
        self.secrets = secrets
        self.network = network
        self.step = 0
        self.settling = False            # the final rounds: nothing new is left open
        self.submissions: dict[tuple[str, str], list[Submission]] = {}
        self.stats: Counter[str] = Counter()
        self.errors: list[str] = []           # what went wrong answering (a bad signature)
        self.url = ""

    def asgi(self) -> Starlette:
        """Every supplier's API, under `/<code>`."""
        return Starlette(routes=[Mount(f"/{code}", supplier_app(partial(self.answer, code),
                                                                 self.errors))
                                 for code in self.secrets])

    def endpoint(self, code: str) -> str:
        """The base URL of supplier `code`, once served at `url`."""
        return f"{self.url}/{code}"

    def current(self, supplier: str, number: str) -> Submission | None:
        """The last submission of `number` to `supplier`, or None."""
        found = self.submissions.get((supplier, number))
        return found[-1] if found else None

    def all_of(self, number: str) -> list[Submission]:
        """Every submission of `number`, to any supplier."""
        return [s for (_, n), subs in self.submissions.items() if n == number for s in subs]

    # -- the HTTP side ---------------------------------------------------------------------

    def answer(self, supplier: str, path: str, fields: dict[str, str]) -> Answer:
        """Answer a request to `path` of `supplier` the channel module prepared from the
        mapping."""
        assert fields["sign"] == md5_sign(fields, self.secrets[supplier]), \
            f"bad signature from the mapping of {supplier}"
        if path == "/query":
            return self._query(supplier, fields["orderNo"])
        return self._submit(supplier, fields)

    def _query(self, supplier: str, number: str) -> Answer:
        self.stats["query"] += 1
        found = self.current(supplier, number)
        if not self.settling and self.rng.random() < 0.05:
            self.stats["query garbage"] += 1
            return Answer(500, self.rng.choice(GARBAGE))
        state = "UNKNOWN_ORDER" if found is None or found.state == LOST else found.state
        reference = None if found is None else found.reference
        return Answer(200, json.dumps({"code": "0000", "data": {
            "state": state, "tradeNo": reference}}).encode())

    def _submit(self, supplier: str, fields: dict[str, str]) -> Answer:
        number = fields["orderNo"]
        earlier = self.submissions.setdefault((supplier, number), [])
        draw = SETTLED if self.settling else tuple(BEHAVIOURS)
        behaviour = self.rng.choices(draw, [BEHAVIOURS[b] for b in draw])[0]
        self.stats[behaviour] += 1
        sub = Submission(supplier, number, fields["channel"], len(earlier) + 1, behaviour,
                         PROCESSING)
        earlier.append(sub)
        if behaviour in ("succeed", "timeout_done"):
            self._settle(sub, SUCCESS)
        elif behaviour in ("fail", "contradict"):
            self._settle(sub, FAIL)
        elif behaviour in ("pending", "timeout_pending"):
            sub.settles_at = self.step + self.rng.randint(1, 40)
            sub.settles_to = SUCCESS if self.rng.random() < 0.7 else FAIL
        elif behaviour == "lost":
            sub.state = LOST
        elif behaviour == "garbage":
            outcome = self.rng.choice((SUCCESS, FAIL, PROCESSING))
            if outcome == PROCESSING:
                sub.settles_at, sub.settles_to = self.step + self.rng.randint(1, 40), SUCCESS
            else:
                self._settle(sub, outcome)
            return Answer(502, self.rng.choice(GARBAGE))
        elif behaviour == "callback_first":
            # the supplier's callback overtakes its own answer
            self._settle(sub, SUCCESS if self.rng.random() < 0.7 else FAIL, callback=False)
            status = self.network.post(supplier, self.callback(sub, sub.state))
            self.stats[f"callback first HTTP {status}"] += 1
        if behaviour == "contradict":
            sub.settles_at, sub.settles_to = self.step + self.rng.randint(1, 30), SUCCESS
        if behaviour.startswith("timeout") or behaviour == "lost":
            return HANG_UP         # as good as a timeout to the caller, without the wait
        code = {SUCCESS: "0000", FAIL: "2001", PROCESSING: "1001"}[sub.state]
        return Answer(200, json.dumps({"code": code, "msg": behaviour,
                                       "data": {"tradeNo": sub.reference}}).encode())

    # -- the supplier's own timeline -------------------------------------------------------

    def callback(self, sub: Submission, state: str) -> dict[str, str]:
        """The signed callback form of `sub` reporting `state`."""
        form = {"orderNo": sub.number, "state": state, "tradeNo": sub.reference, "msg": state}
        return {**form, "sign": md5_sign(form, self.secrets[sub.supplier])}

    def _settle(self, sub: Submission, state: str, callback: bool = True) -> None:
        sub.state = state
        if not callback or self.rng.random() < 0.25:
            return                                     # no callback (or it is lost)
        self.network.send(sub.supplier, self.callback(sub, state),
                          self.step + self.rng.randint(0, 8))
        if self.rng.random() < 0.3:                    # a second delivery, maybe first
            self.stats["callback twice"] += 1
            self.network.send(sub.supplier, self.callback(sub, state),
                              self.step + self.rng.randint(0, 12))

    def tick(self, step: int) -> None:
        """Move to `step`: submissions whose time came settle (a contradiction flips a
        FAIL to SUCCESS and says so); now and then a stray or forged callback."""
        self.step = step
        for sub in [s for subs in self.submissions.values() for s in subs]:
            if sub.settles_at and sub.settles_at <= step:
                self._settle_late(sub)
        if self.submissions and self.rng.random() < 0.05:
            self._stray()

    def _stray(self) -> None:
        """A PROCESSING callback after the fact (read as unknown, changes nothing), a forged
        one (refused, 400) or one for an order this supplier does not have (404)."""
        supplier, number = self.rng.choice(sorted(self.submissions))
        sub = self.submissions[(supplier, number)][-1]
        kind = self.rng.choice(("processing", "forged", "foreign"))
        self.stats[f"stray {kind}"] += 1
        if kind == "processing":
            self.network.send(supplier, self.callback(sub, PROCESSING), self.step + 1)
        elif kind == "forged":
            form = {**self.callback(sub, SUCCESS), "tradeNo": "T-forged"}
            self.network.send(supplier, form, self.step + 1, expected=(400,))
        else:
            other = next(code for code in sorted(self.secrets) if code != supplier)
            form = {**self.callback(sub, SUCCESS), "orderNo": "RC0999999999"}
            form["sign"] = md5_sign({k: v for k, v in form.items() if k != "sign"},
                                    self.secrets[other])
            self.network.send(other, form, self.step + 1, expected=(404,))

    def settle_everything(self) -> None:
        """The final rounds: every submission still PROCESSING settles now, the lost ones
        are found (as done, or failed), and new ones answer at once."""
        self.settling = True
        for sub in [s for subs in self.submissions.values() for s in subs]:
            if sub.settles_at:
                self._settle_late(sub)
            elif sub.state == LOST:
                self.stats["lost, found at last"] += 1
                self._settle(sub, SUCCESS if self.rng.random() < 0.5 else FAIL)

    def _settle_late(self, sub: Submission) -> None:
        sub.settles_at = 0
        if sub.behaviour == "contradict":
            sub.contradicted = True
            self.stats["success after FAIL"] += 1
        self._settle(sub, sub.settles_to)
