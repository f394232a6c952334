"""The admin's reads: the same built-in functions GraphQL resolves, called as a client.

Each call runs with the client directive set for the signed-in caller, through the function
pipeline (`invoke`), so the permission hook, record rules, field rules and extension points
apply exactly as they do to `queryPage` and `queryOne` over GraphQL.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from modelry import directives
from modelry.core import context
from modelry.core.context import requesting
from modelry.core.functions.pipeline import invoke
from modelry.core.security.authorization import AccessDenied, check_call
from modelry.core.security.identity import Identity, acting
from modelry.directives import Directive

ALL_RIGHTS = frozenset({"read", "create", "update", "delete"})


@contextlib.contextmanager
def as_client(app: Any, identity: Identity, readonly: bool = True) -> Iterator[None]:
    """Act as `identity` in a client request's transaction (read-only unless a form writes),
    as /graphql does."""
    with app.activate(), acting(identity), requesting(), directives.client_scope(), \
            app.transaction(readonly=readonly):
        yield


@contextlib.contextmanager
def _query_bits() -> Iterator[None]:
    """Queries run with CHECK cleared, as the GraphQL built-ins run them."""
    with directives.scope(directives.current() & ~Directive.CHECK):
        yield


def query_page(meta: Any, rsql: str | None, page: int, size: int, sort: str) -> Any:
    """`queryPage` of `meta`: one page of records with totals, archived ones left out."""
    with _query_bits():
        return invoke(meta.code, "queryPage", "QUERY",
                      lambda filter_, number, count, order: meta.cls.query_page(
                          filter_, page=number, size=count, sort=order, hide_archived=True),
                      (rsql, page, size, sort), {}, builtin=True)


def query_one(meta: Any, identifier: int) -> Any:
    """`queryOne` of `meta` by id: the record, or None when missing or outside the rules."""
    with _query_bits():
        return invoke(meta.code, "queryOne", "QUERY", meta.cls.query_by_id, (identifier,), {},
                      builtin=True)


def invisible_fields(meta: Any) -> frozenset[str]:
    """Fields of `meta` the caller may not read: hidden by a field rule, or write-only."""
    return context.hidden_fields(meta.code) | {
        name for name, field in meta.fields.items() if field.write_only}


def readable_models(app: Any, identity: Identity) -> list[Any]:
    """The stored models `identity`'s roles may read (every one for an admin)."""
    return [meta for meta in app.registry.models.values()
            if meta.stored and "read" in rights_of(app, identity, meta)]


def rights_of(app: Any, identity: Identity, meta: Any) -> frozenset[str]:
    """What `identity`'s roles may do with `meta`'s records: read, create, update, delete
    (all four for an admin). Record rules may still leave a record out."""
    if identity.is_admin:
        return ALL_RIGHTS
    return frozenset(app.data.rights_cache.rights(identity.roles).models.get(meta.code, ()))


def may_call(app: Any, identity: Identity, namespace: str, fun: str) -> bool:
    """True when `identity`'s roles may call function `fun` of `namespace` (the permission
    hook's own check; an admin may call every function)."""
    if identity.is_admin:
        return True
    try:
        check_call(namespace, fun, builtin=False)
    except AccessDenied:
        return False
    return True
