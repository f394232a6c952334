"""The open transaction of the current thread or asyncio task (a context variable)."""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from modelry.core.scoped import setting


@dataclass
class Transaction:
    """A connection with an open transaction, owned by one data manager."""

    owner: Any
    connection: sa.Connection
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # model code → id → the savepoint it was seen in (None: the transaction itself): rows
    # this transaction locked or inserted, which no other transaction can delete before it
    # ends (core/data/references.py skips checking them)
    held: dict[str, dict[int, Any]] = field(default_factory=dict)

    def hold(self, model: str, ids: Iterable[int]) -> None:
        """Note rows of `model` that exist until this transaction (or the savepoint open
        now) ends."""
        savepoint = self.connection.get_nested_transaction()
        self.held.setdefault(model, {}).update(dict.fromkeys(ids, savepoint))

    def holds(self, model: str, key: int) -> bool:
        """Whether row `key` of `model` was noted, in a savepoint not rolled back since."""
        seen = self.held.get(model, {})
        if key not in seen:
            return False
        savepoint = seen[key]
        return savepoint is None or savepoint.is_active

    def run_after_commit(self) -> None:
        """Call the callbacks queued for after the commit (errors are logged, not raised)."""
        for callback in self.after_commit:
            try:
                callback()
            except Exception:  # noqa: BLE001 - the transaction has committed already
                logging.getLogger("modelry.data").exception("after-commit callback failed")


_current: ContextVar[Transaction | None] = ContextVar("modelry_transaction", default=None)
_nonblocking: ContextVar[bool] = ContextVar("modelry_nonblocking", default=False)


class WouldBlock(BaseException):
    """Raised where a blocking database call would start inside `nonblocking()`: the work
    belongs in a worker thread. A BaseException, so no `except Exception` degrades it."""


def nonblocking() -> setting[bool]:
    """Refuse (WouldBlock) every transaction opened inside: code running in an event loop."""
    return setting(_nonblocking, True)


def current() -> Transaction | None:
    """The transaction open in this thread/task, if any."""
    return _current.get()


def in_transaction() -> bool:
    """Whether a transaction is open in this thread/task."""
    return _current.get() is not None


def after_commit(callback: Callable[[], None]) -> None:
    """Call `callback` once the outermost open transaction commits (now when none is open);
    never when it rolls back."""
    active = _current.get()
    if active is None:
        callback()
    else:
        active.after_commit.append(callback)


@contextlib.contextmanager
def open_transaction(owner: Any, engine: sa.Engine,
                     readonly: bool = False) -> Iterator[sa.Connection]:
    """Open a transaction for `owner`, or a savepoint when one is already open for it.

    Commits on normal exit, rolls back when the block raises. `readonly` lets SQLite
    start a shared (not write-locking) transaction.
    """
    active = _current.get()
    if active is not None and active.owner is owner:
        with active.connection.begin_nested():
            yield active.connection
        return
    if _nonblocking.get():
        raise WouldBlock("a transaction in the event loop")
    connection = engine.connect()
    if readonly and engine.dialect.name == "postgresql":
        # READ COMMITTED reads gain nothing from BEGIN/COMMIT: save both round trips
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        autocommitted = Transaction(owner, connection)
        with connection:
            token = _current.set(autocommitted)
            try:
                yield connection
            finally:
                _current.reset(token)
        autocommitted.run_after_commit()
        return
    if readonly:
        connection = connection.execution_options(modelry_readonly=True)
    transaction = Transaction(owner, connection)
    with connection, connection.begin():
        token = _current.set(transaction)
        try:
            yield connection
        finally:
            _current.reset(token)
    transaction.run_after_commit()


def use_connection(owner: Any, engine: sa.Engine
                   ) -> contextlib.AbstractContextManager[sa.Connection]:
    """The connection of the open transaction, or a new transaction for this one call."""
    active = _current.get()
    if active is not None and active.owner is owner:
        return contextlib.nullcontext(active.connection)
    return open_transaction(owner, engine)


@contextlib.contextmanager
def bind(owner: Any, connection: sa.Connection) -> Iterator[sa.Connection]:
    """Make `owner`'s data calls in this task use `connection` (the caller owns its transaction)."""
    token = _current.set(Transaction(owner, connection))
    try:
        yield connection
    finally:
        _current.reset(token)
