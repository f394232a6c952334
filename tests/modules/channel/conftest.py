"""Fixtures of the channel database tests: the module (and the ledger it needs) booted on
each test database, a CNY ledger, a merchant under an agent, one supplier with two
channels (the fake supplier stands behind it, over HTTP), and a product routed over both.
The platform is served over HTTP too, for the supplier's callbacks."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from modelry import directives
from modelry.boot import App
from modelry.modules.account.functions import balance, submit
from modelry.modules.account.models import Account, AccountKind, Ledger
from modelry.modules.channel.merchants import Merchant, MerchantRate
from modelry.modules.channel.products import Product, ProductRoute
from modelry.modules.channel.suppliers import Channel, Supplier
from tests.asgi_server import AsgiServer, Plug, serving
from tests.modules.channel.fake_supplier import (MAPPING, SECRET, TIMEOUT_SECONDS,
                                                 FakeSupplier)
from tests.modules.channel.supplier_server import Callbacks, supplier_app


@dataclass
class Shop:
    """What `shop` made."""

    app: App
    supplier: FakeSupplier
    merchant: Any
    agent: Any
    product: Any
    cheap: Any          # channel 1: 0.97, fixed amounts
    dear: Any           # channel 2: 0.975, any amount from 1 to 9999


def posted(code: str) -> Decimal:
    """An account's posted balance in CNY (credits − debits)."""
    return Decimal(balance(Account.query_one(code=code).id).posted) / 100


def run_tasks(app: App) -> None:
    """Run every queued task, as a worker does."""
    worker = app.tasks.worker()
    while worker.run_once():
        pass


def build_shop(app: App, fake: FakeSupplier) -> Shop:
    """Seed `app` (active): the ledger, the merchant under its agent, the supplier with two
    channels, the product routed over both, the rates."""
    with app.transaction():
        cny = Ledger(code="CNY", name="Balances", currency="CNY", scale=2).create()
        for code, kind, guarded in [("bank", AccountKind.SUSPENSE, False),
                                    ("m1", AccountKind.MERCHANT, True),
                                    ("a1", AccountKind.MERCHANT, True),
                                    ("sup", AccountKind.MERCHANT, False)]:
            Account(ledger=cny.id, code=code, kind=kind,
                    debits_must_not_exceed_credits=guarded).create()
        submit([dict(ledger="CNY", key="fund-m1", kind="RECHARGE",
                     debit_account=Account.query_one(code="bank").id,
                     credit_account=Account.query_one(code="m1").id, amount=100_000)])
        agent = Merchant(code="agent-1", name="Agent", kind="AGENT", account="a1").create()
        merchant = Merchant(code="shop-1", name="Shop", parent=agent.id,
                            account="m1").create()
        supplier = Supplier(code="fake", name="Fake", endpoint=fake.endpoint,
                            account="acct", secret=SECRET, mapping=MAPPING,
                            ledger_account="sup").create()
        cheap = Channel(supplier=supplier.id, code="fake-fixed", name="Fixed amounts",
                        rate=Decimal("0.97"), amount_rule="30|50|100|200").create()
        dear = Channel(supplier=supplier.id, code="fake-any", name="Any amount",
                       rate=Decimal("0.975"), amount_rule="1-9999").create()
        product = Product(code="mobile-cn", name="Mobile top-up", currency="CNY").create()
        ProductRoute(product=product.id, channel=cheap.id, priority=1).create()
        ProductRoute(product=product.id, channel=dear.id, priority=2).create()
        MerchantRate(merchant=merchant.id, product=product.id,
                     rate=Decimal("0.985")).create()
        MerchantRate(merchant=agent.id, product=product.id, rate=Decimal("0.98")).create()
    return Shop(app, fake, merchant, agent, product, cheap, dear)


@contextmanager
def impatient(shop: Shop) -> Iterator[None]:
    """Within the block calls to the supplier time out after `TIMEOUT_SECONDS`, so that a
    "timeout" step really times out; after it, its own timeout holds again (no other
    answer is late on a busy machine)."""
    with shop.app.transaction():
        patient = Supplier.query_one(code="fake").timeout_seconds
        Supplier.update_where({"code": "fake"}, timeout_seconds=TIMEOUT_SECONDS)
    try:
        yield
    finally:
        with shop.app.transaction():
            Supplier.update_where({"code": "fake"}, timeout_seconds=patient)


@dataclass
class Servers:
    """The platform's HTTP server and the fake supplier's, for a whole test run (each test
    plugs its apps in), and the supplier's way to call the platform back."""

    platform: AsgiServer
    supplier: AsgiServer
    callbacks: Callbacks


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    with serving(Plug(), Plug()) as [platform, supplier]:
        callbacks = Callbacks(platform.url)
        try:
            yield Servers(platform, supplier, callbacks)
        finally:
            callbacks.close()


def built_when_asked(app: App) -> Callable[[Any, Any, Any], Awaitable[None]]:
    """`app.asgi`, built at the first request it serves: building it (the GraphQL schema)
    costs ~1 s, and most tests here get no callback."""
    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        await app.asgi(scope, receive, send)
    return asgi


@contextmanager
def served_fake(app: App, servers: Servers) -> Iterator[FakeSupplier]:
    """A fake supplier served over HTTP that calls back to `app`, served over HTTP; the
    test fails on what went wrong in the fake."""
    fake = FakeSupplier(endpoint=servers.supplier.url, callbacks=servers.callbacks)
    with servers.platform.app.plugged(built_when_asked(app)), \
            servers.supplier.app.plugged(supplier_app(fake.answer, fake.errors)):
        try:
            yield fake
        finally:       # named first when the test failed too: it is likely why
            assert not fake.errors, f"the fake supplier: {fake.errors}"


@pytest.fixture
def shop(make_app: Callable[..., App], servers: Servers) -> Iterator[Shop]:
    app = make_app(["channel"])
    with served_fake(app, servers) as fake, app.activate(), directives.backend_scope():
        yield build_shop(app, fake)
