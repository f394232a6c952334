"""Fixtures of the order database tests: the module booted alone on each test database,
the local provider configured in it, and signed callbacks of events the tests name."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from modelry import directives
from modelry.boot import App
from modelry.modules.order.models import ProviderConfig
from modelry.modules.order.providers.base import ProviderEvent
from modelry.modules.order.providers.local import LocalProvider
from modelry.modules.order.receiving import PROVIDER_KINDS, create_order
from tests.modules.order.helpers import SECRET, START
from tests.security.conftest import make_user

REFERENCE = "A-1"
PASSWORD = "op3rator!"


@pytest.fixture
def order_app(make_app: Callable[..., App]) -> Iterator[App]:
    """The order module alone, tables empty, active in this test, back-end directives."""
    app = make_app(["order"])
    with app.activate(), directives.backend_scope():
        yield app


def configure(app: App) -> None:
    """Register the local provider (SECRET, a 5-minute window) and create order A-1 for
    12.50 EUR (in a transaction of their own)."""
    with app.transaction():
        ProviderConfig(code="local", kind="local", secret=SECRET.decode()).create()
        create_order(REFERENCE, "shop-1", Decimal("12.50"), "EUR", "local")


@pytest.fixture
def shop(order_app: App) -> App:
    """The module with the local provider configured and order A-1 created."""
    configure(order_app)
    return order_app


def signed(event_id: str, kind: str = "paid", amount: str = "12.50", currency: str = "EUR",
           reference: str = REFERENCE) -> tuple[dict[str, str], str]:
    """The callback (headers, body) the local provider sends for this event, signed now."""
    event = ProviderEvent(event_id, reference, kind, Decimal(amount), currency, START)
    headers, body = LocalProvider(SECRET).callback(event)
    return headers, body.decode()


def answer_of(result: Any) -> tuple[Any, ...]:
    """What a provider reads of an answer (everything but `redelivered`)."""
    return (result.code, result.outcome, result.callback, result.order, result.status)


@pytest.fixture
def remote(shop: App, monkeypatch: pytest.MonkeyPatch) -> LocalProvider:
    """A local provider whose remote state lives across calls (provider kind "remote",
    code "remote"): the janitor's queries and the refunds reach the same payments."""
    provider = LocalProvider(SECRET, code="remote")
    monkeypatch.setitem(PROVIDER_KINDS, "remote", lambda config: provider)
    with shop.transaction():
        ProviderConfig(code="remote", kind="remote", secret=SECRET.decode(),
                       requery_after_seconds=0).create()
    return provider


def operator(app: App, login: str = "ops", password: str = PASSWORD) -> int:
    """A user who may complete orders by hand; its id."""
    return make_user(app, login, password)
