"""The ledger's API: submit a batch of transfers, read a balance or a statement, void the
holds that expired."""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

from modelry import DataError, UniqueViolation, function, transaction
from modelry.modules.account import codes as C
from modelry.modules.account import grouping
from modelry.modules.account import store
from modelry.modules.account.ledger import TransferRequest as Request
from modelry.modules.account.ledger import apply_batch
from modelry.modules.account.models import (Account, Balance, Entry, StatementLine, Transfer,
                                            TransferRequest, TransferResult)

MAX_BATCH = grouping.MAX_BATCH
JANITOR_BATCH = 1_000


@function(open_level="API", type="CREATE", namespace="account.Transfer", own_transaction=True)
def submit(transfers: list[TransferRequest]) -> list[TransferResult]:
    """Apply a batch of transfers in one transaction: one result per transfer, in order
    ("ok", EXISTS, or why it was refused); a refused transfer changes nothing. Called
    inside a transaction, it is part of it; outside one, concurrent calls are merged
    into one transaction (grouping.py)."""
    if len(transfers) > MAX_BATCH:
        raise DataError(f"account.Transfer.submit: {len(transfers)} transfers in one batch; "
                        f"at most {MAX_BATCH}", code="BATCH_TOO_LARGE",
                        model="account.Transfer")
    return grouping.submit_grouped(transfers)


def apply(requests: list[Request], refused: dict[int, str] | None = None) -> list:
    """Lock, compute with the engine, write; the engine's results with the new ids.

    The keys already used are read before the locks, to keep that read out of the time the
    accounts stay locked: a key another batch used meanwhile trips the unique index, and
    the batch is then computed again under the locks (in a savepoint), its keys read anew.
    """
    if not requests:
        return []
    known = store.read_known(requests)
    hold_keys = store.hold_keys(requests)
    holds_named = store.read_holds(hold_keys)
    accounts = [a for r in requests for a in (r.debit_account, r.credit_account)]
    accounts += [a for h in holds_named.values() for a in (h.debit_account, h.credit_account)]
    states = store.lock_accounts(accounts)
    # read again under the locks: a hold may have been resolved meanwhile
    holds = store.read_holds(hold_keys)
    now = float(int(time.time()))
    try:
        with transaction():
            return _applied(requests, apply_batch(states, holds, known, requests, now, refused),
                            holds)
    except UniqueViolation as clash:
        if clash.field != "ledger_key":
            raise
    known = store.read_known(requests)
    return _applied(requests, apply_batch(states, holds, known, requests, now, refused), holds)


def _applied(requests: list[Request], outcome: Any, holds: dict) -> list:
    """Write `outcome`; its results with the new transfers' ids."""
    ids = store.write(outcome, holds)
    in_batch = {(a.request.ledger, a.request.key): ids[a.index] for a in outcome.transfers}
    results = []
    for result in outcome.results:
        number = ids.get(result.index)
        if result.code == C.EXISTS and result.transfer_id is None:
            request = requests[result.index]
            number = in_batch.get((request.ledger, request.key))
        results.append(type(result)(result.index, result.key, result.code,
                                    number if number is not None else result.transfer_id))
    return results


@function(open_level="API", type="QUERY", namespace="account.Account")
def balance(account: int) -> Balance:
    """An account's four balances, its posted balance and what is available."""
    found = Account.query_by_id(account)
    if found is None:
        raise DataError(f"account.Account: no account with id {account}",
                        code="ACCOUNT_NOT_FOUND", model="account.Account", field="id")
    posted = found.credits_posted - found.debits_posted
    return Balance(account=found.id, debits_pending=found.debits_pending,
                   debits_posted=found.debits_posted, credits_pending=found.credits_pending,
                   credits_posted=found.credits_posted, posted=posted,
                   available=posted - found.debits_pending)


@function(open_level="API", type="QUERY", namespace="account.Account")
def statement(account: int, since: dt.datetime | None = None,
              until: dt.datetime | None = None) -> list[StatementLine]:
    """An account's entries from `since` (inclusive) to `until` (exclusive), oldest first,
    each with the posted balance after it."""
    filters: dict[str, object] = {"account": account}
    if since is not None:
        filters["create_date__ge"] = since
    if until is not None:
        filters["create_date__lt"] = until
    entries = Entry.query_list(sort="id", **filters)
    transfers = {t.id: t for t in Transfer.query_list(
        id__in=sorted({e.transfer_id for e in entries}))} if entries else {}
    lines = []
    for entry in entries:
        transfer = transfers[entry.transfer_id]
        lines.append(StatementLine(
            entry=entry.id, transfer=transfer.id, key=transfer.key, kind=transfer.kind.value,
            date=entry.create_date, side=entry.side.value, pending=entry.pending,
            posted=entry.posted, balance=entry.balance, note=transfer.note))
    return lines


@function(open_level="API", type="UPDATE", namespace="account.Transfer")
def void_expired(limit: int = JANITOR_BATCH) -> int:
    """Void up to `limit` holds past their timeout (the janitor); how many were voided."""
    now = int(time.time())
    expired = Transfer.query_list(pending=True, status="PENDING", expires_at__le=now,
                                  sort="id", limit=max(1, min(limit, MAX_BATCH)))
    requests = [Request(hold.ledger_id, f"expired-{hold.id}", amount=0, kind=hold.kind.value,
                        void_pending=True, pending_key=hold.key, note="hold expired")
                for hold in expired]
    return sum(result.code == C.OK for result in apply(requests))
