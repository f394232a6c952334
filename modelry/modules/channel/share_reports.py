"""An agent's daily statement of its shares (issue 17: "every level's profit = Σ its
shares"), from aggregate queries, never by loading orders:

`agent_statement(agent, day)`: per product, the shares the agent was credited on the
orders that succeeded that day (UTC) and the shares given back by the refunds made that
day; their net; beside its ledger account's day (opening balance, debits, credits,
closing balance) and what the ledger moved for shares (the transfers
`recharge-<id>-share-<level>` and their refunds). Reconciled, to the cent: the net of the
shares equals what the ledger moved for them, and closing = opening + credits − debits.

An agent's users (the module's `merchant` role) may ask for their own agent only: the
agent is looked up with the caller's read rules, so another one is not found.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from modelry import DataError, Model, any_of, directives, fields, function
from modelry.modules.account.models import Entry, EntrySide
from modelry.modules.channel.merchants import Merchant, MerchantKind
from modelry.modules.channel.orders import OrderShare, OrderStatus, RechargeOrder
from modelry.modules.channel.products import Product
from modelry.modules.channel.reports import ledger_day

# the ledger transfers of shares: settled (recharge-<id>-share-<level>) and refunded
# (recharge-<id>-refund-share-<level>), see `ledger`
SHARE_TRANSFERS = "transfer.key==recharge-*-share-*"


class AgentShareLine(Model, model="channel.AgentShareLine", kind="transient"):
    """An agent's shares of one product in a day."""

    statement = fields.ManyToOne("channel.AgentStatement")
    product = fields.String(size=64)
    credited_count = fields.Integer(help="orders that succeeded that day")
    credited = fields.Decimal(18, 4, help="the agent's shares of them")
    reversed_count = fields.Integer(help="orders refunded that day")
    reversed = fields.Decimal(18, 4, help="the shares the refunds gave back")
    net = fields.Decimal(18, 4, help="credited − reversed")


class AgentStatement(Model, model="channel.AgentStatement", kind="transient"):
    """An agent's day: its shares beside its ledger account (amounts in its currency)."""

    agent = fields.String(size=64)
    day = fields.Date()
    currency = fields.String(size=3)
    products = fields.OneToMany("channel.AgentShareLine", inverse="statement")
    credited_count = fields.Integer()
    credited = fields.Decimal(18, 4)
    reversed_count = fields.Integer()
    reversed = fields.Decimal(18, 4)
    net = fields.Decimal(18, 4, help="what the agent earned that day: credited − reversed")
    ledger_shares = fields.Decimal(18, 4, help="what the ledger moved for shares that day")
    opening = fields.Decimal(18, 4)
    debits = fields.Decimal(18, 4)
    credits = fields.Decimal(18, 4)
    closing = fields.Decimal(18, 4)
    reconciled = fields.Boolean()


@function(open_level="API", type="QUERY", namespace="channel.Merchant")
def agent_statement(agent: str, day: dt.date) -> AgentStatement:
    """`agent`'s shares of `day` (UTC) per product, reconciled with its ledger account."""
    with directives.as_caller():
        found = Merchant.query_one(code=agent)
    if found is None or found.kind is not MerchantKind.AGENT:
        raise DataError(f"channel.Merchant: no agent {agent!r}", code="AGENT_NOT_FOUND",
                        model="channel.Merchant", field="code")
    start = dt.datetime.combine(day, dt.time())
    end = start + dt.timedelta(days=1)
    credited = _shares(found.id, {"status__in": [OrderStatus.SUCCEEDED, OrderStatus.REFUNDED],
                                  "finished_at__ge": start, "finished_at__lt": end})
    # a refund is an order's last write (REFUNDED is final): its write_date is the refund's
    reversed_ = _shares(found.id, {"status": OrderStatus.REFUNDED, "write_date__ge": start,
                                   "write_date__lt": end})
    codes = {p.id: p.code for p in Product.query_list(
        id__in=sorted(set(credited) | set(reversed_)))} if credited or reversed_ else {}
    lines = [_line(codes[product], credited.get(product), reversed_.get(product))
             for product in sorted(codes, key=codes.__getitem__)]
    book = ledger_day(found.currency, found.account, start, end)
    moved = _ledger_shares(book.account, start, end) * book.unit
    net = sum((line.net for line in lines), Decimal(0))
    statement = AgentStatement(
        agent=agent, day=day, currency=found.currency,
        credited_count=sum(line.credited_count for line in lines),
        credited=sum((line.credited for line in lines), Decimal(0)),
        reversed_count=sum(line.reversed_count for line in lines),
        reversed=sum((line.reversed for line in lines), Decimal(0)), net=net,
        ledger_shares=moved, opening=book.opening, debits=book.debits,
        credits=book.credits, closing=book.closing,
        reconciled=net == moved and book.balanced)
    statement.products = lines
    return statement


def _shares(agent: int, orders: dict[str, Any]) -> dict[int, tuple[int, Decimal]]:
    """Per product, the count and total of `agent`'s shares of the orders matching
    `orders` (keyword filters of channel.RechargeOrder): the products in one statement,
    then one statement per product."""
    products = [row["product"] for row in RechargeOrder.group_totals(
        "product", ["amount"], rsql=any_of([{"shares.agent": agent}]), **orders)]
    answer = {}
    for product in products:
        of_order = {f"order.{name}": value for name, value in orders.items()}
        [row] = OrderShare.group_totals("agent", ["profit"], agent=agent, rsql=any_of(
            [{**of_order, "order.product": product}]))
        answer[product] = (row["count"], row["profit"])
    return answer


def _line(product: str, credited: tuple[int, Decimal] | None,
          reversed_: tuple[int, Decimal] | None) -> AgentShareLine:
    credited_count, credited_sum = credited or (0, Decimal(0))
    reversed_count, reversed_sum = reversed_ or (0, Decimal(0))
    return AgentShareLine(product=product, credited_count=credited_count,
                          credited=credited_sum, reversed_count=reversed_count,
                          reversed=reversed_sum, net=credited_sum - reversed_sum)


def _ledger_shares(account: int | None, start: dt.datetime, end: dt.datetime) -> int:
    """What the ledger moved on `account` for shares in [start, end), in minor units
    (credits − debits)."""
    if account is None:
        return 0
    sides = {row["side"]: row["posted"] for row in Entry.group_totals(
        "side", ["posted"], rsql=SHARE_TRANSFERS, account=account, create_date__ge=start,
        create_date__lt=end)}
    return sides.get(EntrySide.CREDIT, 0) - sides.get(EntrySide.DEBIT, 0)
