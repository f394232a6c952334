"""Refunds that name their original transfer, on every database: in full or in parts, never
past what the original posted (a hold: what its post posted), back the way it came, within
one batch, idempotent; `refund()` with a fee in the same linked chain; from 8 threads at
once; through GraphQL."""
from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from modelry import DataError, directives
from modelry.boot import App
from modelry.modules.account import codes as C
from modelry.modules.account.functions import balance, refund, submit
from modelry.modules.account.models import Account, AccountStatus, Transfer
from tests.functions.helpers import Client
from tests.modules.account.conftest import Chart, make_chart
from tests.modules.account.stored import check_stored_invariants, request
from tests.threads import run_threads


def codes(app: App, *items: dict[str, Any]) -> list[str]:
    """The codes of one batch, in a transaction of its own."""
    with app.transaction():
        return [result.code for result in submit(list(items))]


def back(chart: Chart, key: str, original: str, amount: int, **more: Any) -> dict[str, Any]:
    """A refund of `original`, its accounts left out (taken from the original)."""
    return request(chart, key, amount=amount, **{"kind": "REFUND", "refund_of": original,
                                                 **more})


def posted(app: App, *accounts: Any) -> list[int]:
    """Each account's posted balance (credits - debits)."""
    with app.transaction():
        return [balance(a.id).posted for a in accounts]


def stored(app: App, key: str) -> Any:
    with app.transaction():
        return Transfer.query_one(key=key)


@pytest.fixture
def paid(ledger_app: App, chart: Chart) -> Chart:
    """alice holds 10,000 and paid the shop 1,000 ("pay")."""
    c = chart
    assert codes(ledger_app, request(c, "top-up", c.bank, c.alice, 10_000, kind="RECHARGE"),
                 request(c, "pay", c.alice, c.shop, 1_000)) == [C.OK, C.OK]
    return c


def test_a_refund_in_parts_never_passes_what_the_original_moved(ledger_app: App,
                                                                 paid: Chart) -> None:
    c = paid
    assert codes(ledger_app, back(c, "back-1", "pay", 300)) == [C.OK]
    assert codes(ledger_app, back(c, "back-2", "pay", 701)) == [C.EXCEEDS_REFUNDABLE]
    assert codes(ledger_app, back(c, "back-2", "pay", 700, debit_account=c.shop.id,
                                  credit_account=c.alice.id)) == [C.OK]  # named: the same
    assert codes(ledger_app, back(c, "back-3", "pay", 1)) == [C.EXCEEDS_REFUNDABLE]
    assert posted(ledger_app, c.alice, c.shop) == [10_000, 0]
    first, part = stored(ledger_app, "pay"), stored(ledger_app, "back-1")
    assert (part.kind.value, part.refund_of, part.refunded_transfer_id, part.debit_account_id,
            part.credit_account_id, part.amount_posted) == (
        "REFUND", "pay", first.id, c.shop.id, c.alice.id, 300)
    check_stored_invariants(ledger_app)


def test_a_refund_in_full(ledger_app: App, paid: Chart) -> None:
    c = paid
    assert codes(ledger_app, back(c, "back", "pay", 1_000)) == [C.OK]
    assert codes(ledger_app, back(c, "more", "pay", 1)) == [C.EXCEEDS_REFUNDABLE]
    assert posted(ledger_app, c.alice, c.shop) == [10_000, 0]
    check_stored_invariants(ledger_app)


def test_refusals_have_codes_and_move_nothing(ledger_app: App, paid: Chart) -> None:
    c = paid
    assert codes(ledger_app, back(c, "back", "pay", 100)) == [C.OK]
    assert codes(
        ledger_app,
        back(c, "r1", "nothing-of-that-key", 10),
        back(c, "r2", "back", 10),                                          # of a refund
        back(c, "r3", "pay", 10, debit_account=c.alice.id),                 # wrong way
        back(c, "r4", "pay", 10, debit_account=c.shop.id, credit_account=c.bob.id),
        back(c, "r5", "pay", 10, kind="TRANSFER"),                          # not a REFUND
        back(c, "r6", "pay", 10, pending=True),                             # a hold
        back(c, "r7", "pay", 901),                                          # 100 taken back
        dict(back(c, "r8", "pay", 10), ledger="XXX"),
    ) == [C.REFUND_ORIGINAL_NOT_FOUND, C.REFUND_OF_REFUND, C.REFUND_ACCOUNTS_MISMATCH,
          C.REFUND_ACCOUNTS_MISMATCH, C.REFUND_OF_NOT_ALLOWED, C.REFUND_CANNOT_BE_PENDING,
          C.EXCEEDS_REFUNDABLE, C.LEDGER_NOT_FOUND]
    with ledger_app.transaction():
        assert Transfer.count(kind="REFUND") == 1
    assert posted(ledger_app, c.alice, c.shop) == [9_100, 900]
    assert codes(ledger_app, request(c, "gift", c.shop, c.alice, 5, kind="REFUND")) == \
        [C.OK]  # a REFUND naming no transfer stays allowed (free-standing)
    check_stored_invariants(ledger_app)


def test_a_hold_is_refundable_once_posted_up_to_what_was_posted(ledger_app: App,
                                                                 paid: Chart) -> None:
    c = paid
    assert codes(ledger_app, request(c, "held", c.alice, c.shop, 800, pending=True),
                 request(c, "voided", c.alice, c.shop, 50, pending=True),
                 request(c, "pending", c.alice, c.shop, 70, pending=True)) == [C.OK] * 3
    assert codes(ledger_app, request(c, "held-post", amount=600, post_pending=True,
                                     pending_key="held"),
                 request(c, "voided-void", void_pending=True, pending_key="voided")) == \
        [C.OK, C.OK]
    assert codes(ledger_app, back(c, "r-pending", "pending", 10),
                 back(c, "r-voided", "voided", 10),
                 back(c, "r-post", "held-post", 10),    # the hold's key stands for its post
                 back(c, "r-void", "voided-void", 10),
                 back(c, "r-held", "held", 601),
                 back(c, "r-held", "held", 600)) == [
        C.REFUND_ORIGINAL_NOT_POSTED, C.REFUND_ORIGINAL_NOT_POSTED, C.REFUND_OF_RESOLUTION,
        C.REFUND_OF_RESOLUTION, C.EXCEEDS_REFUNDABLE, C.OK]
    assert codes(ledger_app, back(c, "r-held-2", "held", 1)) == [C.EXCEEDS_REFUNDABLE]
    assert codes(ledger_app, back(c, "r-pending-2", "pending", 1),
                 request(c, "pending-post", post_pending=True, pending_key="pending"),
                 back(c, "r-pending-3", "pending", 70)) == \
        [C.REFUND_ORIGINAL_NOT_POSTED, C.OK, C.OK]  # posted in the batch: refundable after
    assert stored(ledger_app, "r-held").refunded_transfer_id == stored(ledger_app, "held").id
    assert posted(ledger_app, c.alice, c.shop) == [9_000, 1_000]  # 1,000 paid, 600 back
    check_stored_invariants(ledger_app)


def test_originals_and_their_refunds_in_one_batch(ledger_app: App, paid: Chart) -> None:
    c = paid
    assert codes(
        ledger_app,
        request(c, "pay-2", c.alice, c.bob, 500),
        back(c, "pay-2-back-1", "pay-2", 200),
        back(c, "pay-2-back-2", "pay-2", 301),                      # 200 taken back already
        back(c, "pay-2-back-2", "pay-2", 300),
        request(c, "hold", c.alice, c.shop, 400, pending=True),
        back(c, "hold-early", "hold", 10),                          # not posted yet
        request(c, "hold-post", amount=250, post_pending=True, pending_key="hold"),
        back(c, "hold-back", "hold", 250),
        back(c, "pay-back", "pay", 400, linked=True),               # a chain that fails...
        back(c, "pay-back-rest", "pay", 601),
        back(c, "pay-back-again", "pay", 1_000),                    # ...took nothing back
    ) == [C.OK, C.OK, C.EXCEEDS_REFUNDABLE, C.OK, C.OK, C.REFUND_ORIGINAL_NOT_POSTED, C.OK,
          C.OK, C.LINKED_EVENT_FAILED, C.EXCEEDS_REFUNDABLE, C.OK]
    assert stored(ledger_app, "pay-2-back-2").refunded_transfer_id == \
        stored(ledger_app, "pay-2").id
    assert stored(ledger_app, "hold-back").refunded_transfer_id == stored(ledger_app, "hold").id
    assert posted(ledger_app, c.alice, c.bob, c.shop) == [10_000, 0, 0]
    check_stored_invariants(ledger_app)


def test_a_repeat_applies_once(ledger_app: App, paid: Chart) -> None:
    c = paid
    with ledger_app.transaction():
        first = submit([back(c, "back", "pay", 400)])[0]
    with ledger_app.transaction():
        again = submit([back(c, "back", "pay", 400),
                        back(c, "back", "pay", 400, debit_account=c.shop.id,
                             credit_account=c.alice.id),
                        back(c, "back", "pay", 401)])
    assert [r.code for r in again] == [C.EXISTS, C.EXISTS, C.EXISTS_WITH_DIFFERENT_FIELDS]
    assert again[0].transfer_id == again[1].transfer_id == first.transfer_id
    assert codes(ledger_app, back(c, "rest", "pay", 600)) == [C.OK]  # 400 counted once
    check_stored_invariants(ledger_app)


def refund_of(app: App, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
    """`refund(...)` in a transaction of its own: (key, code) of each transfer."""
    with app.transaction():
        return [(r.key, r.code) for r in refund(*args, **kwargs)]


@pytest.mark.parametrize("amount, fee", [(1_000, 6), (75, 0), (84, 1), (750, 5), (250, 2)],
                         ids=["6.00", "0.45 rounds down", "0.504 rounds up",
                              "4.5 rounds half up", "1.5 rounds half up"])
def test_a_refund_with_a_fee_is_one_chain(ledger_app: App, paid: Chart, amount: int,
                                          fee: int) -> None:
    c = paid
    results = refund_of(ledger_app, "EUR", "back", "pay", amount, Decimal("0.006"), c.fees.id,
                        "returned")
    assert results == [("back", C.OK)] + ([("back-fee", C.OK)] if fee else [])
    assert posted(ledger_app, c.alice, c.shop, c.fees) == [
        9_000 + amount - fee, 1_000 - amount, fee]
    if fee:
        charged = stored(ledger_app, "back-fee")
        assert (charged.kind.value, charged.debit_account_id, charged.credit_account_id,
                charged.amount, charged.note) == ("FEE", c.alice.id, c.fees.id, fee, "returned")
    assert refund_of(ledger_app, "EUR", "back", "pay", amount, Decimal("0.006"), c.fees.id,
                     "returned") == [("back", C.EXISTS)] + ([("back-fee", C.EXISTS)] if fee
                                                             else [])
    check_stored_invariants(ledger_app)


def test_a_refund_and_its_fee_apply_both_or_neither(ledger_app: App, paid: Chart) -> None:
    c = paid
    with ledger_app.transaction():
        Account.update_where({"id": c.fees.id}, status=AccountStatus.FROZEN.value)
    assert refund_of(ledger_app, "EUR", "back", "pay", 500, Decimal("0.01"), c.fees.id) == [
        ("back", C.LINKED_EVENT_FAILED), ("back-fee", C.ACCOUNT_FROZEN)]
    assert refund_of(ledger_app, "EUR", "back", "pay", 1_001, Decimal("0.01"), c.fees.id) == [
        ("back", C.EXCEEDS_REFUNDABLE), ("back-fee", C.LINKED_EVENT_FAILED)]
    assert refund_of(ledger_app, "EUR", "back", "nope", 5, Decimal("0.5"), c.fees.id) == [
        ("back", C.REFUND_ORIGINAL_NOT_FOUND), ("back-fee", C.LINKED_EVENT_FAILED)]
    assert refund_of(ledger_app, "EUR", "back", "pay", 500, Decimal(0)) == [("back", C.OK)]
    assert posted(ledger_app, c.alice, c.shop, c.fees) == [9_500, 500, 0]
    for rate, code in [(Decimal("1.01"), "REFUND_FEE_RATE_INVALID"),
                       (Decimal("-0.01"), "REFUND_FEE_RATE_INVALID"),
                       (Decimal("0.1"), "FEE_ACCOUNT_REQUIRED")]:
        with pytest.raises(DataError) as error, ledger_app.transaction():
            refund("EUR", "other", "pay", 100, rate)
        assert error.value.code == code
    check_stored_invariants(ledger_app)


def test_eight_threads_refunding_one_transfer_in_parts_never_pass_it(
        make_app: Callable[..., App], backend: str) -> None:
    app = make_app(["account"], pool_size=10, pool_pre_ping=False)
    with app.activate():
        c = make_chart(app)
        assert codes(app, request(c, "top-up", c.bank, c.alice, 5_000),
                     request(c, "pay", c.alice, c.shop, 1_000)) == [C.OK, C.OK]

    def work(thread: int) -> list[tuple[int, str]]:
        rng = random.Random(thread)
        done: list[tuple[int, str]] = []
        with app.activate(), directives.backend_scope():
            for n in range(8):
                amount = rng.choice([10, 20, 30])
                with app.transaction():
                    if n % 2:
                        code = submit([back(c, f"t{thread}-{n}", "pay", amount)])[0].code
                    else:
                        code = refund("EUR", f"t{thread}-{n}", "pay", amount, Decimal("0.1"),
                                      c.fees.id)[0].code
                done.append((amount, code))
        return done

    done = [pair for pairs in run_threads(8, work) for pair in pairs]
    taken = sum(amount for amount, code in done if code == C.OK)
    assert {code for _, code in done} <= {C.OK, C.EXCEEDS_REFUNDABLE}
    assert 1_000 - 30 < taken <= 1_000 < sum(amount for amount, _ in done)
    with app.activate():
        check_stored_invariants(app)
        with app.transaction():
            assert sum(t.amount for t in Transfer.query_list(refund_of="pay")) == taken
        assert posted(app, c.shop) == [1_000 - taken]


REFUND = """mutation($l: String!, $k: String!, $o: String!, $a: Long!, $r: BigDecimal,
  $f: Long) { transferMutation { refund(ledger: $l, key: $k, original: $o, amount: $a,
  feeRate: $r, feeAccount: $f) { index key code transferId } } }"""


def test_through_graphql(ledger_app: App, paid: Chart) -> None:
    c = paid
    client = Client(ledger_app)
    made = client.gql(REFUND, {"l": "EUR", "k": "back", "o": "pay", "a": 500, "r": "0.006",
                               "f": c.fees.id}).ok()["transferMutation"]["refund"]
    assert [(r["index"], r["key"], r["code"]) for r in made] == [
        (0, "back", "ok"), (1, "back-fee", "ok")]
    assert made[0]["transferId"] == str(stored(ledger_app, "back").id)
    listed = client.gql('{ transferQuery { queryListByWrapper(queryWrapper: {rsql: '
                        '"refundOf==pay"}) { key refundOf refundedTransfer { key } } } }')
    assert listed.ok()["transferQuery"]["queryListByWrapper"] == [
        {"key": "back", "refundOf": "pay", "refundedTransfer": {"key": "pay"}}]
    assert posted(ledger_app, c.alice, c.fees) == [9_497, 3]
