"""`totals_by_kind`: a ledger's accounts added up per kind in one grouped statement, every
kind listed in the chart's order (zeros for a kind with no account), equal to the sums of
the accounts read one by one, other ledgers left out, posted balances adding up to 0."""
from __future__ import annotations

import pytest

from modelry import DataError
from modelry.boot import App
from modelry.modules.account import codes as C
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Account, AccountKind, Ledger
from modelry.modules.account.reports import BALANCES, totals_by_kind
from tests.functions.helpers import Client
from tests.modules.account.conftest import Chart
from tests.modules.account.stored import request
from tests.sql_capture import statements


def trade(app: App, chart: Chart) -> None:
    """Recharges, a hold still pending, a hold posted in part, a payment and its fee."""
    c = chart
    with app.transaction():
        assert [r.code for r in submit([
            request(c, "r1", c.bank, c.alice, 10_000, kind="RECHARGE"),
            request(c, "r2", c.bank, c.bob, 5_000, kind="RECHARGE"),
            request(c, "h1", c.alice, c.shop, 3_000, pending=True),
            request(c, "h2", c.bob, c.shop, 1_000, pending=True),
            request(c, "pay", c.alice, c.bob, 700, linked=True),
            request(c, "fee", c.alice, c.fees, 7, kind="FEE")])] == [C.OK] * 6
        assert [r.code for r in submit([
            request(c, "p1", post_pending=True, pending_key="h1", amount=2_500)])] == [C.OK]


def test_totals_per_kind_with_every_kind_listed(ledger_app: App, chart: Chart) -> None:
    trade(ledger_app, chart)
    with ledger_app.transaction():
        other = Ledger(code="USD", name="Dollars", currency="USD").create()
        Account(ledger=other.id, code="elsewhere", kind=AccountKind.REVENUE).create()
        totals = totals_by_kind("EUR")
    got = {t.kind: (t.accounts, t.debits_pending, t.debits_posted, t.credits_pending,
                    t.credits_posted, t.posted) for t in totals}
    assert [t.kind for t in totals] == list(AccountKind)        # the chart's order
    assert got == {
        AccountKind.CUSTOMER_CASH: (2, 1_000, 3_207, 0, 15_700, 12_493),  # alice and bob
        AccountKind.CUSTOMER_VOUCHER: (0, 0, 0, 0, 0, 0),
        AccountKind.MERCHANT: (1, 0, 0, 1_000, 2_500, 2_500),
        AccountKind.REVENUE: (0, 0, 0, 0, 0, 0),                 # USD's revenue: not EUR's
        AccountKind.FEE: (1, 0, 0, 0, 7, 7),
        AccountKind.RECEIVABLE: (0, 0, 0, 0, 0, 0),
        AccountKind.SUSPENSE: (1, 0, 15_000, 0, 0, -15_000)}
    assert sum(t.posted for t in totals) == 0                    # double entry


def test_the_totals_are_the_accounts_added_up_in_one_statement(ledger_app: App,
                                                              chart: Chart) -> None:
    trade(ledger_app, chart)
    with ledger_app.transaction():
        Account.insert_bulk([{"ledger": chart.ledger.id, "code": f"c{n}",
                              "kind": AccountKind.CUSTOMER_VOUCHER} for n in range(50)])
        by_hand = {kind: [0, 0, 0, 0, 0] for kind in AccountKind}
        for account in Account.query_list(ledger=chart.ledger.id):
            sums = by_hand[account.kind]
            sums[0] += 1
            for index, name in enumerate(BALANCES, start=1):
                sums[index] += getattr(account, name)
        with statements(ledger_app.engine) as sent:
            totals = totals_by_kind("EUR")
    assert len(sent) == 2                       # the ledger, then one GROUP BY
    assert {t.kind: [t.accounts, *(getattr(t, name) for name in BALANCES)]
            for t in totals} == by_hand
    assert by_hand[AccountKind.CUSTOMER_VOUCHER][0] == 50


def test_an_unknown_ledger_is_refused(ledger_app: App) -> None:
    with pytest.raises(DataError) as refused, ledger_app.transaction():
        totals_by_kind("XXX")
    assert (refused.value.code, refused.value.model) == ("LEDGER_NOT_FOUND", "account.Ledger")


def test_totals_by_kind_through_graphql(ledger_app: App, chart: Chart) -> None:
    trade(ledger_app, chart)
    answer = Client(ledger_app).gql('query { accountQuery { totalsByKind(ledger: "EUR") { '
                                    'kind accounts debitsPending creditsPosted posted } } }')
    rows = answer.ok()["accountQuery"]["totalsByKind"]
    assert [row["kind"] for row in rows] == [kind.value for kind in AccountKind]
    assert rows[0] == {"kind": "CUSTOMER_CASH", "accounts": 2, "debitsPending": "1000",
                       "creditsPosted": "15700", "posted": "12493"}
    assert rows[1] == {"kind": "CUSTOMER_VOUCHER", "accounts": 0, "debitsPending": "0",
                       "creditsPosted": "0", "posted": "0"}
