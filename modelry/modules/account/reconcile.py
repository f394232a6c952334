"""Reconciling a ledger with a statement from outside it (a bank's, a payment provider's).

Each statement line is paired with at most one transfer and each transfer with at most one
line, in two passes, the way bank-reconciliation systems match (a shared reference first,
as Stripe's reconciliation pairs records by a reference key both sides hold; then amount
and value date within a tolerance window, as bank matching rules do):

1. By reference. A line whose `reference` is the `key` of a transfer of the ledger is paired
   with it, whatever their dates (a provider may settle days later). A reference naming a
   hold stands for the hold's post (a provider reports a capture under its charge's id). If
   the amounts differ the pair is `mismatched`, else `matched` (rule REFERENCE).
2. By amount and date. Each line still unpaired, earliest first (then in statement order),
   is paired with the unpaired transfer of the same amount nearest its date and at most one
   day from it (ties: the lower transfer id); `matched`, rule AMOUNT_DATE.

A line naming an `account` pairs only with a transfer that debits or credits that account.
What is left over is reported: `missing`, lines no transfer stands for (money the statement
shows and the ledger does not); `unexpected`, transfers of the period no line stands for
(money the ledger shows and the statement does not). The period is `since` to `until` when
given, else the statement's first date minus a day to its last date plus a day (the
window of pass 2); when lines name accounts, only transfers touching those accounts are
expected on the statement.

Only postings count: plain transfers and the posts of holds, by the amount they posted
(`amount_posted`); a hold only reserves and a void moves nothing. Amounts are compared
without sign: a statement's sign depends on whose side it is written from. The report
ends, as Formance's balance reconciliation does, with the totals of both sides, their
drift and a status, OK when every line and transfer is matched.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from modelry import DataError, Model, fields, function
from modelry.modules.account.models import Ledger, Transfer
from modelry.modules.account.store import ledger_key

MAX_LINES = 8_000
WINDOW = dt.timedelta(days=1)
REFERENCE, AMOUNT_DATE = "REFERENCE", "AMOUNT_DATE"


class ReconcileLine(Model, model="account.ReconcileLine", kind="transient"):
    """One line of an outside statement: an amount in the ledger's minor units, when it
    moved, the reference the other side gave it, and optionally the account it concerns."""

    amount = fields.BigInteger(help="minor units; the sign is ignored")
    date = fields.DateTime(help="when the money moved (naive UTC)")
    reference = fields.String(size=64, help="the transfer's key, when the other side has it")
    account = fields.BigInteger(help="the ledger account the line concerns (an id)")


class ReconcileItem(Model, model="account.ReconcileItem", kind="transient"):
    """A line and the transfer paired with it, or a line alone (missing), or a transfer
    alone (unexpected)."""

    report = fields.ManyToOne("account.ReconcileReport")
    line = fields.Integer(help="the line's position in the statement, from 0")
    reference = fields.String(size=64)
    line_amount = fields.BigInteger()
    line_date = fields.DateTime()
    transfer = fields.BigInteger(help="the transfer's id")
    key = fields.String(size=64, help="the transfer's key")
    amount = fields.BigInteger(help="what the transfer posted")
    date = fields.DateTime(help="when the transfer was written")
    rule = fields.String(size=16, help="how the pair was made: REFERENCE or AMOUNT_DATE")


class ReconcileReport(Model, model="account.ReconcileReport", kind="transient"):
    """What `reconcile` found."""

    ledger = fields.String(size=32)
    since = fields.DateTime()
    until = fields.DateTime()
    matched = fields.OneToMany("account.ReconcileItem", inverse="report")
    mismatched = fields.OneToMany("account.ReconcileItem", inverse="report",
                                  help="paired by reference, with another amount")
    missing = fields.OneToMany("account.ReconcileItem", inverse="report")
    unexpected = fields.OneToMany("account.ReconcileItem", inverse="report")
    statement_total = fields.BigInteger(help="the lines' amounts, added without sign")
    ledger_total = fields.BigInteger(help="what the paired and unexpected transfers posted")
    drift = fields.BigInteger(help="|statement_total - ledger_total|")
    status = fields.String(size=8, help="OK when all is matched, else NOT_OK")


@function(open_level="API", type="QUERY", namespace="account.Transfer")
def reconcile(ledger: str, statement_lines: list[ReconcileLine],
              since: dt.datetime | None = None,
              until: dt.datetime | None = None) -> ReconcileReport:
    """Pair a statement's lines with the ledger's transfers: by reference (the transfer's
    key), then by amount and date within a day; report what matched, what differs in
    amount, the lines missing from the ledger and the transfers unexpected in the period."""
    book = Ledger.query_one(code=ledger)
    if book is None:
        raise DataError(f"account.Ledger: no ledger with code {ledger!r}",
                        code="LEDGER_NOT_FOUND", model="account.Ledger", field="code")
    lines = _lines(statement_lines)
    since, until = _period(lines, since, until)
    accounts = {line.account for line in lines if line.account is not None}
    by_reference = _referenced(book.id, {line.reference for line in lines if line.reference})
    in_period = [t for t in _postings(book.id, since, until)
                 if not accounts or _touches(t, accounts)]
    paired: dict[int, tuple[Any, str]] = {}   # line index → (transfer, rule)
    used: set[int] = set()
    for line in lines:
        transfer = by_reference.get(line.reference or "")
        if transfer is not None and transfer.id not in used and _allowed(transfer, line):
            paired[line.index] = (transfer, REFERENCE)
            used.add(transfer.id)
    by_amount: dict[int, list[Any]] = defaultdict(list)
    for transfer in in_period:
        by_amount[transfer.amount_posted].append(transfer)
    for line in sorted(lines, key=lambda line: (line.date, line.index)):
        if line.index in paired:
            continue
        candidates = [t for t in by_amount.get(line.amount, ()) if t.id not in used
                      and abs(t.create_date - line.date) <= WINDOW and _allowed(t, line)]
        if candidates:
            nearest = min(candidates, key=lambda t: (abs(t.create_date - line.date), t.id))
            paired[line.index] = (nearest, AMOUNT_DATE)
            used.add(nearest.id)
    return _report(book.code, since, until, lines, paired,
                   [t for t in in_period if t.id not in used])


@dataclass
class _Line:
    """A statement line as the passes read it: position, unsigned amount, naive UTC date."""

    index: int
    amount: int
    date: dt.datetime
    reference: str | None
    account: int | None


def _lines(sent: Sequence[Any]) -> list[_Line]:
    """The lines as sent (records or dicts); an error naming the line when one lacks its
    amount or date."""
    if len(sent) > MAX_LINES:
        raise DataError(f"account.Transfer.reconcile: {len(sent)} statement lines; at most "
                        f"{MAX_LINES}", code="BATCH_TOO_LARGE", model="account.ReconcileLine")
    lines = []
    for index, item in enumerate(sent):
        value = item.get if isinstance(item, dict) else lambda name, i=item: getattr(i, name)
        amount, date = value("amount"), _naive(value("date"))
        for name, given in (("amount", amount), ("date", date)):
            if given is None:
                raise DataError(f"account.ReconcileLine: line {index} has no {name}",
                                code="BAD_LINE", model="account.ReconcileLine", field=name)
        account = value("account")
        lines.append(_Line(index, abs(int(amount)), date, value("reference") or None,
                           None if account is None else int(account)))
    return lines


def _naive(value: Any) -> dt.datetime | None:
    """A datetime as modelry stores it (naive UTC); a date is its midnight."""
    if value is None or isinstance(value, dt.datetime):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return dt.datetime.combine(value, dt.time())


def _period(lines: list[_Line], since: dt.datetime | None, until: dt.datetime | None
            ) -> tuple[dt.datetime | None, dt.datetime | None]:
    """`since`..`until` (inclusive), each defaulting to the lines' span widened by a day
    (None, open, when there are no lines)."""
    dates = [line.date for line in lines]
    since = _naive(since) or (min(dates) - WINDOW if dates else None)
    until = _naive(until) or (max(dates) + WINDOW if dates else None)
    return since, until


def _postings(ledger: int, since: dt.datetime | None, until: dt.datetime | None) -> list[Any]:
    """The ledger's postings written in the period (none when it is open at both ends)."""
    if since is None and until is None:
        return []
    bounds = {"create_date__ge": since} if since is not None else {}
    if until is not None:
        bounds["create_date__le"] = until
    return Transfer.query_list(ledger=ledger, pending=False, amount_posted__gt=0,
                               sort="create_date", **bounds)


def _referenced(ledger: int, references: set[str]) -> dict[str, Any]:
    """reference → the posting it names: a transfer with that key, or a hold's post."""
    if not references:
        return {}
    found = Transfer.query_list(ledger_key__in=sorted(ledger_key(ledger, r) for r in references))
    postings = {t.key: t for t in found if not t.pending and (t.amount_posted or 0) > 0}
    holds = {t.id: t.key for t in found if t.pending}
    if holds:
        for post in Transfer.query_list(pending_transfer__in=sorted(holds), post_pending=True):
            postings.setdefault(holds[post.pending_transfer_id], post)
    return postings


def _touches(transfer: Any, accounts: set[int]) -> bool:
    return transfer.debit_account_id in accounts or transfer.credit_account_id in accounts


def _allowed(transfer: Any, line: _Line) -> bool:
    """A line naming an account pairs only with transfers on that account."""
    return line.account is None or _touches(transfer, {line.account})


def _report(ledger: str, since: dt.datetime | None, until: dt.datetime | None,
            lines: list[_Line],
            paired: dict[int, tuple[Any, str]], unexpected: list[Any]) -> ReconcileReport:
    matched, mismatched, missing = [], [], []
    for line in lines:
        if line.index not in paired:
            missing.append(_item(line, None, None))
            continue
        transfer, rule = paired[line.index]
        same = transfer.amount_posted == line.amount
        (matched if same else mismatched).append(_item(line, transfer, rule))
    unexpected_items = [_item(None, transfer, None) for transfer in unexpected]
    statement_total = sum(line.amount for line in lines)
    ledger_total = sum(t.amount_posted for t, _ in paired.values()) + \
        sum(t.amount_posted for t in unexpected)
    report = ReconcileReport(
        ledger=ledger, since=since, until=until, statement_total=statement_total,
        ledger_total=ledger_total, drift=abs(statement_total - ledger_total),
        status="OK" if not (mismatched or missing or unexpected_items) else "NOT_OK")
    report.matched, report.mismatched = matched, mismatched
    report.missing, report.unexpected = missing, unexpected_items
    return report


def _item(line: _Line | None, transfer: Any, rule: str | None) -> ReconcileItem:
    item = ReconcileItem(rule=rule)
    if line is not None:
        item.line, item.reference = line.index, line.reference
        item.line_amount, item.line_date = line.amount, line.date
    if transfer is not None:
        item.transfer, item.key = transfer.id, transfer.key
        item.amount, item.date = transfer.amount_posted, transfer.create_date
    return item
