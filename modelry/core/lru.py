"""A bounded, thread-safe least-recently-used cache (servers read it from many threads)."""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Generic, Hashable, TypeVar

Value = TypeVar("Value")
MISSING: Any = object()


class LRU(Generic[Value]):
    """At most `capacity` entries; the least recently used one goes first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default: Any = MISSING) -> Any:
        """The value of `key` (now the most recent), or `default`."""
        with self._lock:
            value = self._entries.get(key, MISSING)
            if value is not MISSING:
                self._entries.move_to_end(key)
                return value
        return default

    def put(self, key: Hashable, value: Value) -> None:
        """Remember `value`, forgetting the oldest entry when full."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            if len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def values(self) -> list[Value]:
        """The values, oldest first."""
        with self._lock:
            return list(self._entries.values())
