"""Group commit: concurrent calls in one process merged into one transaction.

A call made outside any transaction queues its items (inside one, it runs there, alone);
one caller (the leader) takes every call queued so far (up to `max_items` items), runs
`run` on them in one transaction, and hands each caller its share of the results; the
others sleep meanwhile. While it ran, new calls queued: the leader goes on until its own
call is done, then hands the lead to the oldest waiting caller. A burst of single-item
calls thus becomes a few large transactions (one lock cycle, one commit, one statement per
table), the way TigerBeetle batches a cluster's requests and databases group commits.

Calls merge only with calls of the same application, acting user and directives: the
transaction runs as the leader, so it must be what each caller would have run as. When
`run` raises for a group of several calls, each call runs again alone, so that one
caller's failure is only its own.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from modelry import directives
from modelry.core import context
from modelry.core.data import transaction

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class _Call(Generic[Item, Result]):
    """One caller's items, and what came of them."""

    items: list[Item]
    done: threading.Event = field(default_factory=threading.Event)
    results: list[Result] | None = None
    error: BaseException | None = None
    lead: bool = False  # woken to lead, not because its call is done


class GroupCommit(Generic[Item, Result]):
    """Merge concurrent calls of `run(groups) -> results per group` into one transaction
    (see the module's doc). Call it with one caller's items; it returns that caller's
    results, in order."""

    def __init__(self, run: Callable[[list[list[Item]]], Sequence[Sequence[Result]]],
                 max_items: int) -> None:
        self.run = run
        self.max_items = max_items
        self._lock = threading.Lock()
        self._queues: dict[Any, list[_Call[Item, Result]]] = {}
        self._leading: set[Any] = set()

    def __call__(self, items: Sequence[Item]) -> list[Result]:
        if transaction.current() is not None:  # inside a transaction: part of it, alone
            return list(self.run([list(items)])[0])
        key = (id(context.gateway()), context.current_user_id(), int(directives.current()))
        call: _Call[Item, Result] = _Call(list(items))
        with self._lock:
            self._queues.setdefault(key, []).append(call)
            lead = key not in self._leading
            self._leading.add(key)
        if not lead:
            call.done.wait()
        if not call.done.is_set() or call.lead:
            call.lead = False
            self._lead(key, call)
        if call.error is not None:
            raise call.error
        assert call.results is not None
        return call.results

    def waiting(self) -> int:
        """How many calls are queued, not yet taken by a leader."""
        with self._lock:
            return sum(len(queue) for queue in self._queues.values())

    def _lead(self, key: Any, own: _Call[Item, Result]) -> None:
        """Run the queued calls, group by group, until `own` is done; then pass the lead."""
        while True:
            with self._lock:
                if own.results is not None or own.error is not None:
                    queue = self._queues.get(key, [])
                    if queue:
                        queue[0].lead = True
                        queue[0].done.set()
                    else:
                        self._leading.discard(key)
                        self._queues.pop(key, None)
                    return
                group = self._take(self._queues[key])
            self._run(group)

    def _take(self, queue: list[_Call[Item, Result]]) -> list[_Call[Item, Result]]:
        """The oldest calls whose items fit in max_items (at least one), off the queue."""
        taken, count = 0, 0
        while taken < len(queue) and (taken == 0 or
                                      count + len(queue[taken].items) <= self.max_items):
            count += len(queue[taken].items)
            taken += 1
        group = queue[:taken]
        del queue[:taken]
        return group

    def _run(self, group: list[_Call[Item, Result]]) -> None:
        try:
            with context.transaction():
                outcomes = self.run([call.items for call in group])
            for call, results in zip(group, outcomes, strict=True):
                call.results = list(results)
        except Exception as error:  # noqa: BLE001 - handed to its callers
            if len(group) > 1:
                for call in group:  # alone, each call's failure is its own
                    self._run([call])
                return
            group[0].error = error
        finally:
            for call in group:
                if call.results is None and call.error is None:
                    call.error = RuntimeError("the group commit was interrupted")
                call.done.set()
