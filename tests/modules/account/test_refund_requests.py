"""Balance refund requests on every database: a request holds the whole available cash and
clears the vouchers; an approval pays out less the fee (rounded half up) in one linked
chain, a rejection gives everything back; each refusal has its code and writes nothing;
every step is logged with who and why; also through GraphQL and from several threads."""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelry import DataError
from modelry.boot import App
from modelry.core.security.identity import Identity, acting
from modelry.modules.account.functions import balance, submit
from modelry.modules.account.models import (Account, AccountKind, AccountStatus, Ledger,
                                            Transfer)
from modelry.modules.account.refund_models import (RefundPolicy, RefundRequest,
                                                   RefundRequestEvent, RefundStatus,
                                                   refund_fee)
from modelry.modules.account.refund_requests import (approve_refund, reject_refund,
                                                     request_refund)
from tests.functions.helpers import Client
from tests.modules.account.conftest import Chart, make_chart
from tests.modules.account.stored import check_stored_invariants, request
from tests.threads import run_threads

RATE = Decimal("0.006")
ON_A_DATABASE = settings(max_examples=12, deadline=None,
                         suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass
class Refunds:
    """The chart, plus carol (cash and vouchers), a payout account, a voucher sink and the
    ledger's refund policy (0.6 %)."""

    chart: Chart
    carol: Any
    vouchers: Any
    payout: Any
    sink: Any
    policy: Any


def customer(app: App, chart: Chart, owner: str, cash: int = 0, vouchers: int = 0
             ) -> tuple[Any, Any]:
    """A customer's cash and voucher accounts, funded from the bank."""
    with app.transaction():
        accounts = [Account(ledger=chart.ledger.id, code=f"{owner}-{kind.value}", owner=owner,
                            kind=kind, debits_must_not_exceed_credits=True).create()
                    for kind in (AccountKind.CUSTOMER_CASH, AccountKind.CUSTOMER_VOUCHER)]
        funding = [request(chart, f"fund-{a.code}", chart.bank, a, amount, kind="RECHARGE")
                   for a, amount in zip(accounts, (cash, vouchers)) if amount]
        assert [r.code for r in submit(funding)] == ["ok"] * len(funding)
    return accounts[0], accounts[1]


@pytest.fixture
def refunds(ledger_app: App, chart: Chart) -> Refunds:
    carol, vouchers = customer(ledger_app, chart, "carol", cash=10_000, vouchers=500)
    with ledger_app.transaction():
        payout = Account(ledger=chart.ledger.id, code="payout", kind=AccountKind.SUSPENSE
                         ).create()
        sink = Account(ledger=chart.ledger.id, code="voucher-sink", kind=AccountKind.REVENUE
                       ).create()
        policy = RefundPolicy(ledger=chart.ledger.id, fee_rate=RATE, fee_account=chart.fees.id,
                              payout_account=payout.id, voucher_sink_account=sink.id).create()
    return Refunds(chart, carol, vouchers, payout, sink, policy)


def call(app: App, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(*args)` in a transaction of its own."""
    with app.transaction():
        return fn(*args)


def refused(app: App, fn: Callable[..., Any], *args: Any) -> str:
    """The code `fn(*args)` is refused with (its transaction rolled back)."""
    with pytest.raises(DataError) as error, app.transaction():
        fn(*args)
    return error.value.code


def posted(app: App, *accounts: Any) -> list[tuple[int, int]]:
    """(posted, available) of each account."""
    with app.transaction():
        return [(b.posted, b.available) for b in (balance(a.id) for a in accounts)]


def steps(app: App, found: Any) -> list[str]:
    """The steps of a request's transfers, in order (their keys less `refund-<id>-`)."""
    prefix = f"refund-{found.id}-"
    with app.transaction():
        return [t.key.removeprefix(prefix)
                for t in Transfer.query_list(rsql=f"key=starts={prefix}", sort="id")]


def hold_of(app: App, found: Any) -> Any:
    """A request's hold, as stored."""
    with app.transaction():
        return Transfer.query_by_id(found.hold_transfer_id)


def test_a_request_holds_the_cash_and_clears_the_vouchers(ledger_app: App,
                                                          refunds: Refunds) -> None:
    r = refunds
    found = call(ledger_app, request_refund, r.carol.id, "moving abroad")
    assert (found.status, found.amount, found.fee, found.fee_rate, found.vouchers_cleared,
            found.voucher_account_id, found.open_account, found.reason) == (
        RefundStatus.REQUESTED, 10_000, 60, RATE, 500, r.vouchers.id, r.carol.id,
        "moving abroad")
    assert found.hold_key == f"refund-{found.id}-hold" and found.hold_transfer_id
    assert posted(ledger_app, r.carol, r.vouchers, r.payout, r.sink) == [
        (10_000, 0), (0, 0), (0, 0), (500, 500)]
    hold = hold_of(ledger_app, found)
    assert (hold.debit_account_id, hold.credit_account_id, hold.amount, hold.status.value) \
        == (r.carol.id, r.payout.id, 10_000, "PENDING")
    check_stored_invariants(ledger_app)


# carol, vouchers, fees, payout, sink: (posted, available) after the decision
APPROVED = [(0, 0), (0, 0), (60, 60), (9_940, 9_940), (500, 500)]
REJECTED = [(10_000, 10_000), (500, 500), (0, 0), (0, 0), (0, 0)]


@pytest.mark.parametrize("decide, status, balances, steps_taken, hold_after", [
    (approve_refund, RefundStatus.APPROVED, APPROVED, ["payout", "fee"], ("POSTED", 9_940)),
    (reject_refund, RefundStatus.REJECTED, REJECTED, ["void", "vouchers-back"], ("VOIDED", 0)),
], ids=["approve: pays out less the fee", "reject: gives cash and vouchers back"])
def test_a_decision_moves_the_money_in_one_chain(
        ledger_app: App, refunds: Refunds, decide: Callable[..., Any], status: RefundStatus,
        balances: list[tuple[int, int]], steps_taken: list[str],
        hold_after: tuple[str, int]) -> None:
    r = refunds
    found = call(ledger_app, request_refund, r.carol.id, None)
    done = call(ledger_app, decide, found.id, "identity checked")
    assert (done.status, done.open_account, done.decision_reason) == (
        status, None, "identity checked")
    assert done.decided_at is not None
    assert posted(ledger_app, r.carol, r.vouchers, r.chart.fees, r.payout, r.sink) == balances
    assert steps(ledger_app, found) == ["hold", "vouchers", *steps_taken]
    hold = hold_of(ledger_app, found)
    assert (hold.status.value, hold.amount_posted) == hold_after
    check_stored_invariants(ledger_app)
    call(ledger_app, submit, [request(r.chart, "top-up", r.chart.bank, r.carol, 100)])
    again = call(ledger_app, request_refund, r.carol.id, "again")  # decided: no longer open
    assert again.id != found.id and again.amount == balances[0][1] + 100


def test_cash_already_held_stays_held(ledger_app: App, refunds: Refunds) -> None:
    r = refunds
    with ledger_app.transaction():
        submit([request(r.chart, "charging", r.carol, r.chart.shop, 2_500, pending=True)])
    found = call(ledger_app, request_refund, r.carol.id, None)
    assert (found.amount, found.fee) == (7_500, 45)
    with ledger_app.transaction():
        submit([request(r.chart, "charged", post_pending=True, pending_key="charging")])
    call(ledger_app, approve_refund, found.id, "ok")
    assert posted(ledger_app, r.carol, r.chart.shop, r.payout, r.chart.fees) == [
        (0, 0), (2_500, 2_500), (7_455, 7_455), (45, 45)]


def test_refusals_have_codes(ledger_app: App, refunds: Refunds) -> None:
    r, c = refunds, refunds.chart
    assert refused(ledger_app, request_refund, c.shop.id, None) == "ACCOUNT_NOT_REFUNDABLE"
    assert refused(ledger_app, request_refund, r.vouchers.id, None) == \
        "ACCOUNT_NOT_REFUNDABLE"
    assert refused(ledger_app, request_refund, 987_654, None) == "ACCOUNT_NOT_FOUND"
    assert refused(ledger_app, request_refund, c.bob.id, None) == "NOTHING_TO_REFUND"
    assert refused(ledger_app, request_refund, r.carol.id, "x" * 513) == "REASON_TOO_LONG"
    found = call(ledger_app, request_refund, r.carol.id, None)
    assert refused(ledger_app, request_refund, r.carol.id, None) == \
        "REFUND_ALREADY_REQUESTED"
    assert refused(ledger_app, approve_refund, found.id, " ") == "REASON_REQUIRED"
    assert refused(ledger_app, approve_refund, 987_654, "ok") == "REFUND_REQUEST_NOT_FOUND"
    call(ledger_app, approve_refund, found.id, "ok")
    assert refused(ledger_app, approve_refund, found.id, "ok") == "REFUND_ALREADY_DECIDED"
    assert refused(ledger_app, reject_refund, found.id, "no") == "REFUND_ALREADY_DECIDED"
    assert posted(ledger_app, r.carol, r.chart.fees, r.payout) == [
        (0, 0), (60, 60), (9_940, 9_940)]
    with ledger_app.transaction():
        assert RefundRequest.count() == 1 and RefundRequestEvent.count() == 2


def test_the_switch_turns_new_requests_off_not_open_ones(ledger_app: App,
                                                         refunds: Refunds) -> None:
    r = refunds
    dave, _ = customer(ledger_app, r.chart, "dave", cash=300)
    found = call(ledger_app, request_refund, r.carol.id, None)
    with ledger_app.transaction():
        assert RefundPolicy.update_where({"id": r.policy.id}, enabled=False) == 1
    assert refused(ledger_app, request_refund, dave.id, None) == "REFUND_REQUESTS_DISABLED"
    assert call(ledger_app, reject_refund, found.id, "closed").status is \
        RefundStatus.REJECTED
    with ledger_app.transaction():
        other = Ledger(code="USD", name="Dollars", currency="USD").create()
        stranger = Account(ledger=other.id, code="erin", kind=AccountKind.CUSTOMER_CASH
                           ).create()
    assert refused(ledger_app, request_refund, stranger.id, None) == \
        "REFUND_REQUESTS_DISABLED"  # no policy at all


def test_voucher_accounts_must_be_clear_cut(ledger_app: App, refunds: Refunds) -> None:
    r = refunds
    with ledger_app.transaction():
        RefundPolicy.update_where({"id": r.policy.id}, voucher_sink_account=None)
    assert refused(ledger_app, request_refund, r.carol.id, None) == "VOUCHER_SINK_NOT_SET"
    frank, _ = customer(ledger_app, r.chart, "frank", cash=100)  # vouchers at 0: no sink needed
    assert call(ledger_app, request_refund, frank.id, None).voucher_account_id is None
    with ledger_app.transaction():
        Account(ledger=r.chart.ledger.id, code="carol-2", owner="carol",
                kind=AccountKind.CUSTOMER_VOUCHER).create()
    assert refused(ledger_app, request_refund, r.carol.id, None) == \
        "VOUCHER_ACCOUNT_AMBIGUOUS"


def test_a_ledger_refusal_writes_nothing_even_when_caught(ledger_app: App,
                                                          refunds: Refunds) -> None:
    r = refunds
    with ledger_app.transaction():
        Account.update_where({"id": r.payout.id}, status=AccountStatus.FROZEN.value)
    with ledger_app.transaction():  # a caller that catches the error and commits
        with pytest.raises(DataError) as error:
            request_refund(r.carol.id, None)
    assert error.value.code == "ACCOUNT_FROZEN"
    with ledger_app.transaction():
        assert RefundRequest.count() == 0 and RefundRequestEvent.count() == 0
        assert Transfer.count(rsql="key=starts=refund-") == 0
    assert posted(ledger_app, r.carol, r.vouchers) == [(10_000, 10_000), (500, 500)]
    with ledger_app.transaction():
        Account.update_where({"id": r.payout.id}, status=AccountStatus.ACTIVE.value)
    found = call(ledger_app, request_refund, r.carol.id, None)
    with ledger_app.transaction():
        Account.update_where({"id": r.payout.id}, status=AccountStatus.FROZEN.value)
    assert refused(ledger_app, approve_refund, found.id, "ok") == "ACCOUNT_FROZEN"
    with ledger_app.transaction():
        assert RefundRequest.query_by_id(found.id).status is RefundStatus.REQUESTED
        assert Transfer.count(rsql=f"key=starts=refund-{found.id}-") == 2
    check_stored_invariants(ledger_app)


@pytest.mark.parametrize("held, fee", [(75, 0), (84, 1), (750, 5), (1_750, 11), (1, 0)])
def test_the_fee_rounds_half_up_to_the_minor_unit(ledger_app: App, refunds: Refunds,
                                                  held: int, fee: int) -> None:
    r = refunds
    someone, _ = customer(ledger_app, r.chart, "gus", cash=held)
    found = call(ledger_app, request_refund, someone.id, None)
    assert (found.amount, found.fee) == (held, fee)
    call(ledger_app, approve_refund, found.id, "ok")
    assert posted(ledger_app, someone, r.payout, r.chart.fees) == [
        (0, 0), (held - fee, held - fee), (fee, fee)]


def test_a_fee_of_everything_releases_the_hold(ledger_app: App, refunds: Refunds) -> None:
    r = refunds
    with ledger_app.transaction():
        RefundPolicy.update_where({"id": r.policy.id}, fee_rate=Decimal(1))
    found = call(ledger_app, request_refund, r.carol.id, None)
    call(ledger_app, approve_refund, found.id, "ok")
    assert steps(ledger_app, found) == ["hold", "vouchers", "release", "fee"]
    assert posted(ledger_app, r.carol, r.payout, r.chart.fees) == [
        (0, 0), (0, 0), (10_000, 10_000)]
    with ledger_app.transaction():
        RefundPolicy.update_where({"id": r.policy.id}, fee_rate=Decimal("1.5"))
    call(ledger_app, submit, [request(r.chart, "top", r.chart.bank, r.carol, 10)])
    assert refused(ledger_app, request_refund, r.carol.id, None) == "REFUND_FEE_RATE_INVALID"


def test_the_log_records_who_and_why(ledger_app: App, refunds: Refunds) -> None:
    r = refunds
    with acting(Identity(user_id=7, login="carol")):
        found = call(ledger_app, request_refund, r.carol.id, "moving abroad")
    with acting(Identity(user_id=9, login="olga")):
        done = call(ledger_app, approve_refund, found.id, "identity checked")
    assert (done.requested_by, done.decided_by) == (7, 9)
    with ledger_app.transaction():
        events = RefundRequestEvent.query_list(request=found.id, sort="id")
    assert [(e.step, e.create_uid, e.reason) for e in events] == [
        (RefundStatus.REQUESTED, 7, "moving abroad"),
        (RefundStatus.APPROVED, 9, "identity checked")]
    assert events[1].create_date == done.decided_at


REQUEST = """mutation($a: Long!, $why: String) { refundRequestMutation {
  requestRefund(account: $a, reason: $why) { id status amount fee feeRate } } }"""
DECIDE = """mutation($r: Long!, $why: String!) { refundRequestMutation {
  approveRefund(request: $r, reason: $why) { status decisionReason } } }"""


def test_through_graphql(ledger_app: App, refunds: Refunds) -> None:
    r = refunds
    client = Client(ledger_app)
    made = client.gql(REQUEST, {"a": r.carol.id, "why": "leaving"}
                      ).ok()["refundRequestMutation"]["requestRefund"]
    assert (made["status"], made["amount"], made["fee"], Decimal(made["feeRate"])) == (
        "REQUESTED", "10000", "60", RATE)
    again = client.gql(REQUEST, {"a": r.carol.id})
    assert again.error["extensions"]["code"] == "REFUND_ALREADY_REQUESTED"
    forged = client.gql('mutation { refundRequestMutation { update(data: {id: "%s", '
                        'status: APPROVED}) { id } } }' % made["id"])
    assert forged.error["extensions"]["code"] == "FIELD_NOT_WRITABLE"
    done = client.gql(DECIDE, {"r": int(made["id"]), "why": "ok"}
                      ).ok()["refundRequestMutation"]["approveRefund"]
    assert done == {"status": "APPROVED", "decisionReason": "ok"}
    assert posted(ledger_app, r.carol, r.payout) == [(0, 0), (9_940, 9_940)]


def test_simultaneous_requests_and_decisions_apply_once(make_app: Callable[..., App]
                                                        ) -> None:
    app = make_app(["account"], pool_size=6, pool_pre_ping=False)
    with app.activate():
        chart = make_chart(app)
        carol, _ = customer(app, chart, "carol", cash=1_000)
        with app.transaction():
            payout = Account(ledger=chart.ledger.id, code="payout",
                             kind=AccountKind.SUSPENSE).create()
            RefundPolicy(ledger=chart.ledger.id, fee_rate=RATE, fee_account=chart.fees.id,
                         payout_account=payout.id).create()

    def attempt(fn: Callable[..., Any], *args: Any) -> Callable[[int], str]:
        def work(thread: int) -> str:
            with app.activate():
                try:
                    call(app, fn, *args)
                except DataError as error:
                    return error.code
                return "ok"
        return work

    codes = run_threads(4, attempt(request_refund, carol.id, None))
    assert sorted(codes) == ["REFUND_ALREADY_REQUESTED"] * 3 + ["ok"]
    with app.activate(), app.transaction():
        found = RefundRequest.query_one(account=carol.id)
    decide = [attempt(approve_refund, found.id, "ok"), attempt(reject_refund, found.id, "no")]
    codes = run_threads(4, lambda k: decide[k % 2](k))
    assert sorted(codes) == ["REFUND_ALREADY_DECIDED"] * 3 + ["ok"]
    with app.activate():
        check_stored_invariants(app)
        with app.transaction():
            assert RefundRequestEvent.count(request=found.id) == 2


@given(held=st.integers(1, 2**63 - 1), units=st.integers(0, 10**6))
def test_the_fee_rule(held: int, units: int) -> None:
    rate = Decimal(units).scaleb(-6)
    fee = refund_fee(held, rate)
    exact = Fraction(held) * Fraction(units, 10**6)
    assert fee == int(exact + Fraction(1, 2))  # half up (exact is never negative)
    assert 0 <= fee <= held


@ON_A_DATABASE
@given(held=st.integers(1, 10**12), units=st.integers(0, 10**6), vouchers=st.integers(0, 99))
def test_any_balance_and_rate_pays_out_exactly_what_was_held(
        ledger_app: App, refunds: Refunds, held: int, units: int, vouchers: int) -> None:
    r = refunds
    rate = Decimal(units).scaleb(-6)
    with ledger_app.transaction():
        RefundPolicy.update_where({"id": r.policy.id}, fee_rate=rate)
    owner = f"h{next(EXAMPLES)}"
    someone, vouchers_account = customer(ledger_app, r.chart, owner, held, vouchers)
    before = posted(ledger_app, r.payout, r.chart.fees, r.sink)
    found = call(ledger_app, request_refund, someone.id, None)
    assert (found.amount, found.fee, found.vouchers_cleared) == (
        held, refund_fee(held, rate), vouchers)
    call(ledger_app, approve_refund, found.id, "ok")
    after = posted(ledger_app, r.payout, r.chart.fees, r.sink)
    payout, fee, sunk = (a[0] - b[0] for a, b in zip(after, before))
    assert (payout + fee, fee, sunk) == (held, found.fee, vouchers)
    assert posted(ledger_app, someone, vouchers_account) == [(0, 0), (0, 0)]


EXAMPLES = itertools.count()
