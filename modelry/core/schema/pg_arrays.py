"""Values in PostgreSQL's array syntax (`{1,NULL,"a\\"b"}`), sent as one text parameter
and cast by the server: psycopg's list dumper checks every element with a regular
expression, which cost more than the statement itself at a hundred values."""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

NUMBERS = frozenset({int, float, decimal.Decimal})
INTEGERS = frozenset({int, type(None)})
TEXTS = frozenset({str, type(None)})
BOOLEANS = frozenset({bool, type(None)})
PLAIN_TEXT = frozenset({dt.datetime, dt.date, dt.time, type(None)})  # isoformat()


def array_text(values: list[Any]) -> str | None:
    """`values` in PostgreSQL's array syntax (texts quoted, NULL bare), or None when one
    has no plain text form here."""
    kinds = {type(value) for value in values}
    if kinds <= INTEGERS:
        return "{" + ",".join(["NULL" if v is None else str(v) for v in values]) + "}"
    if kinds <= TEXTS:
        return "{" + ",".join(["NULL" if v is None else '"' + v.replace(
            "\\", "\\\\").replace('"', '\\"') + '"' for v in values]) + "}"
    if kinds <= BOOLEANS:
        return "{" + ",".join(["NULL" if v is None else "t" if v else "f"
                               for v in values]) + "}"
    if kinds <= NUMBERS | {type(None)}:
        return "{" + ",".join(["NULL" if v is None else str(v) for v in values]) + "}"
    if kinds <= PLAIN_TEXT and not any(getattr(v, "tzinfo", None) for v in values):
        return "{" + ",".join(["NULL" if v is None else '"' + v.isoformat() + '"'
                               for v in values]) + "}"
    return None
