"""The batch engine, one rule at a time (no database)."""
from __future__ import annotations

import dataclasses

from modelry.modules.account import codes as C
from modelry.modules.account.ledger import AccountState, TransferRequest, apply_batch
from tests.modules.account.helpers import EngineState, check_invariants

BANK, ALICE, SHOP = 1, 2, 3


def _state() -> EngineState:
    return EngineState({BANK: AccountState(BANK, 1),
                        ALICE: AccountState(ALICE, 1, debits_must_not_exceed_credits=True),
                        SHOP: AccountState(SHOP, 1)})


def _t(key: str, debit: int | None = None, credit: int | None = None, amount: int = 0,
       **flags: object) -> TransferRequest:
    return TransferRequest(1, key, debit, credit, amount, **flags)  # type: ignore[arg-type]


def _submit(state: EngineState, *batch: TransferRequest, now: float = 0) -> list[str]:
    outcome = apply_batch(state.accounts, state.holds, state.known, list(batch), now)
    state.fold(outcome)
    check_invariants(state.accounts, state.entries)
    return [result.code for result in outcome.results]


def _balances(state: EngineState, number: int) -> tuple[int, int, int, int]:
    a = state.accounts[number]
    return a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted


def test_a_recharge_then_a_payment_beyond_the_balance_is_refused() -> None:
    state = _state()
    assert _submit(state, _t("r1", BANK, ALICE, 100)) == [C.OK]
    assert _submit(state, _t("p1", ALICE, SHOP, 101)) == [C.EXCEEDS_CREDITS]
    assert _submit(state, _t("p1", ALICE, SHOP, 100)) == [C.OK]
    assert _balances(state, ALICE) == (0, 100, 0, 100)


def test_a_hold_posts_part_and_releases_the_rest_once() -> None:
    state = _state()
    _submit(state, _t("r1", BANK, ALICE, 100))
    assert _submit(state, _t("h1", ALICE, SHOP, 80, pending=True)) == [C.OK]
    assert _submit(state, _t("p2", ALICE, SHOP, 30)) == [C.EXCEEDS_CREDITS]  # 80 held
    assert _submit(state, _t("post", amount=81, post_pending=True, pending_key="h1")) == \
        [C.EXCEEDS_PENDING_AMOUNT]
    assert _submit(state, _t("post", amount=50, post_pending=True, pending_key="h1")) == [C.OK]
    assert _balances(state, ALICE) == (0, 50, 0, 100)
    assert _submit(state, _t("void", void_pending=True, pending_key="h1")) == \
        [C.PENDING_ALREADY_RESOLVED]


def test_an_expired_hold_cannot_be_posted_but_can_be_voided() -> None:
    state = _state()
    _submit(state, _t("r1", BANK, ALICE, 100))
    _submit(state, _t("h1", ALICE, SHOP, 60, pending=True, timeout=10), now=100)
    assert _submit(state, _t("p", post_pending=True, pending_key="h1"), now=109.9) == [C.OK]
    _submit(state, _t("h2", ALICE, SHOP, 40, pending=True, timeout=10), now=100)
    assert _submit(state, _t("p2", post_pending=True, pending_key="h2"), now=110) == \
        [C.PENDING_EXPIRED]
    assert _submit(state, _t("v2", void_pending=True, pending_key="h2"), now=110) == [C.OK]
    assert _balances(state, ALICE) == (0, 60, 0, 100)


def test_a_key_applies_once() -> None:
    state = _state()
    first = _t("r1", BANK, ALICE, 100, note="top-up")
    assert _submit(state, first, first) == [C.OK, C.EXISTS]
    assert _submit(state, first) == [C.EXISTS]
    assert _submit(state, dataclasses.replace(first, amount=99)) == \
        [C.EXISTS_WITH_DIFFERENT_FIELDS]
    assert _balances(state, ALICE) == (0, 0, 0, 100)


def test_a_failed_chain_undoes_what_earlier_chains_of_the_batch_did_not() -> None:
    state = _state()
    codes = _submit(state, _t("r1", BANK, ALICE, 100),
                    _t("pay", ALICE, SHOP, 70, linked=True),
                    _t("fee", ALICE, BANK, 40))  # 70 + 40 > 100: the chain fails
    assert codes == [C.OK, C.LINKED_EVENT_FAILED, C.EXCEEDS_CREDITS]
    assert _balances(state, ALICE) == (0, 0, 0, 100)
    assert [e.account for e in state.entries] == [BANK, ALICE]


def test_a_batch_ending_inside_a_chain_applies_none_of_it() -> None:
    state = _state()
    assert _submit(state, _t("a", BANK, ALICE, 5), _t("b", BANK, ALICE, 5, linked=True),
                   _t("c", BANK, ALICE, 5, linked=True)) == \
        [C.OK, C.LINKED_EVENT_FAILED, C.LINKED_EVENT_CHAIN_OPEN]


def test_bad_input_gets_a_code_per_transfer() -> None:
    state = _state()
    codes = _submit(state, _t("", BANK, ALICE, 5), _t("a b", BANK, ALICE, 5),
                    _t("n", BANK, ALICE, -1), _t("z", BANK, ALICE, 0),
                    _t("big", BANK, ALICE, 2**63), _t("same", BANK, BANK, 1),
                    _t("nobody", BANK, 42, 1), _t("flags", BANK, ALICE, 1, pending=True,
                                                  void_pending=True),
                    _t("hold?", post_pending=True), _t("ghost", void_pending=True,
                                                       pending_key="nope"))
    assert codes == [C.KEY_INVALID, C.KEY_INVALID, C.AMOUNT_MUST_BE_POSITIVE,
                     C.AMOUNT_MUST_BE_POSITIVE, C.AMOUNT_OUT_OF_RANGE, C.SAME_ACCOUNT,
                     C.ACCOUNT_NOT_FOUND, C.FLAGS_ARE_MUTUALLY_EXCLUSIVE,
                     C.PENDING_KEY_REQUIRED, C.PENDING_NOT_FOUND]
    assert not state.entries
