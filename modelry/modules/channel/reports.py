"""Statistics and statements, each from aggregate queries (never by loading orders):

- `order_totals(by, since, until)`: per merchant, product or channel, the orders placed in
  the window (test orders left out): count, succeeded, failed, success rate, face amount,
  what merchants paid and what channels cost for the succeeded ones, and the platform's
  profit; one grouped statement.
- `daily_statement(merchant, day)`: a merchant's day: its orders (placed, succeeded,
  failed, charged) beside its ledger account (opening balance, debits, credits, closing
  balance), reconciled: what its succeeded orders charged equals what the ledger debited,
  and closing = opening + credits − debits, to the cent.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from modelry import DataError, Model, directives, fields, function
from modelry.modules.account.models import Account, Entry, EntrySide
from modelry.modules.account.system_accounts import ledger_for
from modelry.modules.channel.merchants import Merchant
from modelry.modules.channel.orders import OrderStatus, RechargeOrder
from modelry.modules.channel.products import Product
from modelry.modules.channel.suppliers import Channel

DIMENSIONS = {"merchant": (Merchant, "merchant"), "product": (Product, "product"),
              "channel": (Channel, "channel")}
SUMS = ["amount", "merchant_price", "cost", "platform_profit"]


class OrderTotals(Model, model="channel.OrderTotals", kind="transient"):
    """The orders of one merchant, product or channel (`code`) in a window."""

    code = fields.String(size=64)
    orders = fields.Integer()
    succeeded = fields.Integer()
    failed = fields.Integer()
    success_rate = fields.Decimal(7, 4, help="succeeded / finished (0 to 1)")
    amount = fields.Decimal(18, 4, help="face value of the succeeded orders")
    charged = fields.Decimal(18, 4, help="what merchants paid for them")
    cost = fields.Decimal(18, 4)
    profit = fields.Decimal(18, 4, help="the platform's")


class MerchantBalance(Model, model="channel.MerchantBalance", kind="transient"):
    """A merchant's balance in the ledger: posted, and available (less what is held)."""

    merchant = fields.String(size=64)
    currency = fields.String(size=3)
    posted = fields.Decimal(18, 4)
    available = fields.Decimal(18, 4)


class DailyStatement(Model, model="channel.DailyStatement", kind="transient"):
    """A merchant's day, its orders beside its ledger account (amounts in its currency)."""

    merchant = fields.String(size=64)
    day = fields.Date()
    currency = fields.String(size=3)
    orders = fields.Integer(help="placed that day")
    succeeded = fields.Integer(help="finished as succeeded that day")
    failed = fields.Integer(help="finished as failed that day")
    charged = fields.Decimal(18, 4, help="what the succeeded ones cost the merchant")
    opening = fields.Decimal(18, 4)
    debits = fields.Decimal(18, 4)
    credits = fields.Decimal(18, 4)
    closing = fields.Decimal(18, 4)
    reconciled = fields.Boolean()


@function(open_level="API", type="QUERY", namespace="channel.RechargeOrder")
def order_totals(by: str = "merchant", since: dt.datetime | None = None,
                 until: dt.datetime | None = None) -> list[OrderTotals]:
    """Totals of the orders placed in [since, until) per merchant, product or channel."""
    if by not in DIMENSIONS:
        raise DataError(f"channel.RechargeOrder: totals are by {', '.join(DIMENSIONS)}, "
                        f"not {by!r}", code="BAD_TOTALS", model="channel.RechargeOrder",
                        field="by")
    model, column = DIMENSIONS[by]
    window: dict[str, Any] = {"test": False}
    if since is not None:
        window["create_date__ge"] = since
    if until is not None:
        window["create_date__lt"] = until
    rows = RechargeOrder.group_totals([column, "status"], SUMS, **window)
    groups: dict[Any, dict[OrderStatus, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        groups[row[column]][row["status"]] = row
    codes = {r.id: r.code for r in model.query_list(id__in=sorted(k for k in groups if k))}
    answer = []
    for key in sorted(groups, key=lambda k: codes.get(k, "")):
        by_status = groups[key]
        won = by_status.get(OrderStatus.SUCCEEDED, {})
        lost = by_status.get(OrderStatus.FAILED, {})
        finished = won.get("count", 0) + lost.get("count", 0)
        answer.append(OrderTotals(
            code=codes.get(key), orders=sum(r["count"] for r in by_status.values()),
            succeeded=won.get("count", 0), failed=lost.get("count", 0),
            success_rate=(Decimal(won.get("count", 0)) / finished).quantize(Decimal("0.0001"))
            if finished else None,
            amount=won.get("amount", Decimal(0)), charged=won.get("merchant_price", Decimal(0)),
            cost=won.get("cost", Decimal(0)), profit=won.get("platform_profit", Decimal(0))))
    return answer


@function(open_level="API", type="QUERY", namespace="channel.Merchant")
def daily_statement(merchant: str, day: dt.date) -> DailyStatement:
    """`merchant`'s statement of `day` (UTC), reconciled with its ledger account."""
    found = Merchant.query_one(code=merchant)
    if found is None:
        raise DataError(f"channel.Merchant: no merchant {merchant!r}",
                        code="MERCHANT_NOT_FOUND", model="channel.Merchant", field="code")
    start = dt.datetime.combine(day, dt.time())
    end = start + dt.timedelta(days=1)
    placed = RechargeOrder.count(merchant=found.id, create_date__ge=start,
                                 create_date__lt=end)
    finished = {row["status"]: row for row in RechargeOrder.group_totals(
        "status", ["merchant_price"], merchant=found.id, finished_at__ge=start,
        finished_at__lt=end)}
    won = finished.get(OrderStatus.SUCCEEDED, {})
    book = ledger_day(found.currency, found.account, start, end)
    charged = won.get("merchant_price", Decimal(0))
    return DailyStatement(
        merchant=merchant, day=day, currency=found.currency, orders=placed,
        succeeded=won.get("count", 0),
        failed=finished.get(OrderStatus.FAILED, {}).get("count", 0), charged=charged,
        opening=book.opening, debits=book.debits, credits=book.credits,
        closing=book.closing, reconciled=charged == book.debits and book.balanced)


@dataclass(frozen=True)
class LedgerDay:
    """An account's movements in a window, in its currency: the balance before and after,
    what it was debited and credited; `account` its id (None: no such account) and `unit`
    the value of one minor unit."""

    account: int | None
    unit: Decimal
    opening: Decimal
    debits: Decimal
    credits: Decimal
    closing: Decimal

    @property
    def balanced(self) -> bool:
        """closing = opening + credits − debits."""
        return self.closing == self.opening + self.credits - self.debits


def ledger_day(currency: str, code: str, start: dt.datetime, end: dt.datetime) -> LedgerDay:
    """The movements of account `code` in the ledger of `currency` in [start, end), from
    three statements (its last entries before each end, and its entries' totals)."""
    ledger = ledger_for(currency)
    account = None if ledger is None else Account.query_one(ledger=ledger.id, code=code)
    unit = Decimal(1).scaleb(-(ledger.scale if ledger else 2))
    if account is None:
        return LedgerDay(None, unit, Decimal(0), Decimal(0), Decimal(0), Decimal(0))
    sides = {row["side"]: row["posted"] for row in Entry.group_totals(
        "side", ["posted"], account=account.id, create_date__ge=start, create_date__lt=end)}
    return LedgerDay(account.id, unit, _balance_before(account.id, start) * unit,
                     sides.get(EntrySide.DEBIT, 0) * unit,
                     sides.get(EntrySide.CREDIT, 0) * unit,
                     _balance_before(account.id, end) * unit)


def _balance_before(account: int, moment: dt.datetime) -> int:
    """The account's posted balance (minor units) after its last entry before `moment`."""
    last = Entry.query_list(account=account, create_date__lt=moment, sort="-id", limit=1)
    return last[0].balance if last else 0


@function(open_level="API", type="QUERY", namespace="channel.Merchant")
def my_balance() -> list[MerchantBalance]:
    """The balances of the merchants the caller may see (a merchant's user: its own)."""
    with directives.as_caller():
        mine = Merchant.query_list(sort="code")
    answer = []
    for merchant in mine:
        ledger = ledger_for(merchant.currency)
        account = None if ledger is None else Account.query_one(ledger=ledger.id,
                                                                code=merchant.account)
        if account is None:
            continue
        unit = Decimal(1).scaleb(-ledger.scale)
        posted = account.credits_posted - account.debits_posted
        answer.append(MerchantBalance(merchant=merchant.code, currency=merchant.currency,
                                      posted=posted * unit,
                                      available=(posted - account.debits_pending) * unit))
    return answer
