"""Capture the SQL statements an engine sends (for statement-count assertions)."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


@contextlib.contextmanager
def statements(engine: sa.Engine, this_thread: bool = False) -> Iterator[list[str]]:
    """The SQL statements `engine` sends inside the block (transaction control left out);
    `this_thread`: only this thread's (a server thread of the same app may be busy)."""
    seen: list[str] = []
    mine = threading.get_ident()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if this_thread and threading.get_ident() != mine:
            return
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
