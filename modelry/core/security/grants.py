"""Grant a role everything a module offers (used by `modelry serve --demo` and tests)."""
from __future__ import annotations

from typing import Any

from modelry import directives
from modelry.core.security.identity import ANONYMOUS_ROLE


def grant_module(app: Any, module: str, role: str = ANONYMOUS_ROLE) -> int:
    """Give `role` every right on `module`'s models (read on transient ones: they are only
    constructed) and API functions.

    Returns how many grant records were created (existing grants are kept).
    """
    registry = app.registry
    Role = registry.model("base.Role").cls
    ModelAccess = registry.model("base.ModelAccess").cls
    FunctionAccess = registry.model("base.FunctionAccess").cls
    created = 0
    with directives.scope(), app.transaction():
        target = Role.query_one(code=role) or Role(code=role, name=role).create()
        for meta in registry.models_of(module):
            if meta.kind == "abstract" or ModelAccess.count(role=target.id, model=meta.code):
                continue
            writable = meta.stored  # a transient model is only constructed (read)
            ModelAccess(role=target.id, model=meta.code, perm_read=True, perm_create=writable,
                        perm_update=writable, perm_delete=writable).create()
            created += 1
        for function in registry.behaviours.functions.values():
            if function.module != module or not function.api:
                continue
            if not FunctionAccess.count(role=target.id, namespace=function.namespace,
                                        fun=function.fun):
                FunctionAccess(role=target.id, namespace=function.namespace,
                               fun=function.fun).create()
                created += 1
    return created
