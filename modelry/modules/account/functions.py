"""The ledger's API: submit a batch of transfers, refund a transfer (with a fee), read a
balance or a statement, void the holds that expired."""
from __future__ import annotations

import datetime as dt
import decimal
import time
from collections.abc import Sequence
from typing import Any

from modelry import DataError, Long, UniqueViolation, directives, function, transaction
from modelry.modules.account import codes as C
from modelry.modules.account import grouping
from modelry.modules.account import store
from modelry.modules.account.ledger import TransferRequest as Request
from modelry.modules.account.ledger import INT64_MAX, apply_batch
from modelry.modules.account.models import (Account, Balance, Entry, Ledger, StatementLine,
                                            Transfer, TransferRequest, TransferResult)
from modelry.modules.account.refund_models import refund_fee

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


@function(open_level="API", type="CREATE", namespace="account.Transfer")
def refund(ledger: str, key: str, original: str, amount: Long,
           fee_rate: decimal.Decimal = decimal.Decimal(0), fee_account: Long | None = None,
           note: str | None = None) -> list[TransferResult]:
    """Give `amount` of the transfer keyed `original` back the way it came (a REFUND keyed
    `key`), and with a `fee_rate` (a fraction, 0.006 = 0.6 %) move the fee, rounded half up
    to the minor unit, from the refunded account to `fee_account` (a FEE keyed
    `<key>-fee`) in the same linked chain: both apply or neither. One result per transfer."""
    rate = decimal.Decimal(str(fee_rate))
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise DataError(f"account.Transfer.refund: fee_rate {fee_rate} is not a fraction "
                        "from 0 to 1", code="REFUND_FEE_RATE_INVALID",
                        model="account.Transfer", field="fee_rate")
    fee = refund_fee(amount, rate) if 0 < amount <= INT64_MAX else 0
    if fee and fee_account is None:
        raise DataError(f"account.Transfer.refund: a fee of {fee} needs a fee_account",
                        code="FEE_ACCOUNT_REQUIRED", model="account.Transfer",
                        field="fee_account")
    items: list[dict[str, Any]] = [dict(ledger=ledger, key=key, amount=amount, kind="REFUND",
                                        refund_of=original, note=note, linked=bool(fee))]
    if fee:
        # the refund credits the original's debit account: the fee comes out of it (an
        # unknown original leaves it out; the refund is refused first, and the chain)
        book = Ledger.query_one(code=ledger)
        first = None if book is None else \
            Transfer.query_one(ledger_key=store.ledger_key(book.id, original))
        items.append(dict(ledger=ledger, key=f"{key}-fee", amount=fee, kind="FEE", note=note,
                          debit_account=None if first is None else first.debit_account_id,
                          credit_account=fee_account))
    return _submitted(items)


def _submitted(transfers: Sequence[Any]) -> list[TransferResult]:
    """Apply records or dicts of `account.TransferRequest` as one batch; their results."""
    requests, refused = store.to_requests(transfers)
    return [TransferResult(index=r.index, key=r.key, code=r.code, transfer_id=r.transfer_id)
            for r in apply(requests, refused)]


def apply(requests: list[Request], refused: dict[int, str] | None = None) -> list:
    """Lock, compute with the engine, write; the engine's results with the new ids.

    The keys already used are read before the locks, to keep that read out of the time the
    accounts stay locked: a key another batch used meanwhile trips the unique index, and
    the batch is then computed again under the locks (in a savepoint), its keys read anew.
    """
    if not requests:
        return []
    known = store.read_known(requests)
    hold_keys, refund_keys = store.hold_keys(requests), store.refund_keys(requests)
    holds_named = store.read_holds(hold_keys)
    named = [(h.debit_account, h.credit_account) for h in holds_named.values()]
    named += [(o.request.debit_account, o.request.credit_account)
              for o in store.read_originals(refund_keys, refunded=False).values()]
    accounts = [a for r in requests for a in (r.debit_account, r.credit_account)]
    states = store.lock_accounts(accounts + [a for pair in named for a in pair])
    # read again under the locks: a hold may have been resolved meanwhile, and an original
    # refunded (every refund of it locks its accounts, as this batch has); an original
    # that appeared since is left out unless its accounts are locked (it was not found)
    holds = store.read_holds(hold_keys)
    originals = {key: found for key, found in store.read_originals(refund_keys).items()
                 if {found.request.debit_account, found.request.credit_account} <= states.keys()}
    now = float(int(time.time()))

    def compute(known: dict) -> Any:
        return apply_batch(states, holds, known, requests, now, refused, originals)

    try:
        with transaction():
            return _applied(requests, compute(known), holds, originals)
    except UniqueViolation as clash:
        if clash.field != "ledger_key":
            raise
    return _applied(requests, compute(store.read_known(requests)), holds, originals)


def _applied(requests: list[Request], outcome: Any, holds: dict, originals: dict) -> list:
    """Write `outcome`; its results with the new transfers' ids."""
    ids = store.write(outcome, holds, originals)
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
def balance(account: Long) -> Balance:
    """An account's four balances, its posted balance and what is available."""
    found = _readable(account)
    posted = found.credits_posted - found.debits_posted
    return Balance(account=found.id, debits_pending=found.debits_pending,
                   debits_posted=found.debits_posted, credits_pending=found.credits_pending,
                   credits_posted=found.credits_posted, posted=posted,
                   available=posted - found.debits_pending)


def _readable(account: int) -> Any:
    """The account, read as the caller (its record rules); ACCOUNT_NOT_FOUND when it does
    not exist or the caller may not see it."""
    with directives.as_caller():
        found = Account.query_by_id(account)
    if found is None:
        raise DataError(f"account.Account: no account with id {account}",
                        code="ACCOUNT_NOT_FOUND", model="account.Account", field="id")
    return found


@function(open_level="API", type="QUERY", namespace="account.Account")
def statement(account: Long, since: dt.datetime | None = None,
              until: dt.datetime | None = None) -> list[StatementLine]:
    """An account's entries from `since` (inclusive) to `until` (exclusive), oldest first,
    each with the posted balance after it."""
    _readable(account)
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
