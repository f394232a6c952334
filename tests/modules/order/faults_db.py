"""The seeded fault scheduler (`faults`) driving the real database instead of the plain
model: orders are created and paid with `create_order` and `start_payment`, every callback
(genuine, duplicated, delayed, reordered, forged) goes through `receive_callback`, the
merchant closes with `close_order`, and the janitor is `requery_payments`; the module's
clock and the provider's move together on the scheduler's timeline.

`check_database` then checks the invariants on what the database holds: no order paid
twice (one `pay` log, one ledger transfer), none left open that the provider says is
settled, each status log replaying the declared machine, refunds within what was paid,
and one merchant notification per applied transition the merchant hears of.
"""
from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

from modelry import ModelryError
from modelry.boot import App
from modelry.modules.order import clock, errors, states
from modelry.modules.order.closing import close_order
from modelry.modules.order.janitor import requery_payments
from modelry.modules.order.models import Callback, Order, ProviderConfig, StatusLog
from modelry.modules.order.notifying import KINDS
from modelry.modules.order.payment_models import Notification
from modelry.modules.order.payments import start_payment
from modelry.modules.order.providers.base import ProviderEvent
from modelry.modules.order.receiving import PROVIDER_KINDS, create_order, receive_callback
from modelry.modules.order.states import transition
from tests.modules.order.faults import TOLERANCE, FaultScheduler, OrderBook
from tests.modules.order.helpers import SECRET

CODE = "local"
PAYERS = 7                   # orders are paid by payer-0 ... payer-6, in turns
AGREES = {"paid": states.PAID_STATES, "failed": {states.FAILED},
          "closed": {states.CLOSED}}


class DbFaultScheduler(FaultScheduler):
    """The fault scheduler with the database as its order table."""

    def __init__(self, app: App, seed: int, orders: int) -> None:
        super().__init__(seed, orders)
        self.app = app
        self._payers = itertools.count()
        self.janitor_age: float | None = None

    @contextmanager
    def wired(self) -> Iterator[None]:
        """The provider configured as kind "fault" (this scheduler's provider) and the
        module's clock on the scheduler's."""
        with mock.patch.dict(PROVIDER_KINDS, {"fault": lambda config: self.provider}), \
                mock.patch.object(clock, "utc_now",
                                  lambda: self.clock().replace(tzinfo=None)):
            with self.app.transaction():
                if ProviderConfig.query_one(code=CODE) is None:
                    ProviderConfig(code=CODE, kind="fault", secret=SECRET.decode(),
                                   tolerance_seconds=TOLERANCE).create()
            yield

    def run(self) -> OrderBook:
        with self.wired():
            return super().run()

    def _submit(self, reference: str, amount: Decimal, currency: str) -> None:
        payer = f"payer-{next(self._payers) % PAYERS}"
        with self.app.transaction():
            create_order(reference, "shop-1", amount, currency, CODE, payer=payer)
            start_payment(reference, CODE)
        self.provider.open(reference, amount, currency)

    def _deliver(self, headers: dict[str, str], body: bytes,
                 event: ProviderEvent | None, expected: str | None = None) -> None:
        self._arrived(event)
        with self.app.transaction():
            answer = receive_callback(CODE, headers, body.decode("utf-8"))
        if expected is not None:
            assert answer.code == expected, (expected, answer.code, answer.message)
            self.expected_rejections[expected] += 1
        if answer.code == errors.CALLBACK_BAD_SIGNATURE and expected is None:
            self.book.stats["signature expired in transit"] += 1
        if answer.redelivered:
            self.book.stats["duplicate event id"] += 1
        elif answer.code != "ok":
            self.book.rejections[answer.code] += 1
        elif answer.outcome != states.APPLIED:
            self.book.stats[f"no-op {answer.outcome}"] += 1

    def _attack(self, reference: str) -> None:
        record, order = self.book.orders[reference], Order.query_one(reference=reference)
        if order is None:
            return                                     # attacked before it was created
        record.state, record.refunded = order.status.value, order.refunded
        super()._attack(reference)

    def close(self, reference: str) -> None:
        order = Order.query_one(reference=reference)
        if order is None or order.status.value not in states.PAYABLE_STATES:
            return
        with self.app.transaction():
            after = close_order(reference)
        if after.status.value != states.CLOSED:
            self.book.stats["close settled"] += 1

    def janitor(self, age: float) -> None:
        with self.app.transaction():
            if age != self.janitor_age:
                ProviderConfig.update_where({"code": CODE}, requery_after_seconds=int(age))
                self.janitor_age = age
            try:
                self.book.stats["janitor settled"] += requery_payments(limit=100_000)
            except ModelryError as exc:                # pragma: no cover - a bug: say it
                raise AssertionError(f"janitor: {exc.code} {exc.message}") from exc


def check_database(scheduler: DbFaultScheduler, ledger: bool) -> Counter[str]:
    """Every invariant of the run, on the database; an AssertionError names the order.
    Returns how many orders ended in each state."""
    ended: Counter[str] = Counter()
    orders = {o.reference: o for o in Order.query_list()}
    assert len(orders) == scheduler.count, f"{len(orders)} orders of {scheduler.count}"
    logs: dict[int, list[Any]] = defaultdict(list)
    for log in StatusLog.query_list(sort="id"):
        logs[log.order_id].append(log)
    refunds: dict[int, Decimal] = defaultdict(Decimal)
    for callback in Callback.query_list(kind="refunded", outcome=states.APPLIED):
        refunds[callback.order_id] += Decimal(json.loads(callback.body)["amount"])
    for reference, order in orders.items():
        remote = scheduler.provider.query(reference)
        where = f"order {reference} ({order.status.value}, provider {remote.status})"
        ended[order.status.value] += 1
        assert order.status.value in AGREES[remote.status], f"{where}: disagrees"
        pays = [log for log in logs[order.id] if log.event == states.PAY]
        assert len(pays) == (remote.status == "paid"), f"{where}: paid {len(pays)} times"
        state = states.INITIAL
        for log in logs[order.id]:
            step = transition(state, log.event)
            assert step.applied and (log.from_state.value, log.to_state.value) == \
                (step.before, step.after), f"{where}: log {log.id} {log.event}"
            state = step.after
        assert state == order.status.value, f"{where}: the log ends in {state}"
        assert order.refunded == refunds[order.id] <= remote.refunded <= order.amount, where
    applied = Callback.count(outcome=states.APPLIED)
    assert applied == StatusLog.count(callback__isnull=False), "an applied callback lacks a log"
    heard = sum(1 for entries in logs.values() for log in entries if log.event in KINDS)
    assert Notification.count() == heard, "one notification per transition heard of"
    if ledger:
        _check_ledger(orders, logs)
    return ended


def _check_ledger(orders: dict[str, Any], logs: dict[int, list[Any]]) -> None:
    """One RECHARGE per paid order, and each payer's balance = paid − refunded."""
    from modelry.modules.account.functions import balance
    from modelry.modules.account.models import Account, Ledger, Transfer

    expected: Counter[tuple[str, str]] = Counter()
    for order in orders.values():
        credits = Transfer.count(key=f"order-{order.id}")
        paid = order.status.value in states.PAID_STATES
        assert credits == int(paid), f"order {order.reference}: {credits} transfers"
        if paid:
            expected[(order.currency, order.payer)] += int((order.amount - order.refunded) * 100)
    currencies = {ledger.id: ledger.currency for ledger in Ledger.query_list()}
    for account in Account.query_list(rsql="code=starts=payer-"):
        key = (currencies[account.ledger_id], account.code)
        assert balance(account.id).posted == expected[key], f"account {key}"
