"""SQLAlchemy's cache of compiled statements, bounded by the bytes of SQL it holds.

SQLAlchemy keeps the last 500 compiled statements of an engine, whatever their size.
Every new shape of filter a client sends (RSQL trees, `=in=` lists, relation paths,
selections) compiles to a new statement, and a long one keeps tens of kilobytes alive
(its SQL, its bind parameters, its element tree): a client sending long unique filters
grew the server by tens of megabytes. This cache weighs a statement by the length of its
SQL, keeps at most `max_bytes` of it, and compiles longer statements every time.
"""
from __future__ import annotations

from typing import Any, Hashable

from modelry.core.lru import LRU

STATEMENTS = 500  # as SQLAlchemy's default query_cache_size
MAX_BYTES = 128_000
MAX_STATEMENT_BYTES = 32_000


class StatementCache:
    """A `compiled_cache` for SQLAlchemy (its execution option): `get` and item assignment."""

    def __init__(self, capacity: int = STATEMENTS, max_bytes: int = MAX_BYTES,
                 max_statement_bytes: int = MAX_STATEMENT_BYTES) -> None:
        self.statements: LRU[Any] = LRU(capacity, max_bytes, max_statement_bytes)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The compiled statement of `key`, or `default`."""
        return self.statements.get(key, default)

    def __setitem__(self, key: Hashable, compiled: Any) -> None:
        self.statements.put(key, compiled, len(getattr(compiled, "string", "") or ""))

    def __len__(self) -> int:
        return len(self.statements)

    def clear(self) -> None:
        """Forget every statement (`Engine.clear_compiled_cache` calls this)."""
        self.statements.clear()
