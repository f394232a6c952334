"""Identities per bearer token, kept in memory so that an authenticated request sends no
more SQL than an anonymous one (reading the token, its user and the user's roles took
three statements before the request's own).

Keys are token hashes (`tokens.token_hash`), never tokens. Each entry holds the identity
and its token's expiry; `tokens.resolve` refuses an expired token even when cached.

Bounds: at most `CAPACITY` entries and `MAX_WEIGHT` characters of logins and role codes
(least recently used go first), each entry at most `MAX_AGE` seconds old.

Invalidation on this instance is immediate: a data-manager write of base.User (password,
active, admin flag, roles), base.Role or base.AuthToken (logout, revocation) forgets
every entry, at once and again when the writing transaction commits, and a read that
began before either forget is not kept (the generation it began under is stale). A
login (a new base.AuthToken) forgets too: telling creates from changes is not worth it,
since each live token costs only one more read. Rights are not in the entry: they come
per request from the rights cache (`rights.py`), which drops on its own writes.

Across instances: the framework has no cross-instance signal, and checking a shared
generation row on each request would cost the statement this cache saves. So another
instance's entry lives out its age: a logout, revocation, deactivation, role or password
change committed on instance A is seen by instance B at most `MAX_AGE` seconds later,
by B's clock (an entry ages from when its read began, and B reads again once it is
older). The same bound holds for writes that bypass the data manager (SQL by hand).
Rights changed on A reach B within the rights cache's own bound (`rights.CACHE_SECONDS`).
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

from modelry.core.data.transaction import after_commit, in_transaction
from modelry.core.lru import LRU
from modelry.core.security.identity import Identity

CAPACITY = 10_000
MAX_WEIGHT = 2_000_000   # characters of logins and role codes held, all entries together
MAX_AGE = 5.0            # seconds; the bound across instances
WATCHED = frozenset({"base.User", "base.Role", "base.AuthToken"})
_making = threading.Lock()


Ticket = tuple[int, float]  # the generation and the time a read began under


class IdentityCache:
    """Token hash → (identity, token expiry), bounded, expiring, forgotten on writes."""

    def __init__(self, capacity: int = CAPACITY, max_age: float = MAX_AGE,
                 max_weight: int = MAX_WEIGHT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_age = max_age
        self.clock = clock
        self.generation = 0  # bumped by each forget: a read begun under an older one is stale
        self._entries: LRU[tuple[Identity, dt.datetime, float, int]] = LRU(
            capacity, max_weight=max_weight)
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[Identity, dt.datetime] | None:
        """The identity and token expiry cached for `key` while fresh, else None."""
        found = self._entries.get(key, None)
        if found is None:
            return None
        identity, expires_at, began, generation = found
        if generation != self.generation or self.clock() - began >= self.max_age:
            return None
        return identity, expires_at

    def ticket(self) -> Ticket:
        """Take before reading from the database, give to `put` after."""
        return self.generation, self.clock()

    def put(self, key: str, identity: Identity, expires_at: dt.datetime,
            ticket: Ticket) -> bool:
        """Keep what a read begun with `ticket` found (it ages from when it began); False
        when a write came in between, or when the read ran inside an open transaction
        (its rows may be uncommitted, or older than a commit made since it began)."""
        if in_transaction():
            return False
        generation, began = ticket
        weight = len(identity.login or "") + sum(len(code) for code in identity.roles)
        with self._lock:
            if generation != self.generation:
                return False
            return self._entries.put(key, (identity, expires_at, began, generation), weight)

    def forget(self) -> None:
        """Forget every entry, and every read still under way."""
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def written(self, code: str) -> None:
        """Hear that records of model `code` were written (a data-manager listener)."""
        if code in WATCHED:
            self.forget()
            after_commit(self.forget)  # reads between the write and its commit saw old rows

    def __len__(self) -> int:
        return len(self._entries)


def identity_cache(app: Any) -> IdentityCache:
    """The identity cache of `app` (made on first use)."""
    cache = getattr(app, "identity_cache", None)
    return cache if cache is not None else use_identity_cache(app, IdentityCache())


def use_identity_cache(app: Any, cache: IdentityCache) -> IdentityCache:
    """Make `cache` the identity cache of `app`, told of `app`'s writes."""
    with _making:
        if not getattr(app, "identity_cache_listens", False):
            app.data.on_write.append(lambda code: app.identity_cache.written(code))
            app.identity_cache_listens = True
        app.identity_cache = cache
    return cache
