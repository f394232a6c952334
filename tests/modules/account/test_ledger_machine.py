"""The batch engine against the plain reference ledger, as a hypothesis state machine: both
accept and refuse the same transfers, and every invariant holds after every batch.
No database."""
from __future__ import annotations

import copy
import dataclasses
from collections import Counter
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from modelry.modules.account import codes as C
from modelry.modules.account.ledger import AccountState, TransferRequest, apply_batch
from tests.modules.account.helpers import EngineState, as_dict, check_invariants
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


@st.composite
def requests(draw: Any) -> TransferRequest:
    """A random transfer, hold, post or void (mostly valid, sometimes not)."""
    shape = draw(st.sampled_from(["plain"] * 4 + ["pending"] * 3 + ["post"] * 2 + ["void"]
                                 + ["odd"]))
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
        before = copy.deepcopy((self.state.accounts, self.state.holds, self.state.known))
        accounts_in = copy.deepcopy(self.state.accounts)
        outcome = apply_batch(self.state.accounts, self.state.holds, self.state.known, batch,
                              self.now)
        assert self.state.accounts == accounts_in, "the engine changed its input"
        codes = [result.code for result in outcome.results]
        assert [r.index for r in outcome.results] == list(range(len(batch)))
        assert codes == self.reference.submit([as_dict(t) for t in batch]), batch
        if not any(code == C.OK for code in codes):  # nothing applied: nothing changes
            assert not outcome.transfers and not outcome.entries and not outcome.deltas
        self.state.fold(outcome)
        if not any(code == C.OK for code in codes):
            assert (self.state.accounts, self.state.holds, self.state.known) == before

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
