"""Count SQL statements per request (reported as the `X-SQL-Statements` header)."""
from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Any, Iterator

import sqlalchemy as sa

_count: ContextVar[list[int] | None] = ContextVar("modelry_statement_count", default=None)


def install(engine: sa.Engine) -> None:
    """Count every statement `engine` runs while a counter is open in the task."""
    if getattr(engine, "_modelry_counting", False):
        return

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _counted(*_: Any) -> None:
        counter = _count.get()
        if counter is not None:
            counter[0] += 1

    engine._modelry_counting = True  # type: ignore[attr-defined]


@contextlib.contextmanager
def counting() -> Iterator[list[int]]:
    """`with counting() as n:` … `n[0]` statements ran inside."""
    counter = [0]
    token = _count.set(counter)
    try:
        yield counter
    finally:
        _count.reset(token)

