"""Between the tables and the batch engine: requests in, locked account states, holds,
refunded originals and known keys read, and an engine outcome written back (bulk inserts,
one increment per account, a guarded update per hold resolved)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from modelry import DataError
from modelry.modules.account import codes as C
from modelry.modules.account.ledger import (INT64_MAX, AccountState, Hold, Key, Known,
                                            Original, Outcome, TransferRequest)
from modelry.modules.account.models import Account, Entry, Ledger, Transfer


def ledger_key(ledger: int, key: str) -> str:
    """The unique column that makes a key unique per ledger."""
    return f"{ledger}:{key}"


def to_requests(sent: Sequence[Any]) -> tuple[list[TransferRequest], dict[int, str]]:
    """Engine requests from `account.TransferRequest` records (or dicts), and the codes of
    those refused before the engine sees them (an unknown ledger, an account id out of
    range)."""
    items = [_as_dict(item) for item in sent]
    codes = {str(item.get("ledger") or "") for item in items}
    ledgers = {ledger.code: ledger.id for ledger in Ledger.query_list(code__in=sorted(codes))}
    requests: list[TransferRequest] = []
    refused: dict[int, str] = {}
    for index, item in enumerate(items):
        ledger = ledgers.get(str(item.get("ledger") or ""))
        if ledger is None:
            refused[index] = C.LEDGER_NOT_FOUND
        accounts = [item.get("debit_account"), item.get("credit_account")]
        if any(a is not None and not 0 < int(a) <= INT64_MAX for a in accounts):
            refused.setdefault(index, C.ACCOUNT_NOT_FOUND)
        kind = item.get("kind")
        requests.append(TransferRequest(
            ledger=ledger or 0, key=item.get("key") or "",
            debit_account=_id(accounts[0]), credit_account=_id(accounts[1]),
            amount=int(item.get("amount") or 0),
            kind=getattr(kind, "value", kind) or "TRANSFER",
            pending=bool(item.get("pending")), post_pending=bool(item.get("post_pending")),
            void_pending=bool(item.get("void_pending")), pending_key=item.get("pending_key"),
            timeout=int(item.get("timeout") or 0), linked=bool(item.get("linked")),
            note=item.get("note"), refund_of=item.get("refund_of") or None))
    return requests, refused


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    return {name: getattr(item, name) for name in (
        "ledger", "key", "debit_account", "credit_account", "amount", "kind", "pending",
        "post_pending", "void_pending", "pending_key", "timeout", "linked", "note",
        "refund_of")}


def _id(value: Any) -> int | None:
    """An account id, None when absent or out of the id range (refused before)."""
    return int(value) if value is not None and 0 < int(value) <= INT64_MAX else None


def hold_keys(requests: Iterable[TransferRequest]) -> list[str]:
    """The ledger keys of the holds the posts and voids of a batch name."""
    return sorted({ledger_key(r.ledger, r.pending_key) for r in requests
                   if r.pending_key and r.ledger})


def read_holds(keys: list[str]) -> dict[Key, Hold]:
    """The stored holds with these ledger keys."""
    if not keys:
        return {}
    return {(row.ledger_id, row.key): _hold(row)
            for row in Transfer.query_list(ledger_key__in=keys, pending=True)}


def _hold(row: Any) -> Hold:
    return Hold(row.key, row.ledger_id, row.debit_account_id, row.credit_account_id,
                row.amount, row.expires_at, row.status.value, row.amount_posted or 0, row.id)


def refund_keys(requests: Iterable[TransferRequest]) -> list[str]:
    """The ledger keys of the transfers the refunds of a batch name."""
    return sorted({ledger_key(r.ledger, r.refund_of) for r in requests
                   if r.refund_of and r.ledger})


def read_originals(keys: list[str], refunded: bool = True) -> dict[Key, Original]:
    """The stored transfers with these ledger keys, each with the sum of its refunds
    (`refunded=False`: left at 0, for a read that only wants their accounts)."""
    if not keys:
        return {}
    rows = Transfer.query_list(ledger_key__in=keys)
    taken: dict[int, int] = {}
    if refunded and rows:
        # refunds are posted at once and never resolved: each stored one took its amount
        taken = {row["refunded_transfer"]: row["amount"] for row in Transfer.group_totals(
            "refunded_transfer", ["amount"], refunded_transfer__in=[r.id for r in rows])}
    return {(row.ledger_id, row.key): Original(_request(row), row.status.value,
                                               row.amount_posted or 0, taken.get(row.id, 0),
                                               row.id)
            for row in rows}


def read_known(requests: Sequence[TransferRequest]) -> dict[Key, Known]:
    """The transfers already stored under the keys of a batch."""
    keys = sorted({ledger_key(r.ledger, r.key) for r in requests if r.ledger})
    if not keys:
        return {}
    return {(row.ledger_id, row.key): Known(_request(row), row.id)
            for row in Transfer.query_list(ledger_key__in=keys)}


def _request(row: Any) -> TransferRequest:
    return TransferRequest(row.ledger_id, row.key, row.debit_account_id,
                           row.credit_account_id, row.amount, row.kind.value,
                           bool(row.pending), bool(row.post_pending), bool(row.void_pending),
                           row.pending_key, row.timeout or 0, False, row.note,
                           row.refund_of)


def lock_accounts(ids: Iterable[int]) -> dict[int, AccountState]:
    """Lock the accounts (in id order: no deadlocks) and read their states."""
    wanted = sorted({number for number in ids if number is not None})
    if not wanted:
        return {}
    return {row.id: AccountState(
        row.id, row.ledger_id, row.debits_pending, row.debits_posted, row.credits_pending,
        row.credits_posted, bool(row.debits_must_not_exceed_credits),
        bool(row.credits_must_not_exceed_debits), row.credit_limit or 0, row.status.value)
        for row in Account.lock(wanted)}


def write(outcome: Outcome, holds: dict[Key, Hold],
          originals: dict[Key, Original] | None = None) -> dict[int, int]:
    """Write what a batch did; the new transfer ids by batch index."""
    if not outcome.transfers:
        return {}
    resolved_now = outcome.holds
    created = {(a.request.ledger, a.request.key) for a in outcome.transfers}
    ids: dict[int, int] = {}
    named_ids: dict[Key, int] = {key: hold.id for key, hold in holds.items()
                                 if hold.id is not None}
    named_ids.update({key: found.id for key, found in (originals or {}).items()
                      if found.id is not None})
    # first every transfer that names no transfer made in this batch (holds, originals),
    # then the posts, voids and refunds of those, which need their ids
    later = [a for a in outcome.transfers if (a.request.pending_key or a.request.refund_of)
             and (a.request.ledger, a.request.pending_key or a.request.refund_of) in created]
    waiting = {a.index for a in later}
    first = [a for a in outcome.transfers if a.index not in waiting]
    for group in (first, later):
        rows = [_transfer_row(a, named_ids, resolved_now) for a in group]
        for applied, number in zip(group, Transfer.insert_bulk(rows, returning_ids=True)):
            ids[applied.index] = number
            named_ids[(applied.request.ledger, applied.request.key)] = number
    Entry.insert_bulk([{"account": e.account, "transfer": ids[outcome.transfers[e.transfer]
                                                               .index],
                        "side": e.side, "pending": e.pending, "posted": e.posted,
                        "balance": e.balance} for e in outcome.entries])
    Account.increment_batch(outcome.deltas)
    for key, hold in resolved_now.items():
        if key in created:
            continue  # inserted with its final status
        if Transfer.update_where({"id": hold.id, "status": "PENDING"}, status=hold.status,
                                 amount_posted=hold.amount_posted) != 1:
            raise DataError(f"account.Transfer: hold {hold.key!r} was resolved by another "
                            "transaction while its accounts were locked", code="HOLD_RACE",
                            model="account.Transfer")
    return ids


def _transfer_row(applied: Any, named_ids: dict[Key, int], resolved: dict[Key, Hold]
                  ) -> dict[str, Any]:
    request = applied.request
    key = (request.ledger, request.key)
    status, posted = applied.status, applied.amount_posted
    if request.pending and key in resolved:
        status, posted = resolved[key].status, resolved[key].amount_posted
    pending_of = named_ids.get((request.ledger, request.pending_key or ""))
    return {"ledger": request.ledger, "key": request.key,
            "ledger_key": ledger_key(request.ledger, request.key),
            "debit_account": request.debit_account, "credit_account": request.credit_account,
            "amount": request.amount, "amount_posted": posted, "kind": request.kind,
            "pending": request.pending, "post_pending": request.post_pending,
            "void_pending": request.void_pending, "pending_key": request.pending_key,
            "pending_transfer": pending_of if request.pending_key else None,
            "timeout": request.timeout,
            "expires_at": None if applied.expires_at is None else int(applied.expires_at),
            "note": request.note, "status": status, "code": C.OK,
            "refund_of": request.refund_of,
            "refunded_transfer": named_ids[(request.ledger, request.refund_of)]
            if request.refund_of else None}
