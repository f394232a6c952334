"""The batch engine against the plain reference ledger, as a hypothesis state machine: both
accept and refuse the same transfers (refunds too), and every invariant holds after every
batch. No database."""
from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from modelry.modules.account import codes as C
from modelry.modules.account.ledger import AccountState, TransferRequest, apply_batch
from tests.modules.account.helpers import (EngineState, as_dict, check_invariants,
                                           check_refunds)
from tests.modules.account.reference import ReferenceLedger

# ledger 1: a funding account (may go negative), two customers with limits, a merchant,
# a frozen one; ledger 2: one account (for cross-ledger refusals); 99 does not exist
ACCOUNTS = {
    1: AccountState(1, 1),
    2: AccountState(2, 1, debits_must_not_exceed_credits=True),
    3: AccountState(3, 1, debits_must_not_exceed_credits=True, credit_limit=50),
    4: AccountState(4, 1, credits_must_not_exceed_debits=True, credit_limit=500),
    5: AccountState(5, 1, status="FROZEN"),
    6: AccountState(6, 2),
}
ACCOUNT_IDS = st.sampled_from([1, 1, 1, 2, 2, 3, 3, 4, 4] * 3 + [5, 6, 99])
KEYS = st.sampled_from([f"k{n}" for n in range(8)] * 10 + ["", "has space", "x" * 65])
AMOUNTS = st.one_of(*[st.integers(1, 300)] * 9, st.sampled_from([0, -5, 2**63, 2**63 - 1]))
REFUND_KEYS = st.sampled_from([f"r{n}" for n in range(12)])  # room beyond k0-k7
ORIGINAL_KEYS = st.sampled_from([f"o{n}" for n in range(6)])  # originals of the refund rule
PAIRS = st.sampled_from([(1, 2), (1, 3), (1, 4), (2, 4), (3, 4), (2, 3)])


@st.composite
def requests(draw: Any) -> TransferRequest:
    """A random transfer, hold, post, void or refund (mostly valid, sometimes not)."""
    shape = draw(st.sampled_from(["plain"] * 4 + ["pending"] * 3 + ["post"] * 2 + ["void"]
                                 + ["refund"] * 2 + ["odd"]))
    if shape == "refund":
        return draw(refunds(KEYS))
    resolving = shape in ("post", "void")
    return TransferRequest(
        ledger=draw(st.sampled_from([1] * 15 + [2])),
        key=draw(KEYS),
        debit_account=None if resolving and draw(st.booleans()) else draw(ACCOUNT_IDS),
        credit_account=None if resolving and draw(st.booleans()) else draw(ACCOUNT_IDS),
        amount=draw(st.integers(0, 300)) if resolving else draw(AMOUNTS),
        kind=draw(st.sampled_from(["TRANSFER", "RECHARGE", "FEE", "BOGUS"])) if shape == "odd"
        else "TRANSFER",
        pending=shape == "pending" or (shape == "odd" and draw(st.booleans())),
        post_pending=shape == "post" or (shape == "odd" and draw(st.booleans())),
        void_pending=shape == "void",
        pending_key=draw(KEYS) if resolving or shape == "odd" and draw(st.booleans())
        else None,
        timeout=draw(st.sampled_from([0, 0, 5, 30])) if shape in ("pending", "odd") else 0,
        linked=draw(st.booleans()),
        note=draw(st.sampled_from([None, "n"])),
        refund_of=draw(KEYS) if shape == "odd" and draw(st.booleans()) else None,
    )


@st.composite
def refunds(draw: Any, originals: st.SearchStrategy[str],
            accounts: tuple[int, int] | None = None) -> TransferRequest:
    """A refund of one of `originals` (keys): its accounts left out, or given (`accounts`,
    the original's swapped, when known), or wrong; sometimes not a REFUND, or a hold."""
    def account(right: int | None) -> int | None:
        if draw(st.booleans()):
            return None
        return draw(st.one_of(st.just(right), ACCOUNT_IDS) if right else ACCOUNT_IDS)

    debit, credit = accounts or (None, None)
    return TransferRequest(
        ledger=draw(st.sampled_from([1] * 15 + [2])),
        key=draw(st.one_of(REFUND_KEYS, KEYS)),
        debit_account=account(debit), credit_account=account(credit),
        amount=draw(st.one_of(*[st.integers(1, 120)] * 8, AMOUNTS)),
        kind=draw(st.sampled_from(["REFUND"] * 8 + ["TRANSFER"])),
        pending=draw(st.sampled_from([False] * 8 + [True])),
        linked=draw(st.sampled_from([False] * 3 + [True])),
        note=draw(st.sampled_from([None, "n"])),
        refund_of=draw(originals),
    )


class LedgerMachine(RuleBasedStateMachine):
    """Submit random batches to the engine and to the reference; compare and check."""

    def __init__(self) -> None:
        super().__init__()
        self.state = EngineState({n: dataclasses.replace(a) for n, a in ACCOUNTS.items()})
        self.reference = ReferenceLedger({n: _plain(a) for n, a in ACCOUNTS.items()})
        self.now = 1_000.0

    @rule(batch=st.lists(requests(), min_size=1, max_size=6))
    def submit(self, batch: list[TransferRequest]) -> None:
        self._compare(batch)

    @precondition(lambda self: self.state.applied)
    @rule(data=st.data())
    def refund(self, data: st.DataObject) -> None:
        """Refunds of transfers applied before (their accounts known), several of one
        transfer in a batch, some after a new transfer of the batch they refund."""
        applied = [a.request for a in self.state.applied]
        batch: list[TransferRequest] = []
        for _ in range(data.draw(st.integers(1, 3))):
            first = data.draw(st.sampled_from(applied))
            if data.draw(st.integers(0, 3)) == 0:  # an original made in this very batch
                debit, credit = data.draw(PAIRS)
                first = TransferRequest(1, data.draw(ORIGINAL_KEYS), debit, credit,
                                        data.draw(st.integers(1, 300)),
                                        pending=data.draw(st.booleans()))
                batch.append(first)
                if first.pending and data.draw(st.booleans()):  # posted in the batch too
                    batch.append(TransferRequest(
                        1, first.key + "p", amount=data.draw(st.integers(0, first.amount)),
                        post_pending=True, pending_key=first.key))
            accounts = (first.credit_account, first.debit_account)
            for _ in range(data.draw(st.integers(1, 3))):  # in parts
                batch.append(data.draw(refunds(st.just(first.key), accounts)))
        self._compare(batch)

    def _compare(self, batch: list[TransferRequest]) -> None:
        before = copy.deepcopy((self.state.accounts, self.state.holds, self.state.known,
                                self.state.originals))
        accounts_in = copy.deepcopy(self.state.accounts)
        # as `submit` reads them: the holds the batch resolves, the originals it refunds
        named = {(r.ledger, r.pending_key) for r in batch if r.pending_key}
        holds = {key: hold for key, hold in self.state.holds.items() if key in named}
        named = {(r.ledger, r.refund_of) for r in batch if r.refund_of}
        originals = {k: found for k, found in self.state.originals.items() if k in named}
        outcome = apply_batch(self.state.accounts, holds, self.state.known, batch, self.now,
                              originals=originals)
        assert self.state.accounts == accounts_in, "the engine changed its input"
        codes = [result.code for result in outcome.results]
        assert [r.index for r in outcome.results] == list(range(len(batch)))
        assert codes == self.reference.submit([as_dict(t) for t in batch]), batch
        if not any(code == C.OK for code in codes):  # nothing applied: nothing changes
            assert not outcome.transfers and not outcome.entries and not outcome.deltas
        self.state.fold(outcome)
        if not any(code == C.OK for code in codes):
            assert (self.state.accounts, self.state.holds, self.state.known,
                    self.state.originals) == before

    @rule(seconds=st.sampled_from([1, 5, 25]))
    def wait(self, seconds: int) -> None:
        self.now += seconds
        self.reference.now = self.now

    @invariant()
    def balances_agree_with_the_reference(self) -> None:
        for number, account in self.state.accounts.items():
            theirs = self.reference.accounts[number]
            assert (account.debits_pending, account.debits_posted, account.credits_pending,
                    account.credits_posted) == (theirs["dp"], theirs["dpo"], theirs["cp"],
                                                theirs["cpo"]), number

    @invariant()
    def ledger_invariants_hold(self) -> None:
        check_invariants(self.state.accounts, self.state.entries)

    @invariant()
    def refunds_never_exceed_what_was_posted(self) -> None:
        check_refunds(self.state.applied, self.state.holds)
        for key, found in self.state.originals.items():
            assert found.refunded == self.reference.refunded.get(key, 0), key

    @invariant()
    def keys_apply_once_and_holds_resolve_once(self) -> None:
        keys = Counter((a.request.ledger, a.request.key) for a in self.state.applied)
        assert all(count == 1 for count in keys.values()), keys
        resolutions = Counter((a.request.ledger, a.request.pending_key)
                              for a in self.state.applied if a.request.pending_key)
        assert all(count == 1 for count in resolutions.values()), resolutions
        for hold in self.state.holds.values():
            assert 0 <= hold.amount_posted <= hold.amount
            assert hold.status in ("PENDING", "POSTED", "VOIDED")
            if hold.status != "POSTED":
                assert hold.amount_posted == 0


def _plain(account: AccountState) -> dict[str, Any]:
    return {"ledger": account.ledger, "dp": 0, "dpo": 0, "cp": 0, "cpo": 0,
            "dmnec": account.debits_must_not_exceed_credits,
            "cmned": account.credits_must_not_exceed_debits,
            "limit": account.credit_limit, "status": account.status}


LedgerMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=25,
                                           deadline=None)
TestLedgerMachine = LedgerMachine.TestCase
