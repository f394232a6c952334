"""Pre-flight: every candidate must return the same rows for every operation before timing.

Each operation is asked anonymously and, when the candidates' `Authorization` headers are
given, with a bearer token; each twice (the answers must agree: a cold and a cached path).
Also reads `X-SQL-Statements` from the second answer, and warns when modelry's `data` is not
byte-for-byte the hand-written endpoint's (same rows, other JSON types or key order).
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

import load
from normalize import AnswerError, first_difference, rows
from queries import Operation

CHECK_ITEM_ID, CHECK_TAG_NAME = 77, "t-check"


class MismatchError(Exception):
    """Two candidates returned different rows for the same operation."""


@dataclass
class Answer:
    """One candidate's answer to one operation."""

    body: Any
    statements: str  # from X-SQL-Statements, "n/a" when absent


ANONYMOUS, TOKEN = "anon", "token"
Cell = tuple[str, str, str]  # (operation, ANONYMOUS or TOKEN, candidate)


@dataclass
class CheckReport:
    """Statements per request, and the candidates whose answer was wrong, per cell."""

    statements: dict[Cell, str] = field(default_factory=dict)
    failed: dict[Cell, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def post(url: str, body: str, timeout: float = 30, authorization: str | None = None) -> Answer:
    """POST `body` as JSON; the decoded answer (also for HTTP errors) and its statement count."""
    headers = {"Content-Type": "application/json"}
    if authorization:
        headers["Authorization"] = authorization
    request = urllib.request.Request(url, body.encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            payload, headers = response.read(), response.headers
    except urllib.error.HTTPError as error:
        payload, headers = error.read(), error.headers
    try:
        decoded = json.loads(payload)
    except ValueError:
        decoded = {"errors": [{"message": payload[:300].decode(errors="replace")}]}
    return Answer(decoded, headers.get("X-SQL-Statements", "n/a"))


def check(operations: list[Operation], urls: dict[str, str], keep_going: bool,
          authorizations: dict[str, str] | None = None) -> CheckReport:
    """Ask every candidate (in `urls` order; the first is the reference) every operation,
    anonymously, then with its `authorizations` header when given.

    Raises MismatchError on the first difference, unless `keep_going`: then the
    cell is only marked failed for that candidate, and not timed.
    """
    report = CheckReport()
    for operation in operations:
        _check_operation(report, operation, urls, keep_going, ANONYMOUS, {})
        if authorizations:
            _check_operation(report, operation, urls, keep_going, TOKEN, authorizations)
    return report


def _check_operation(report: CheckReport, operation: Operation, urls: dict[str, str],
                     keep_going: bool, auth: str, authorizations: dict[str, str]) -> None:
    expected: tuple[str, dict] | None = None
    answers: dict[str, Answer] = {}
    for candidate, url in urls.items():
        template = operation.body(candidate)
        if template is None:
            continue
        cell = (operation.name, auth, candidate)
        body = load.fill(template, CHECK_ITEM_ID, CHECK_TAG_NAME)
        # Twice: a first request may fill caches (plans, rights, the identity) and take
        # another path than the ones timed; the second tells the statements per request.
        header = authorizations.get(candidate)
        first = post(url, body, authorization=header)
        answer = post(url, body, authorization=header)
        answers[candidate] = answer
        report.statements[cell] = answer.statements
        try:
            found = rows(operation, candidate, answer.body)
            difference = first_difference(rows(operation, candidate, first.body), found)
            if difference:
                raise AnswerError(f"{candidate}'s second answer to {operation.name} ({auth}) "
                                  f"differs from its first {difference}")
        except AnswerError as error:
            _fail(report, cell, f"{error} [{auth}]", keep_going)
            continue
        if expected is None:
            expected = (candidate, found)
            continue
        difference = first_difference(expected[1], found)
        if difference:
            message = (f"{operation.name} ({operation.title}, {auth}): {candidate} differs "
                       f"from {expected[0]} {difference}")
            _fail(report, cell, message, keep_going)
    _compare_raw(report, operation, auth, answers)


def _fail(report: CheckReport, cell: Cell, message: str, keep_going: bool) -> None:
    if not keep_going:
        raise MismatchError(message)
    report.failed[cell] = message
    print(f"MISMATCH {message}")


def _compare_raw(report: CheckReport, operation: Operation, auth: str,
                 answers: dict[str, Answer]) -> None:
    """modelry's `data` should be exactly the hand-written endpoint's (but created ids)."""
    if operation.volatile or not {"modelry", "baseline"} <= set(answers):
        return
    if {(operation.name, auth, "modelry"), (operation.name, auth, "baseline")} \
            & set(report.failed):
        return
    difference = first_difference(answers["baseline"].body.get("data"),
                                  answers["modelry"].body.get("data"), "data")
    if difference:
        report.warnings.append(f"{operation.name} ({auth}): modelry's JSON is not the hand-written "
                               f"endpoint's {difference}")
