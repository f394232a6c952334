"""Collect functions, hooks and extension implementations of the loaded modules."""
from __future__ import annotations

from typing import Any

from modelry.core.module import Module
from modelry.core.naming import lower_camel, module_of
from modelry.core.registry.catalog import behaviours, declarations
from modelry.core.registry.functions import (
    FUNCTION_TAG, Behaviours, EndpointMeta, ExtensionMeta, FunctionMeta, HookMeta, ScheduleMeta)
from modelry.core.registry.meta import ModelMeta
from modelry.errors import DeclarationError

SYSTEM_PACKAGE = "modelry.core"


def _owner(python_module: str, modules: list[Module]) -> str | None:
    if python_module.startswith(SYSTEM_PACKAGE + "."):
        return "base"  # built-in behaviour (e.g. permission checks) belongs to base
    owners = [m.name for m in modules if m.owns_python_module(python_module)]
    return max(owners, key=len) if owners else None


def _unwrap(member: Any) -> tuple[Any, str]:
    if isinstance(member, classmethod):
        return member.__func__, "classmethod"
    if isinstance(member, staticmethod):
        return member.__func__, "static"
    return member, "method"


def collect_behaviours(modules: list[Module], models: dict[str, ModelMeta]) -> Behaviours:
    """Functions declared on models (and extensions), hooks and extension implementations."""
    collected = Behaviours()
    loaded = {m.name for m in modules}
    for declaration in declarations():
        meta = models.get(declaration.code)
        if meta is None or (declaration.is_extension and declaration.module_hint not in
                            (None, *loaded)):
            continue
        owner = meta.module if not declaration.is_extension else (
            declaration.module_hint or _owner(declaration.python_module, modules))
        if owner is None:
            continue
        for python_name, member in vars(declaration.cls).items():
            function, kind = _unwrap(member)
            tag = getattr(function, FUNCTION_TAG, None)
            if tag is None:
                continue
            _add(collected, FunctionMeta(
                namespace=meta.code, fun=tag["name"] or lower_camel(python_name),
                python_name=python_name, open_level=tag["open_level"], fun_type=tag["type"],
                module=owner, callable=member, kind="action" if tag["action"] else kind,
                description=tag["description"], task=tag["task"],
                own_transaction=tag.get("own_transaction", False)))
    for python_module, item in behaviours():
        owner = _owner(python_module, modules)
        if owner is None or owner not in loaded:
            continue
        if isinstance(item, HookMeta):
            item.owner = owner
            collected.hooks.append(item)
        elif isinstance(item, ExtensionMeta):
            item.owner = owner
            collected.extensions.setdefault((item.namespace, item.point), []).append(item)
        elif isinstance(item, FunctionMeta):
            if module_of(item.namespace) not in loaded and item.namespace not in models:
                continue
            item.module = owner
            _add(collected, item)
        elif isinstance(item, ScheduleMeta):
            item.owner = owner
            collected.schedules.append(item)
        elif isinstance(item, EndpointMeta):
            item.owner = owner
            collected.endpoints.append(item)
    _resolve_schedules(collected)
    _check_endpoints(collected)
    for implementations in collected.extensions.values():
        implementations.sort(key=lambda e: e.priority)
    return collected


def _add(collected: Behaviours, function: FunctionMeta) -> None:
    key = (function.namespace, function.fun)
    known = collected.functions.get(key)
    if known is not None and known.callable is not function.callable:
        raise DeclarationError(f"{function.module}: function {function.namespace}.{function.fun} "
                               f"is declared twice", module=function.module,
                               model=function.namespace)
    collected.functions[key] = function


def _resolve_schedules(collected: Behaviours) -> None:
    """Tie each schedule to the declared function it runs; codes must be unique."""
    by_callable = {id(f.callable): f for f in collected.functions.values()}
    codes: set[str] = set()
    for schedule in collected.schedules:
        function = by_callable.get(id(schedule.target))
        where = getattr(schedule.target, "__qualname__", repr(schedule.target))
        if function is None or function.kind in ("method", "action"):
            raise DeclarationError(f"{schedule.owner}: @schedule on {where} must decorate a "
                                   "@function at module level, a classmethod or a "
                                   "staticmethod (put @schedule above @function)",
                                   module=schedule.owner)
        schedule.function = function
        if schedule.code in codes:
            raise DeclarationError(f"{schedule.owner}: schedule {schedule.code} is declared "
                                   "twice (give each one a name=)", module=schedule.owner)
        codes.add(schedule.code)


def _check_endpoints(collected: Behaviours) -> None:
    """One endpoint per route and method."""
    seen: set[tuple[str, str]] = set()
    for endpoint in collected.endpoints:
        for method in endpoint.methods:
            if (endpoint.route, method) in seen:
                raise DeclarationError(f"{endpoint.owner}: endpoint {method} {endpoint.route} "
                                       "is declared twice", module=endpoint.owner)
            seen.add((endpoint.route, method))
