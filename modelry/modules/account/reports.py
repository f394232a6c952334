"""Reports over the chart of accounts: totals by account kind."""
from __future__ import annotations

from modelry import DataError, Model, fields, function
from modelry.modules.account.models import Account, AccountKind, Ledger

BALANCES = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")


class KindTotal(Model, model="account.KindTotal", kind="transient"):
    """The accounts of one kind in a ledger, added up: their four balances and the net
    posted balance (credits posted - debits posted, as `balance` gives it per account)."""

    kind = fields.Enum(AccountKind)
    accounts = fields.Integer(help="how many accounts of the kind the ledger has")
    debits_pending = fields.BigInteger()
    debits_posted = fields.BigInteger()
    credits_pending = fields.BigInteger()
    credits_posted = fields.BigInteger()
    posted = fields.BigInteger(help="credits posted - debits posted")


@function(open_level="API", type="QUERY", namespace="account.Account")
def totals_by_kind(ledger: str) -> list[KindTotal]:
    """Per account kind, in the chart's order, the totals of a ledger's accounts; every
    kind is listed, a kind with no account with zeros (its `accounts` 0). One grouped
    statement, however many accounts. The `posted` of all kinds add up to 0: every
    transfer debits one account and credits another of the ledger."""
    book = Ledger.query_one(code=ledger)
    if book is None:
        raise DataError(f"account.Ledger: no ledger with code {ledger!r}",
                        code="LEDGER_NOT_FOUND", model="account.Ledger", field="code")
    rows = {row["kind"]: row for row in Account.group_totals("kind", BALANCES, ledger=book.id)}
    totals = []
    for kind in AccountKind:
        row = rows.get(kind) or dict.fromkeys((*BALANCES, "count"), 0)
        totals.append(KindTotal(kind=kind, accounts=row["count"],
                                **{name: row[name] for name in BALANCES},
                                posted=row["credits_posted"] - row["debits_posted"]))
    return totals
