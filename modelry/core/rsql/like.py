"""LIKE patterns with every user character escaped, portable to SQLite, PostgreSQL, MariaDB.

The escape character is `/` (not backslash, which MySQL string literals also treat as
an escape), always named with an explicit ESCAPE clause.
"""
from __future__ import annotations

ESCAPE = "/"


def escape_like(text: str) -> str:
    """`text` with `/`, `%` and `_` escaped so LIKE matches them literally."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def wildcard_pattern(text: str, wildcards: tuple[int, ...]) -> str:
    """A LIKE pattern where the `*` at `wildcards` become `%` and the rest is literal."""
    pieces: list[str] = []
    start = 0
    for index in wildcards:
        pieces.append(escape_like(text[start:index]))
        pieces.append("%")
        start = index + 1
    pieces.append(escape_like(text[start:]))
    return "".join(pieces)


def contains(text: str, wildcards: tuple[int, ...] = ()) -> str:
    """Pattern for `=like=` (contains); an unquoted `*` in `text` matches any run."""
    return f"%{wildcard_pattern(text, wildcards)}%"


def starts(text: str, wildcards: tuple[int, ...] = ()) -> str:
    """Pattern for `=starts=`; an unquoted `*` in `text` matches any run."""
    return f"{wildcard_pattern(text, wildcards)}%"


def ends(text: str, wildcards: tuple[int, ...] = ()) -> str:
    """Pattern for `=ends=`; an unquoted `*` in `text` matches any run."""
    return f"%{wildcard_pattern(text, wildcards)}"
