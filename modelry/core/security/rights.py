"""The rights of a set of roles, read from base.ModelAccess, FunctionAccess, RecordRule and
FieldAccess (cached per application; the cache drops when those models are written)."""
from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from modelry import directives
from modelry.core.data import transaction

RIGHT_MODELS = ("base.ModelAccess", "base.FunctionAccess", "base.RecordRule",
                "base.FieldAccess", "base.Role", "base.User")
CACHE_SECONDS = 30.0  # other instances' changes show within this time


@dataclass
class Rights:
    """What some roles may do."""

    models: dict[str, set[str]] = field(default_factory=dict)          # model → perms
    functions: set[tuple[str, str]] = field(default_factory=set)       # (namespace, fun)
    rules: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (model, op) → rsql
    unrestricted: set[tuple[str, str]] = field(default_factory=set)   # (model, op) w/o rules
    hidden: dict[str, frozenset[str]] = field(default_factory=dict)   # model → fields
    readonly: dict[str, frozenset[str]] = field(default_factory=dict)
    # (model, operation) → what authorization.row_policy found without compiling a rule:
    # None (no rule binds the caller) or False (no right at all); worked out once
    policies: dict[tuple[str, str], bool | None] = field(
        default_factory=dict, compare=False, repr=False)


class RightsCache:
    """Rights per role set for one application.

    A write of a rights model forgets every entry, at once and again when its transaction
    commits: a load between the write and the commit read the rows as they were. A load
    that began before a forget is not kept, nor one made inside a transaction that wrote
    rights (it read rows that may yet roll back)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._cache: dict[frozenset[str], tuple[float, int, Rights]] = {}
        self.generation = 0
        self._lock = threading.Lock()
        # the transactions that wrote rights, by id (a Transaction is not hashable)
        self._writers: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()

    def invalidate(self) -> None:
        """Forget everything (rights were written)."""
        with self._lock:
            self.generation += 1
            self._cache.clear()

    def written(self, code: str) -> None:
        """Hear that records of model `code` were written (a data-manager listener)."""
        if code not in RIGHT_MODELS:
            return
        self.invalidate()
        active = transaction.current()
        if active is not None:
            self._writers[id(active)] = active
        transaction.after_commit(self.invalidate)

    def rights(self, roles: frozenset[str]) -> Rights:
        """The rights of `roles` (from cache when fresh)."""
        found = self._cache.get(roles)
        now = time.monotonic()
        generation = self.generation
        if found is not None and found[1] == generation and now - found[0] < CACHE_SECONDS:
            return found[2]
        rights = self._load(roles)
        if found is not None and found[1] == generation and found[2] == rights:
            # unchanged since the last load: the same object, so what is cached per rights
            # object (compiled statements, database_json.py) stays in use
            rights = found[2]
        active = transaction.current()
        if active is None or self._writers.get(id(active)) is not active:
            with self._lock:
                if generation == self.generation:  # no write came in while it loaded
                    self._cache[roles] = (now, generation, rights)
        return rights

    def _table(self, code: str) -> sa.Table:
        return self.app.data.table(self.app.registry.model(code))

    def _load(self, roles: frozenset[str]) -> Rights:
        rights = Rights()
        role_table = self._table("base.Role")
        active = transaction.current()
        data = self.app.data
        # the caller's transaction, else a read-only one: on SQLite it does not wait for a
        # writer (WAL), on PostgreSQL it sends no BEGIN or COMMIT
        reading = data.connection() if active is not None and active.owner is data \
            else data.transaction(readonly=True)
        with directives.scope(), reading as connection:
            role_ids = {row.id: row.code for row in connection.execute(
                sa.select(role_table.c.id, role_table.c.code).where(
                    role_table.c.code.in_(sorted(roles))))}
            if not role_ids:
                return rights
            access = self._table("base.ModelAccess")
            granted_by: dict[tuple[str, str], set[int]] = {}
            for row in connection.execute(sa.select(access).where(
                    access.c.role_id.in_(list(role_ids)))):
                for perm in ("read", "create", "update", "delete"):
                    if row._mapping[f"perm_{perm}"]:
                        rights.models.setdefault(row.model, set()).add(perm)
                        granted_by.setdefault((row.model, perm), set()).add(row.role_id)
            functions = self._table("base.FunctionAccess")
            rights.functions = {(row.namespace, row.fun) for row in connection.execute(
                sa.select(functions).where(functions.c.role_id.in_(list(role_ids))))}
            rules = self._table("base.RecordRule")
            ruled: dict[tuple[str, str], set[int]] = {}
            for row in connection.execute(sa.select(rules).where(
                    rules.c.role_id.in_(list(role_ids)))):
                for op in ("read", "update", "delete"):
                    if row._mapping[f"perm_{op}"]:
                        rights.rules.setdefault((row.model, op), []).append(row.rsql)
                        ruled.setdefault((row.model, op), set()).add(row.role_id)
            for (model, op), granting in granted_by.items():
                if granting - ruled.get((model, op), set()):
                    rights.unrestricted.add((model, op))  # a role grants it without a rule
            fields_table = self._table("base.FieldAccess")
            hidden: dict[str, set[str]] = {}
            readonly: dict[str, set[str]] = {}
            for row in connection.execute(sa.select(fields_table).where(
                    fields_table.c.role_id.in_(list(role_ids)))):
                if row.hidden:
                    hidden.setdefault(row.model, set()).add(row.field)
                if row.readonly or row.hidden:
                    readonly.setdefault(row.model, set()).add(row.field)
            rights.hidden = {m: frozenset(f) for m, f in hidden.items()}
            rights.readonly = {m: frozenset(f) for m, f in readonly.items()}
        return rights
