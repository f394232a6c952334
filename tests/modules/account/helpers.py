"""Helpers of the account tests: folding an engine outcome into the state a database would
hold, and the invariants every ledger state must meet."""
from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

from modelry.modules.account.ledger import (AccountState, Applied, Hold, Known, Original,
                                            Outcome, TransferRequest)


@dataclasses.dataclass
class EngineState:
    """What the tables hold, kept in memory: accounts, holds, keys, every transfer as a
    refund's original (with what its refunds took back), every entry."""

    accounts: dict[int, AccountState]
    holds: dict[tuple[int, str], Hold] = dataclasses.field(default_factory=dict)
    known: dict[tuple[int, str], Known] = dataclasses.field(default_factory=dict)
    originals: dict[tuple[int, str], Original] = dataclasses.field(default_factory=dict)
    entries: list[Any] = dataclasses.field(default_factory=list)
    applied: list[Any] = dataclasses.field(default_factory=list)

    def fold(self, outcome: Outcome) -> None:
        """Write `outcome` as `submit` writes it."""
        self.accounts.update({n: dataclasses.replace(a) for n, a in outcome.accounts.items()})
        for applied in outcome.transfers:
            request = applied.request
            key = (request.ledger, request.key)
            self.known[key] = Known(request, len(self.applied) + 1)
            self.originals[key] = Original(request, applied.status, applied.amount_posted, 0,
                                           len(self.applied) + 1)
            self.applied.append(applied)
            if request.pending:
                self.holds[key] = Hold(request.key, request.ledger, request.debit_account,
                                       request.credit_account, applied.amount,
                                       applied.expires_at)
            if request.refund_of:
                named = (request.ledger, request.refund_of)
                found = self.originals[named]
                self.originals[named] = dataclasses.replace(
                    found, refunded=found.refunded + request.amount)
        self.holds.update(outcome.holds)
        for key, hold in outcome.holds.items():  # a hold row keeps how it was resolved
            self.originals[key] = dataclasses.replace(
                self.originals[key], status=hold.status, amount_posted=hold.amount_posted)
        self.entries.extend(outcome.entries)


def check_invariants(accounts: dict[int, AccountState], entries: list[Any]) -> None:
    """Per ledger debits = credits (pending and posted); balances = the sums of entries;
    no account past its flag's limit."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for account in accounts.values():
        t = totals[account.ledger]
        t[0] += account.debits_pending
        t[1] += account.credits_pending
        t[2] += account.debits_posted
        t[3] += account.credits_posted
        if account.debits_must_not_exceed_credits:
            assert account.debits_pending + account.debits_posted <= \
                account.credits_posted + account.credit_limit, account
        if account.credits_must_not_exceed_debits:
            assert account.credits_pending + account.credits_posted <= \
                account.debits_posted + account.credit_limit, account
        for balance in ("debits_pending", "debits_posted", "credits_pending",
                        "credits_posted"):
            assert getattr(account, balance) >= 0, (account, balance)
    for ledger, (dp, cp, dpo, cpo) in totals.items():
        assert dp == cp, f"ledger {ledger}: pending debits {dp} != credits {cp}"
        assert dpo == cpo, f"ledger {ledger}: posted debits {dpo} != credits {cpo}"
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for entry in entries:
        s = sums[entry.account]
        if entry.side == "DEBIT":
            s[0] += entry.pending
            s[1] += entry.posted
        else:
            s[2] += entry.pending
            s[3] += entry.posted
    for number, account in accounts.items():
        assert sums[number] == [account.debits_pending, account.debits_posted,
                                account.credits_pending, account.credits_posted], number


def check_refunds(applied: list[Applied], holds: dict[tuple[int, str], Hold]) -> None:
    """Every refund names a transfer of its ledger that is neither a refund nor a post or
    void, goes back the way that one came, and the refunds of a transfer never add up to
    more than it posted (a hold: what its post posted)."""
    by_key = {(a.request.ledger, a.request.key): a for a in applied}
    refunded: dict[tuple[int, str], int] = defaultdict(int)
    for refund in applied:
        if not refund.request.refund_of:
            continue
        key = (refund.request.ledger, refund.request.refund_of)
        first = by_key[key].request
        assert refund.request.kind == "REFUND" and refund.status == "POSTED", refund
        assert first.kind != "REFUND" and not (first.post_pending or first.void_pending)
        assert (refund.request.debit_account, refund.request.credit_account) == \
            (first.credit_account, first.debit_account), refund
        refunded[key] += refund.amount_posted
    for key, total in refunded.items():
        first = by_key[key]
        posted = holds[key].amount_posted if first.request.pending else first.amount_posted
        assert 0 < total <= posted, (key, total, posted)


def as_dict(request: TransferRequest) -> dict[str, Any]:
    """The reference ledger's spelling of a request."""
    return {"ledger": request.ledger, "key": request.key, "debit": request.debit_account,
            "credit": request.credit_account, "amount": request.amount,
            "kind": request.kind, "pending": request.pending, "post": request.post_pending,
            "void": request.void_pending, "pending_key": request.pending_key,
            "timeout": request.timeout, "linked": request.linked, "note": request.note,
            "refund_of": request.refund_of}
