"""Authorization of client calls: a before-hook on every call, record rules in the data
manager, field rules on results, inputs and RSQL. Back-end code (AUTHENTICATE clear, i.e.
sudo) and admins pass.

Built-ins map to model rights: reads (queryPage, queryOne, ..., construct) need read,
create/update/delete need theirs; declared functions need a FunctionAccess row.
"""
from __future__ import annotations

from typing import Any

from modelry import directives
from modelry.core import context
from modelry.core.functions import Call, hook
from modelry.core.security.identity import current_identity
from modelry.core.security.rights import Rights, RightsCache
from modelry.directives import Directive
from modelry.errors import ModelryError

BUILTIN_PERMS = {"queryPage": "read", "queryOne": "read", "queryOneByWrapper": "read",
                 "queryListByWrapper": "read", "countByWrapper": "read", "construct": "read",
                 "queryById": "read", "create": "create", "createBatch": "create",
                 "update": "update", "updateById": "update", "updateBatch": "update",
                 "delete": "delete", "deleteById": "delete", "deleteBatch": "delete"}


class AccessDenied(ModelryError):
    """The caller may not do this."""

    code = "ACCESS_DENIED"


def _enforced() -> bool:
    """True for client calls (AUTHENTICATE set) of non-admins."""
    return directives.is_set(Directive.AUTHENTICATE) and not current_identity().is_admin


def _rights() -> Rights | None:
    cache = getattr(context.active_gateway(), "rights_cache", None)
    if cache is None:
        return None
    return cache.rights(current_identity().roles)


def check_call(namespace: str, fun: str, builtin: bool) -> None:
    """Raise AccessDenied unless the caller may call `namespace.fun`."""
    rights = _rights()
    if rights is not None:
        check_rights(rights, namespace, fun, builtin)


def check_rights(rights: Rights, namespace: str, fun: str, builtin: bool) -> None:
    """Raise AccessDenied unless `rights` let their holder call `namespace.fun`."""
    perm = BUILTIN_PERMS.get(fun) if builtin else None
    if perm is not None:
        if perm not in rights.models.get(namespace, set()):
            raise AccessDenied(f"access denied: you may not {perm} {namespace}",
                               model=namespace)
    elif (namespace, fun) not in rights.functions:
        raise AccessDenied(f"access denied: you may not call {namespace}.{fun}",
                           model=namespace)


@hook.before(priority=0)
def authorize(call: Call) -> None:
    """Permission check of every client call."""
    if not call.directives & Directive.AUTHENTICATE or current_identity().is_admin:
        return
    # a built-in's name in a service namespace (not a model) is an ordinary function
    registry = context.active_registry()
    on_model = registry is not None and registry.find(call.namespace) is not None
    check_call(call.namespace, call.fun, call.fun in BUILTIN_PERMS and on_model)


def proxied_codes(code: str, registry: Any = None) -> tuple[str, ...]:
    """`code`, then the models whose table it reads when it is a proxy (a proxy of a proxy
    reads on): the rules of each bind it, since each reads the same rows."""
    registry = registry if registry is not None else context.active_registry()
    codes = [code]
    meta = registry.find(code) if registry is not None else None
    while meta is not None and meta.proxy_of and meta.proxy_of not in codes:
        codes.append(meta.proxy_of)
        meta = registry.find(meta.proxy_of)
    return tuple(codes)


def row_policy(app: Any, meta: Any, operation: str) -> Any:
    """WHERE clause of the caller's record rules for `operation` on `meta`, or None.

    A proxy is bound by its own rules and, on top of them, by the record rules of the
    models it proxies (their model rights are not needed: the proxy's own govern).
    """
    if not _enforced():
        return None
    rights = _rights()
    if rights is None:
        return None
    import sqlalchemy as sa
    key = (meta.code, operation)
    known = rights.policies.get(key, True)
    if known is None:
        return None
    if known is False or (operation not in rights.models.get(meta.code, ()) and
                          key not in rights.unrestricted):
        # no right at all: a call on the model was refused before it got here, so these
        # are related records (a ManyToOne, a list) of a model the caller may not read
        rights.policies[key] = False
        return sa.false()
    clauses = [clause for code in proxied_codes(meta.code, app.registry)
               if (clause := _rules_clause(app, rights, app.registry.model(code),
                                           operation)) is not None]
    if not clauses:
        rights.policies[key] = None
    return sa.and_(*clauses) if clauses else None


def _rules_clause(app: Any, rights: Rights, meta: Any, operation: str) -> Any:
    """OR of the caller's record rules for `operation` on `meta`; None when none binds."""
    if (meta.code, operation) in rights.unrestricted:
        return None
    rules = rights.rules.get((meta.code, operation))
    if not rules:
        return None
    import sqlalchemy as sa

    from modelry.core.rsql import compile_filter
    with directives.scope():  # compile as back-end code: rules may name hidden fields
        clauses = [compile_filter(rule, meta, app.data, app.data.placeholders())
                   for rule in rules]
    return sa.or_(*clauses)


def rights_in_force() -> Any:
    """The caller's Rights when they are enforced (client calls by non-admins), else None.
    Everything `row_policy` answers follows from them and the current user."""
    return _rights() if _enforced() else None


def hidden_fields(model: str) -> frozenset[str]:
    """Fields of `model` hidden from the caller (a proxy's include its target's)."""
    if not _enforced():
        return frozenset()
    rights = _rights()
    return hidden_by(rights, model) if rights is not None else frozenset()


def hidden_by(rights: Rights, model: str) -> frozenset[str]:
    """Fields of `model` that `rights` hide (a proxy's include its target's)."""
    return _field_rules(rights.hidden, model)


def readonly_fields(model: str) -> frozenset[str]:
    """Fields of `model` the caller may not write (hidden ones included; a proxy's include
    its target's)."""
    if not _enforced():
        return frozenset()
    rights = _rights()
    return _field_rules(rights.readonly, model) if rights is not None else frozenset()


def _field_rules(rules: dict[str, frozenset[str]], model: str) -> frozenset[str]:
    if not rules:
        return frozenset()
    found = frozenset()
    for code in proxied_codes(model):
        found |= rules.get(code, frozenset())
    return found


def install(app: Any) -> None:
    """Enforce authorization for `app`: rights cache, record rules, field rules."""
    cache = RightsCache(app)
    app.data.rights_cache = cache
    app.data.row_policy = lambda meta, operation: row_policy(app, meta, operation)
    app.data.rights_policy = rights_in_force
    app.data.on_write.append(cache.written)
    context.set_hidden_fields_provider(hidden_fields)
    context.set_readonly_fields_provider(readonly_fields)
    context.set_call_guard(lambda namespace, fun: authorize(
        Call(namespace, fun, "", "", [], {}, directives.current())))
