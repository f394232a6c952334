"""Candidates' JSON answers → comparable rows: the same keys, every scalar a string.

modelry and the hand-written endpoint answer modelry's shape (`queryPage.content`);
PostGraphile's documents alias its names to modelry's (queries.py), so only its
connections (`{nodes: [...]}`), single-field `row` wrappers and `totalCount` differ.
"""
from __future__ import annotations

import math
from typing import Any

from queries import Operation


class AnswerError(Exception):
    """A candidate answered with errors, or not in the expected shape."""


def plain(value: Any) -> Any:
    """Unwrap connections and `row` wrappers; scalars become strings, null stays None."""
    if isinstance(value, dict):
        if set(value) == {"nodes"}:
            return plain(value["nodes"])
        if set(value) == {"row"}:
            return plain(value["row"])
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def rows(operation: Operation, candidate: str, answer: Any) -> dict[str, Any]:
    """`{"rows": [...], "totals": {...}}` of `answer`, the candidate's whole JSON body."""
    if not isinstance(answer, dict) or answer.get("errors") or answer.get("data") is None:
        raise AnswerError(f"{candidate} answered {operation.name} with errors: {answer!r:.600}")
    extensions = answer.get("extensions")
    if isinstance(extensions, dict) and extensions.get("success") is False:
        raise AnswerError(f"{candidate} answered {operation.name} with success false: "
                          f"{answer!r:.600}")
    postgraphile = candidate == "postgraphile"
    value = answer["data"]
    for key in operation.postgraphile_path if postgraphile else operation.modelry_path:
        if not isinstance(value, dict) or key not in value:
            raise AnswerError(f"{candidate}'s answer to {operation.name} has no {key!r}: "
                              f"{answer!r:.600}")
        value = value[key]
    totals: dict[str, Any] = {}
    if isinstance(value, dict) and "content" in value:  # modelry's page
        totals = {key: plain(item) for key, item in value.items() if key != "content"}
        value = value["content"]
    elif isinstance(value, dict) and "totalCount" in value:  # PostGraphile's counted page
        count = int(value["totalCount"])
        totals = {"totalElements": str(count),
                  "totalPages": str(math.ceil(count / operation.page_size))}
        value = value["nodes"]
    value = plain(value)
    found = [] if value is None else value if isinstance(value, list) else [value]
    return {"rows": [_without_volatile(operation, row) for row in found], "totals": totals}


def _without_volatile(operation: Operation, row: Any) -> Any:
    """Drop keys that differ per candidate (created ids), once they look right."""
    for key in operation.volatile:
        if not isinstance(row, dict) or not str(row.get(key, "")).isdigit():
            raise AnswerError(f"{operation.name}: {key!r} should be a numeric string in {row!r}")
        row = {name: value for name, value in row.items() if name != key}
    return row


def first_difference(expected: Any, found: Any, path: str = "") -> str | None:
    """Where `found` first differs from `expected` (None when they are equal)."""
    if isinstance(expected, dict) and isinstance(found, dict):
        if list(expected) != list(found):
            return f"at {path or '.'}: keys {list(expected)} != {list(found)}"
        for key in expected:
            difference = first_difference(expected[key], found[key], f"{path}.{key}")
            if difference:
                return difference
        return None
    if isinstance(expected, list) and isinstance(found, list):
        for index, (left, right) in enumerate(zip(expected, found)):
            difference = first_difference(left, right, f"{path}[{index}]")
            if difference:
                return difference
        if len(expected) != len(found):
            return f"at {path}: {len(expected)} items != {len(found)} items"
        return None
    if expected != found or type(expected) is not type(found):
        return f"at {path or '.'}: {expected!r} != {found!r}"
    return None
