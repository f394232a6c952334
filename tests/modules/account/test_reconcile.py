"""`reconcile`: statement lines paired with transfers by reference (the key; a hold's key
stands for its post) whatever the dates, then by amount and the nearest date within a day;
what is left is missing (lines) or unexpected (transfers of the period); a reference pair
with another amount is mismatched; a line naming an account pairs only on that account."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from modelry import DataError
from modelry.boot import App
from modelry.modules.account import codes as C
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Transfer
from modelry.modules.account.reconcile import reconcile
from tests.functions.helpers import Client
from tests.modules.account.conftest import Chart
from tests.modules.account.stored import request

DAY = dt.timedelta(days=1)


def moved(app: App, chart: Chart) -> dict[str, Any]:
    """A day of the ledger: two recharges from the bank, a hold posted in part, a hold
    voided, a payment between customers; the transfers by key."""
    c = chart
    with app.transaction():
        assert [r.code for r in submit([
            request(c, "r1", c.bank, c.alice, 10_000, kind="RECHARGE"),
            request(c, "r2", c.bank, c.bob, 5_000, kind="RECHARGE"),
            request(c, "h1", c.alice, c.shop, 3_000, pending=True),
            request(c, "h2", c.alice, c.shop, 1_000, pending=True),
            request(c, "t1", c.alice, c.bob, 700)])] == [C.OK] * 5
        assert [r.code for r in submit([
            request(c, "p1", post_pending=True, pending_key="h1", amount=2_500),
            request(c, "v2", void_pending=True, pending_key="h2")])] == [C.OK] * 2
        return {t.key: t for t in Transfer.query_list()}


def backdate(app: App, key: str, when: dt.datetime) -> None:
    """Set when transfer `key` was written (as if it were older)."""
    table = app.metadata.tables["account_transfer"]
    with app.engine.begin() as connection:
        connection.execute(table.update().where(table.c.key == key).values(create_date=when))


def line(amount: int, date: dt.datetime, reference: str | None = None,
         account: Any = None) -> dict[str, Any]:
    """A statement line as a Python caller sends it."""
    return {"amount": amount, "date": date, "reference": reference,
            "account": getattr(account, "id", account)}


def pairs(items: list[Any]) -> list[tuple[Any, ...]]:
    """(line, key, rule) of each item."""
    return [(item.line, item.key, item.rule) for item in items]


def test_the_bank_statement_pairs_by_reference_then_amount_and_date(ledger_app: App,
                                                                    chart: Chart) -> None:
    transfers = moved(ledger_app, chart)
    now = transfers["r1"].create_date
    with ledger_app.transaction():
        assert [r.code for r in submit([request(chart, "r3", chart.bank, chart.bob, 1_234)])] \
            == [C.OK]
        report = reconcile("EUR", [
            line(10_000, now, "r1", chart.bank),                   # its key
            line(-5_000, now + dt.timedelta(hours=20), "DEP-778", chart.bank),  # amount, date
            line(999, now, "DEP-779", chart.bank)])                # nothing stands for it
    assert pairs(report.matched) == [(0, "r1", "REFERENCE"), (1, "r2", "AMOUNT_DATE")]
    assert [(i.line, i.line_amount, i.amount) for i in report.matched] == \
        [(0, 10_000, 10_000), (1, 5_000, 5_000)]
    assert [(i.line, i.reference, i.transfer) for i in report.missing] == [(2, "DEP-779", None)]
    # on the bank's statement only the bank's transfers are expected: r3, not the payments
    assert [(i.key, i.amount, i.line) for i in report.unexpected] == [("r3", 1_234, None)]
    assert report.mismatched == []
    assert (report.statement_total, report.ledger_total, report.drift, report.status) == \
        (15_999, 16_234, 235, "NOT_OK")
    assert (report.since, report.until) == (now - dt.timedelta(days=1),
                                            now + dt.timedelta(hours=20, days=1))


def test_a_hold_is_named_by_its_post_and_another_amount_is_a_mismatch(ledger_app: App,
                                                                      chart: Chart) -> None:
    transfers = moved(ledger_app, chart)
    now = transfers["r1"].create_date
    with ledger_app.transaction():
        report = reconcile("EUR", [line(2_500, now, "h1"), line(800, now, "t1"),
                                   line(10_000, now, "r1"), line(5_000, now, "r2")])
    assert pairs(report.matched) == [(0, "p1", "REFERENCE"), (2, "r1", "REFERENCE"),
                                     (3, "r2", "REFERENCE")]
    assert [(i.line, i.key, i.line_amount, i.amount, i.rule) for i in report.mismatched] == \
        [(1, "t1", 800, 700, "REFERENCE")]
    # holds reserve and voids release: neither moved money, neither is expected
    assert (report.missing, report.unexpected, report.status) == ([], [], "NOT_OK")
    with ledger_app.transaction():
        clean = reconcile("EUR", [line(2_500, now, "h1"), line(700, now, "t1"),
                                  line(10_000, now, "r1"), line(5_000, now, "r2")])
    assert (clean.status, clean.drift, len(clean.matched)) == ("OK", 0, 4)


def test_the_date_window_is_a_day_and_the_nearest_transfer_wins(ledger_app: App,
                                                                chart: Chart) -> None:
    c = chart
    transfers = moved(ledger_app, chart)
    now = transfers["r1"].create_date
    with ledger_app.transaction():
        submit([request(c, "a", c.bank, c.shop, 500), request(c, "b", c.bank, c.shop, 500),
                request(c, "old", c.bank, c.fees, 42)])
    backdate(ledger_app, "a", now - dt.timedelta(hours=10))
    backdate(ledger_app, "b", now + dt.timedelta(hours=2))
    backdate(ledger_app, "old", now - 3 * DAY)
    with ledger_app.transaction():
        report = reconcile("EUR", [line(500, now, account=c.shop),
                                   line(42, now, account=c.fees)], since=now - 4 * DAY)
        by_key = reconcile("EUR", [line(42, now, "old")])    # a reference: any date
        twice = reconcile("EUR", [line(500, now, account=c.shop),
                                  line(500, now, account=c.shop)])
    assert pairs(report.matched) == [(0, "b", "AMOUNT_DATE")]  # 2 hours off, not 10
    assert [i.line for i in report.missing] == [1]              # 3 days off
    assert {i.key for i in report.unexpected} == {"a", "old", "p1"}   # shop & fees only
    assert pairs(by_key.matched) == [(0, "old", "REFERENCE")]
    assert pairs(twice.matched) == [(0, "b", "AMOUNT_DATE"), (1, "a", "AMOUNT_DATE")]


def test_an_account_on_a_line_keeps_its_pair_on_that_account(ledger_app: App,
                                                             chart: Chart) -> None:
    transfers = moved(ledger_app, chart)
    now = transfers["r1"].create_date
    with ledger_app.transaction():
        report = reconcile("EUR", [line(10_000, now, "r1", chart.fees),
                                   line(700, now, account=chart.shop)])
    assert report.matched == [] and [i.line for i in report.missing] == [0, 1]
    assert {i.key for i in report.unexpected} == {"p1"}     # the shop's and fees' postings


def test_bad_input_is_refused_naming_it(ledger_app: App, chart: Chart) -> None:
    with ledger_app.transaction():
        with pytest.raises(DataError) as unknown:
            reconcile("XXX", [])
        with pytest.raises(DataError) as undated:
            reconcile("EUR", [line(5, None)])
        empty = reconcile("EUR", [])
    assert (unknown.value.code, unknown.value.model) == ("LEDGER_NOT_FOUND", "account.Ledger")
    assert (undated.value.code, undated.value.field) == ("BAD_LINE", "date")
    assert (empty.status, empty.matched, empty.unexpected) == ("OK", [], [])


RECONCILE = """query($lines: [ReconcileLineInput!]!) { transferQuery {
  reconcile(ledger: "EUR", statementLines: $lines) {
    status drift matched { line key rule } mismatched { line key lineAmount amount }
    missing { line reference } unexpected { key amount } } } }"""


def test_reconcile_through_graphql(ledger_app: App, chart: Chart) -> None:
    transfers = moved(ledger_app, chart)
    now = transfers["r1"].create_date.isoformat()
    lines = [{"amount": "10000", "date": now, "reference": "r1"},
             {"amount": "4000", "date": now, "reference": "r2"},
             {"amount": "1", "date": now, "reference": "nope"}]
    report = Client(ledger_app).gql(RECONCILE, {"lines": lines}).ok()["transferQuery"][
        "reconcile"]
    assert report == {
        "status": "NOT_OK", "drift": "4199",
        "matched": [{"line": 0, "key": "r1", "rule": "REFERENCE"}],
        "mismatched": [{"line": 1, "key": "r2", "lineAmount": "4000", "amount": "5000"}],
        "missing": [{"line": 2, "reference": "nope"}],
        "unexpected": [{"key": "t1", "amount": "700"}, {"key": "p1", "amount": "2500"}]}
