"""Merchant users through GraphQL (the module's `merchant` role, from its data file): a
user of shop-1 sees shop-1's orders and balance and nothing of shop-2's, places orders for
shop-1 and is refused for shop-2; an agent's user sees its shares only."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from modelry import directives
from modelry.boot import App
from modelry.boot.data_files import load_module_data
from modelry.core.security.identity import Identity
from modelry.modules.account.models import Account
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.merchants import Merchant, MerchantRate
from tests.functions.helpers import Client
from tests.modules.channel.conftest import Servers, Shop, build_shop, run_tasks, served_fake
from tests.security.conftest import make_user

ORDERS = """{ rechargeOrderQuery { queryPage(page: {size: 50}) { content {
  merchantOrderNo merchantPrice } } } }"""
BALANCE = "{ merchantQuery { myBalance { merchant posted available } } }"
PLACE = """mutation($m: String!, $n: String!) { rechargeOrderMutation {
  placeOrder(merchant: $m, merchantOrderNo: $n, product: "mobile-cn", target: "13800000000",
             amount: "100") { merchantOrderNo status } } }"""
SHARES = "{ orderShareQuery { queryPage(page: {size: 50}) { content { level profit } } } }"


@pytest.fixture
def people(make_app: Callable[..., App], servers: Servers
           ) -> Iterator[tuple[Shop, Identity, Identity]]:
    """The test shop with the module's data (the merchant role) and shop-2 beside shop-1;
    a user of shop-1 and a user of the agent."""
    app = make_app(["channel"], grant_anonymous=False)
    with served_fake(app, servers) as fake, app.activate(), directives.backend_scope():
        load_module_data(app, app.registry.modules["channel"], mode="install")
        shop = build_shop(app, fake)
        ann, agnes = make_user(app, "ann", "ann-pass-1"), make_user(app, "agnes", "agnes-p-1")
        with app.transaction():
            ledger = Account.query_one(code="m1").ledger_id
            Account(ledger=ledger, code="m2", kind="MERCHANT").create()
            other = Merchant(code="shop-2", name="Other", account="m2").create()
            MerchantRate(merchant=other.id, product=shop.product.id,
                         rate=Decimal("0.99")).create()
            shop.merchant.users = [ann]
            shop.merchant.update_by_id()
            shop.agent.users = [agnes]
            shop.agent.update_by_id()
            place_order("shop-1", "mine", "mobile-cn", "13800000000", Decimal("50"))
            place_order("shop-2", "theirs", "mobile-cn", "13800000000", Decimal("30"))
        run_tasks(app)
        roles = frozenset({"merchant"})
        yield (shop, Identity(user_id=ann, login="ann", roles=roles),
               Identity(user_id=agnes, login="agnes", roles=roles))


def test_a_merchants_user_sees_and_orders_for_its_merchant_only(
        people: tuple[Shop, Identity, Identity]) -> None:
    shop, ann, _ = people
    client = Client(shop.app)
    seen = client.gql(ORDERS, None, ann).ok()["rechargeOrderQuery"]["queryPage"]["content"]
    assert [o["merchantOrderNo"] for o in seen] == ["mine"]
    [balance] = client.gql(BALANCE, None, ann).ok()["merchantQuery"]["myBalance"]
    assert (balance["merchant"], Decimal(balance["posted"]), Decimal(balance["available"])) \
        == ("shop-1", Decimal("950.75"), Decimal("950.75"))
    placed = client.gql(PLACE, {"m": "shop-1", "n": "via-graphql"}, ann).ok()
    assert placed["rechargeOrderMutation"]["placeOrder"] == {
        "merchantOrderNo": "via-graphql", "status": "CREATED"}
    refused = client.gql(PLACE, {"m": "shop-2", "n": "not-mine"}, ann)
    assert refused.codes == ["MERCHANT_NOT_ACTIVE"]
    assert client.gql(SHARES, None, ann).ok()["orderShareQuery"]["queryPage"]["content"] \
        == []


def test_an_agents_user_sees_its_shares(people: tuple[Shop, Identity, Identity]) -> None:
    shop, _, agnes = people
    shares = Client(shop.app).gql(SHARES, None, agnes).ok()
    assert [(s["level"], Decimal(s["profit"])) for s in
            shares["orderShareQuery"]["queryPage"]["content"]] == [(1, Decimal("0.25"))]
