"""Unexpected failures of a request: what the client is told, and one bounded log entry.

A client never sees a stack trace or SQL. The server log names the error's class and its
message cut to MESSAGE_CHARACTERS, then the innermost TRACE_FRAMES frames; never
SQLAlchemy's statement and parameters (a hostile filter's SQL runs to hundreds of KB).
A database refusing a statement as nested too deep for it is the client's doing:
QUERY_TOO_COMPLEX, logged as a warning.
"""
from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

log = logging.getLogger("modelry.graphql")
MESSAGE_CHARACTERS = 500
TRACE_FRAMES = 12
TOO_COMPLEX = (                      # database messages for "nested beyond my limits"
    "parser stack overflow",         # SQLite
    "expression tree is too large",  # SQLite
    "stack depth limit exceeded",    # PostgreSQL (54001)
    "too high level of nesting",     # MySQL/MariaDB (1473)
    "thread stack overrun",          # MySQL/MariaDB (1436)
)


@dataclass(frozen=True)
class Failure:
    """What the client is told about an unexpected error."""

    code: str
    message: str


def report_unexpected(error: BaseException, path: Any) -> Failure:
    """Log `error` (bounded, without SQL) and return what the client is told."""
    summary = describe(error)
    if _too_complex(error):
        log.warning("query too complex for the database at %s: %s", path, summary)
        return Failure("QUERY_TOO_COMPLEX", "the database refused the query as nested too "
                       "deep: use shorter relation paths or fewer nested parentheses")
    log.error("unexpected error at %s: %s\n%s", path, summary, innermost_frames(error))
    return Failure("INTERNAL_ERROR", "internal error (logged on the server)")


def describe(error: BaseException) -> str:
    """`module.Class: message`, cut short; a database error gives its driver's error
    class and message instead of SQLAlchemy's text with the statement."""
    message = str(error)
    original = getattr(error, "orig", None) if isinstance(error, sa.exc.StatementError) \
        else None
    if original is not None:
        message = f"({_class_name(original)}) {original}"
    if len(message) > MESSAGE_CHARACTERS:
        message = f"{message[:MESSAGE_CHARACTERS]}… ({len(message)} characters)"
    return f"{_class_name(error)}: {message}"


def innermost_frames(error: BaseException) -> str:
    """The last TRACE_FRAMES frames of `error`'s traceback, formatted (no message)."""
    frames = traceback.extract_tb(error.__traceback__)
    skipped = len(frames) - TRACE_FRAMES
    shown = traceback.StackSummary.from_list(frames[-TRACE_FRAMES:]).format()
    head = [f"  ... {skipped} outer frames left out\n"] if skipped > 0 else []
    return "".join(head + shown).rstrip("\n")


def _class_name(error: BaseException) -> str:
    kind = type(error)
    return kind.__qualname__ if kind.__module__ == "builtins" \
        else f"{kind.__module__}.{kind.__qualname__}"


def _too_complex(error: BaseException) -> bool:
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).lower()
    return isinstance(error, sa.exc.DBAPIError) and any(mark in text for mark in TOO_COMPLEX)
