"""Fixtures of the account tests: the module booted alone on each test database, and a
small chart of accounts."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from modelry import directives
from modelry.boot import App
from modelry.modules.account.models import Account, AccountKind, Ledger


@dataclass
class Chart:
    """A ledger in euro cents: a bank (funding), two customers, a shop and a fee account."""

    ledger: Any
    bank: Any
    alice: Any
    bob: Any
    shop: Any
    fees: Any


@pytest.fixture
def ledger_app(make_app: Callable[..., App]) -> Iterator[App]:
    """The account module alone, tables empty, active in this test, back-end directives."""
    app = make_app(["account"])
    with app.activate(), directives.backend_scope():
        yield app


def make_chart(app: App) -> Chart:
    """Create the chart (in a transaction of its own)."""
    with app.transaction():
        ledger = Ledger(code="EUR", name="Euro wallet", currency="EUR", scale=2).create()

        def account(code: str, kind: AccountKind, guarded: bool = False) -> Any:
            return Account(ledger=ledger.id, code=code, kind=kind,
                           debits_must_not_exceed_credits=guarded).create()

        return Chart(ledger, account("bank", AccountKind.SUSPENSE),
                     account("alice", AccountKind.CUSTOMER_CASH, True),
                     account("bob", AccountKind.CUSTOMER_CASH, True),
                     account("shop", AccountKind.MERCHANT, True),
                     account("fees", AccountKind.FEE, True))


@pytest.fixture
def chart(ledger_app: App) -> Chart:
    """The chart on the booted module."""
    return make_chart(ledger_app)
