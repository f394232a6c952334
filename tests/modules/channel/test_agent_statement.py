"""An agent's daily statement of its shares on each database: per product, the shares of
the orders that succeeded that day and those the day's refunds gave back, their net, and
its ledger account's day, reconciled to the cent (a share the orders do not explain is
caught); a fixed number of statements whatever the number of orders; through GraphQL an
agent's user reads its own statement and no other's."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from modelry.boot.data_files import load_module_data
from modelry.core.security.identity import Identity
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Account
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.fulfilling import order_number
from modelry.modules.channel.merchants import Merchant, MerchantRate
from modelry.modules.channel.operating import refund_order
from modelry.modules.channel.products import Product, ProductRoute
from modelry.modules.channel.share_reports import agent_statement
from tests.functions.helpers import Client
from tests.modules.channel.conftest import Shop, posted, run_tasks
from tests.security.conftest import make_user
from tests.sql_capture import statements

STATEMENT = """query($a: String!, $d: Date!) { merchantQuery { agentStatement(agent: $a,
  day: $d) { agent net reconciled products { product creditedCount credited } } } }"""


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def _card(shop: Shop) -> None:
    """A second product, over the dearer channel: the shop pays 0.99, its agent 0.98."""
    with shop.app.transaction():
        card = Product(code="game-card", name="Game card", currency="CNY").create()
        ProductRoute(product=card.id, channel=shop.dear.id, priority=1).create()
        MerchantRate(merchant=shop.merchant.id, product=card.id,
                     rate=Decimal("0.99")).create()
        MerchantRate(merchant=shop.agent.id, product=card.id, rate=Decimal("0.98")).create()


def _orders(shop: Shop, orders: list[tuple[str, str, str]]) -> list[object]:
    with shop.app.transaction():
        placed = [place_order("shop-1", number, product, "13800000000", Decimal(amount))
                  for number, product, amount in orders]
    run_tasks(shop.app)
    return placed


def _day(shop: Shop) -> None:
    """Shares of 0.50 (mobile 100, refunded the same day), 0.25 (mobile 50) and 1.00
    (card 100); the agent pays 0.20 out of its account."""
    _card(shop)
    first, _, _ = _orders(shop, [("S-1", "mobile-cn", "100"), ("S-2", "mobile-cn", "50"),
                                 ("S-3", "game-card", "100")])
    with shop.app.transaction():
        refund_order(order_number(first), "the target was wrong")
        submit([dict(ledger="CNY", key="payout-a1", debit_account=Account.query_one(
            code="a1").id, credit_account=Account.query_one(code="bank").id, amount=20)])


def test_the_agents_day_reconciles_with_its_ledger(shop: Shop) -> None:
    _day(shop)
    with shop.app.transaction():
        day = agent_statement("agent-1", _today())
        before = agent_statement("agent-1", _today() - dt.timedelta(days=1))
    assert [(line.product, line.credited_count, line.credited, line.reversed_count,
             line.reversed, line.net) for line in day.products] == [
        ("game-card", 1, Decimal("1.00"), 0, 0, Decimal("1.00")),
        ("mobile-cn", 2, Decimal("0.75"), 1, Decimal("0.50"), Decimal("0.25"))]
    assert (day.credited_count, day.credited, day.reversed_count, day.reversed, day.net,
            day.ledger_shares) == (3, Decimal("1.75"), 1, Decimal("0.50"), Decimal("1.25"),
                                   Decimal("1.25"))
    assert (day.opening, day.credits, day.debits, day.closing, day.reconciled) == \
        (0, Decimal("1.75"), Decimal("0.70"), Decimal("1.05"), True)
    assert posted("a1") == day.closing                 # the ledger's own balance
    assert (before.products, before.net, before.closing, before.reconciled) == \
        ([], 0, 0, True)


def test_a_share_the_orders_do_not_explain_is_not_reconciled(shop: Shop) -> None:
    _orders(shop, [("S-1", "mobile-cn", "100")])
    with shop.app.transaction():
        submit([dict(ledger="CNY", key="recharge-999-share-1", debit_account=Account.query_one(
            code="bank").id, credit_account=Account.query_one(code="a1").id, amount=7)])
        day = agent_statement("agent-1", _today())
    assert (day.net, day.ledger_shares, day.reconciled) == \
        (Decimal("0.50"), Decimal("0.57"), False)


def test_the_statement_costs_the_same_whatever_the_orders(shop: Shop) -> None:
    _card(shop)
    counts = []
    for batch in range(2):
        _orders(shop, [(f"N-{batch}-{n}-{product}", product, "30") for n in range(1 + 4 * batch)
                       for product in ("mobile-cn", "game-card")])
        with shop.app.transaction(), statements(shop.app.engine, this_thread=True) as sent:
            day = agent_statement("agent-1", _today())
        counts.append(len(sent))
        assert day.reconciled and day.credited_count == 2 + 10 * batch
    assert counts[0] == counts[1], counts


def test_an_agents_user_reads_its_own_statement_only(shop: Shop) -> None:
    load_module_data(shop.app, shop.app.registry.modules["channel"], mode="install")
    _orders(shop, [("S-1", "mobile-cn", "100")])
    with shop.app.transaction():
        Merchant(code="agent-2", name="Other agent", kind="AGENT", account="a1").create()
        agnes, ann = make_user(shop.app, "agnes", "agnes-p-1"), make_user(shop.app, "ann",
                                                                          "ann-pass-1")
        shop.agent.users = [agnes]
        shop.agent.update_by_id()
        shop.merchant.users = [ann]
        shop.merchant.update_by_id()
    roles = frozenset({"merchant"})
    agent_user = Identity(user_id=agnes, login="agnes", roles=roles)
    shop_user = Identity(user_id=ann, login="ann", roles=roles)
    client = Client(shop.app)
    day = str(_today())
    mine = client.gql(STATEMENT, {"a": "agent-1", "d": day}, agent_user).ok()
    assert mine["merchantQuery"]["agentStatement"] == {
        "agent": "agent-1", "net": "0.5000", "reconciled": True,
        "products": [{"product": "mobile-cn", "creditedCount": 1, "credited": "0.5000"}]}
    for who, agent in [(agent_user, "agent-2"), (shop_user, "agent-1"),
                       (shop_user, "shop-1")]:
        assert client.gql(STATEMENT, {"a": agent, "d": day}, who).codes == \
            ["AGENT_NOT_FOUND"], (who.login, agent)
