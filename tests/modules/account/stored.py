"""Reading the ledger back from the tables, to check its invariants there."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from modelry.boot import App
from modelry.modules.account.ledger import AccountState, TransferRequest
from modelry.modules.account.models import Account, Entry, Transfer
from tests.modules.account.helpers import check_invariants


def stored_accounts() -> dict[int, AccountState]:
    """Every account's state as stored."""
    return {a.id: AccountState(a.id, a.ledger_id, a.debits_pending, a.debits_posted,
                               a.credits_pending, a.credits_posted,
                               bool(a.debits_must_not_exceed_credits),
                               bool(a.credits_must_not_exceed_debits), a.credit_limit or 0,
                               a.status.value)
            for a in Account.query_list(sort="id")}


def check_stored_invariants(app: App) -> dict[int, AccountState]:
    """Debits = credits, balances = sums of entries, limits kept, in the tables; each
    entry's balance is the running posted balance of its account; and the refunds of a
    transfer never exceed what it posted."""
    with app.transaction():
        accounts = stored_accounts()
        entries = [SimpleNamespace(account=e.account_id, side=e.side.value, pending=e.pending,
                                   posted=e.posted, balance=e.balance)
                   for e in Entry.query_list(sort="id")]
        check_stored_refunds()
    check_invariants(accounts, entries)
    running: dict[int, int] = {}
    for entry in entries:
        sign = 1 if entry.side == "CREDIT" else -1
        running[entry.account] = running.get(entry.account, 0) + sign * entry.posted
        assert entry.balance == running[entry.account], entry
    return accounts


def check_stored_refunds() -> None:
    """Every stored refund names its original by key and id, goes back the way it came, and
    the refunds of a transfer add up to at most what it posted."""
    refunds = Transfer.query_list(refunded_transfer__isnull=False, sort="id")
    originals = {t.id: t for t in Transfer.query_list(
        id__in=sorted({r.refunded_transfer_id for r in refunds}))} if refunds else {}
    refunded: dict[int, int] = {}
    for refund in refunds:
        first = originals[refund.refunded_transfer_id]
        assert (refund.kind.value, refund.status.value, refund.ledger_id, refund.refund_of) \
            == ("REFUND", "POSTED", first.ledger_id, first.key), refund
        assert (refund.debit_account_id, refund.credit_account_id) == \
            (first.credit_account_id, first.debit_account_id), refund
        assert first.kind.value != "REFUND" and first.status.value == "POSTED", first
        assert not (first.post_pending or first.void_pending), first
        refunded[first.id] = refunded.get(first.id, 0) + refund.amount_posted
    for number, total in refunded.items():
        assert total <= originals[number].amount_posted, (originals[number], total)
    assert Transfer.count(refund_of__isnull=False) == len(refunds)


def request(chart: Any, key: str, debit: Any = None, credit: Any = None, amount: int = 0,
            **more: Any) -> dict[str, Any]:
    """A submit item as a Python caller sends it (accounts as records or ids)."""
    return {"ledger": chart.ledger.code, "key": key,
            "debit_account": getattr(debit, "id", debit),
            "credit_account": getattr(credit, "id", credit), "amount": amount, **more}


def engine_request(chart: Any, item: dict[str, Any]) -> TransferRequest:
    """The engine's spelling of a submit item."""
    return TransferRequest(chart.ledger.id, item["key"], item.get("debit_account"),
                           item.get("credit_account"), item.get("amount", 0),
                           item.get("kind", "TRANSFER"), item.get("pending", False),
                           item.get("post_pending", False), item.get("void_pending", False),
                           item.get("pending_key"), item.get("timeout", 0),
                           item.get("linked", False), item.get("note"),
                           item.get("refund_of"))
