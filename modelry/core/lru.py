"""A bounded, thread-safe least-recently-used cache (servers read it from many threads).

Bounded by entries and, when given a budget, by weight: the caches of documents, plans,
filters and statements weigh an entry by the size of the text it was made from, because
what a parsed or compiled text keeps alive grows with the text. One hostile client
sending large unique texts then evicts entries instead of growing the process, and an
entry heavier than `max_entry_weight` is not kept at all.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Generic, Hashable, TypeVar

Value = TypeVar("Value")
MISSING: Any = object()


class LRU(Generic[Value]):
    """At most `capacity` entries weighing at most `max_weight` together (no bound when
    None); the least recently used go first."""

    def __init__(self, capacity: int, max_weight: int | None = None,
                 max_entry_weight: int | None = None) -> None:
        self.capacity = capacity
        self.max_weight = max_weight
        self.max_entry_weight = max_entry_weight if max_entry_weight is not None else max_weight
        self.weight = 0  # of the entries held
        self._entries: OrderedDict[Hashable, tuple[Value, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = MISSING) -> Any:
        """The value of `key` (now the most recent), or `default`."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry[0]
        return default

    def put(self, key: Hashable, value: Value, weight: int = 0) -> bool:
        """Remember `value` (weighing `weight`), forgetting the oldest entries while over a
        bound; False when it weighs more than `max_entry_weight` and is not kept."""
        with self._lock:
            self._forget(key)
            if self.max_entry_weight is not None and weight > self.max_entry_weight:
                return False
            self._entries[key] = (value, weight)
            self.weight += weight
            while len(self._entries) > self.capacity or (
                    self.max_weight is not None and self.weight > self.max_weight):
                _, (_, dropped) = self._entries.popitem(last=False)
                self.weight -= dropped
            return True

    def _forget(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.weight -= entry[1]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self.weight = 0

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def values(self) -> list[Value]:
        """The values, oldest first."""
        with self._lock:
            return [value for value, _ in self._entries.values()]
