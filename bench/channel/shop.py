"""The benchmarks' shop, made with the modules' own API: a CNY ledger, a platform bank
account, a chain of two agents, a supplier with two channels, a product routed over both,
and merchants under the agents, each with a funded balance account (guarded: debits may not
exceed credits, as the tests' merchant) and API keys."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from bench.ledger.run import recreate
from modelry import directives
from modelry.boot import App
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Account, AccountKind, Ledger
from modelry.modules.channel import signing
from modelry.modules.channel.merchants import Merchant, MerchantKey, MerchantRate
from modelry.modules.channel.products import Product, ProductRoute
from modelry.modules.channel.suppliers import Channel, Supplier
from tests.modules.channel.fake_supplier import MAPPING, SECRET

PRODUCT = "mobile-cn"
FUNDS = 10**13                  # minor units each merchant is credited with: never short


@dataclass
class Shop:
    """What `build` made: the keys (key id, secret) of each merchant, by merchant code."""

    keys: dict[str, list[tuple[str, bytes]]] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)   # account code -> id


def share_secret_key() -> None:
    """One key for the secrets sealed at rest (merchants' API keys, suppliers' passwords),
    in this process and the servers it starts: without MODELRY_SECRET_KEY each would make
    its own key file in its working folder, and the server could not read what the bench
    wrote."""
    os.environ.setdefault("MODELRY_SECRET_KEY", "modelry-bench-channel")


@contextmanager
def database(url: str, file_name: str) -> Iterator[tuple[str, Path]]:
    """The bench's database and a scratch folder: for `sqlite`, a new file `file_name` in
    the folder; else `url`'s database, dropped and created, and dropped at the end."""
    with tempfile.TemporaryDirectory() as folder:
        if url == "sqlite":
            yield f"sqlite:///{folder}/{file_name}", Path(folder)
            return
        recreate(url)
        try:
            yield url, Path(folder)
        finally:
            recreate(url, drop_only=True)


def build(app: App, merchants: dict[str, int]) -> Shop:
    """The shop, with `merchants` (code -> how many API keys) under the agent chain."""
    shop = Shop()
    with app.activate(), directives.backend_scope(), app.transaction():
        cny = Ledger(code="CNY", name="Balances", currency="CNY", scale=2).create()
        codes = [("bank", AccountKind.SUSPENSE, False), ("sup", AccountKind.MERCHANT, False),
                 ("agent-2", AccountKind.MERCHANT, True), ("agent-1", AccountKind.MERCHANT, True),
                 *[(code, AccountKind.MERCHANT, True) for code in merchants]]
        for code, kind, guarded in codes:
            shop.accounts[code] = Account(ledger=cny.id, code=code, kind=kind,
                                          debits_must_not_exceed_credits=guarded).create().id
        submit([dict(ledger="CNY", key=f"fund-{code}", kind="RECHARGE",
                     debit_account=shop.accounts["bank"], credit_account=shop.accounts[code],
                     amount=FUNDS) for code in merchants])
        top = Merchant(code="agent-2", name="Top agent", kind="AGENT", account="agent-2").create()
        agent = Merchant(code="agent-1", name="Agent", kind="AGENT", parent=top.id,
                         account="agent-1").create()
        supplier = Supplier(code="fake", name="Fake", endpoint="http://fake.test",
                            account="acct", secret=SECRET, mapping=MAPPING,
                            ledger_account="sup").create()
        cheap = Channel(supplier=supplier.id, code="fake-fixed", name="Fixed amounts",
                        rate=Decimal("0.97"), amount_rule="30|50|100|200").create()
        dear = Channel(supplier=supplier.id, code="fake-any", name="Any amount",
                       rate=Decimal("0.972"), amount_rule="1-9999").create()
        product = Product(code=PRODUCT, name="Mobile top-up", currency="CNY").create()
        ProductRoute(product=product.id, channel=cheap.id, priority=1).create()
        ProductRoute(product=product.id, channel=dear.id, priority=2).create()
        MerchantRate(merchant=top.id, product=product.id, rate=Decimal("0.975")).create()
        MerchantRate(merchant=agent.id, product=product.id, rate=Decimal("0.98")).create()
        for code, keys in merchants.items():
            merchant = Merchant(code=code, name=code, parent=agent.id, account=code).create()
            MerchantRate(merchant=merchant.id, product=product.id,
                         rate=Decimal("0.985")).create()
            shop.keys[code] = []
            for _ in range(keys):
                key_id, secret = signing.new_key()
                MerchantKey(merchant=merchant.id, key_id=key_id,
                            secret=signing.secret_text(secret)).create()
                shop.keys[code].append((key_id, secret))
    return shop
