"""The admin's writes: the very `create`, `update` and `delete` built-ins GraphQL resolves,
called as the signed-in client (inside `calls.as_client(..., readonly=False)`).

Validation, defaults, hooks, permissions, record and field rules and the optimistic lock
apply unchanged. Each write runs in a savepoint: when it fails, what its hooks wrote is
rolled back and the caller can still read (to show the form again).
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from modelry.core import context
from modelry.core.graphql.calls.writes import create_builtin, delete_builtin, update_builtin


def sent(meta: Any, values: dict[str, Any], **system: Any) -> SimpleNamespace:
    """`values` (by field name) as the built-ins read a client's input: a many-to-one by its
    `<name>_id`, a many-to-many as the records it links (by id, replacing the links), plus
    the system values given (`id`, `opt_version`)."""
    named = {f"{name}_id" if meta.fields[name].kind == "many2one" else name:
             [SimpleNamespace(id=i) for i in value] if meta.fields[name].kind == "many2many"
             else value for name, value in values.items()}
    return SimpleNamespace(**named, **system)


def create(app: Any, meta: Any, values: dict[str, Any]) -> Any:
    """A new record of `meta` holding `values`; returns it (with its id)."""
    with context.transaction():
        return create_builtin(app, meta, sent(meta, values))


def update(app: Any, meta: Any, identifier: int, values: dict[str, Any],
           version: int | None) -> Any:
    """Write `values` to record `identifier`, which must still be at `version` when the
    model keeps one (else OptimisticLockError)."""
    system = {"id": identifier, **({"opt_version": version} if version is not None else {})}
    with context.transaction():
        return update_builtin(app, meta, sent(meta, values, **system))


def delete(app: Any, meta: Any, identifier: int, version: int | None) -> None:
    """Delete record `identifier` (still at `version` when the model keeps one)."""
    system = {"id": identifier, **({"opt_version": version} if version is not None else {})}
    with context.transaction():
        delete_builtin(app, meta, [SimpleNamespace(**system)])
