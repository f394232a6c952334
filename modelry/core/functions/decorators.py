"""Thin decorators: they tag callables; the registry collects the tags at boot.

`@function` and `@action` also wrap the callable so that calls run through the
pipeline (hooks and extension points) when the directives ask for it. Pitfall: a
function body runs with back-end directives (no bits), so calls it makes to other
functions do not run hooks unless the body sets HOOK itself.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

from modelry import directives
from modelry.core.functions.deferral import defer, task_policy
from modelry.core.naming import lower_camel
from modelry.core.registry.catalog import declare_behaviour
from modelry.core.registry.functions import (
    FUNCTION_TAG, FUNCTION_TYPES, OPEN_LEVELS, ExtensionMeta, FunctionMeta, HookMeta, TaskPolicy)
from modelry.directives import Directive
from modelry.errors import DeclarationError


def _check(open_level: str, fun_type: str, where: str) -> None:
    if open_level not in OPEN_LEVELS:
        raise DeclarationError(f"{where}: open_level must be one of {', '.join(OPEN_LEVELS)}, "
                               f"got {open_level!r}")
    if fun_type not in FUNCTION_TYPES:
        raise DeclarationError(f"{where}: type must be one of {', '.join(FUNCTION_TYPES)}, "
                               f"got {fun_type!r}")


def function(open_level: str = "LOCAL", type: str = "UPDATE", name: str | None = None,
             namespace: str | None = None, description: str | None = None,
             async_: bool = False, max_attempts: int | None = None,
             backoff: float | None = None, timeout: float | None = None, atomic: bool = True,
             own_transaction: bool = False, _action: bool = False) -> Callable[[Any], Any]:
    """Declare a function: on a model method (namespace = the model), or at module level
    with `namespace="module.Service"`. `open_level="API"` puts it in GraphQL.

    `async_=True` queues each call (the caller gets None) unless SYNC is set; a queued
    call gets `max_attempts` tries `backoff * 2**(n-1)` seconds apart, `timeout` seconds
    each, its body committed with its completion unless `atomic=False`.

    `own_transaction=True`: a mutation holding only calls of such functions runs outside
    a transaction, and the function opens what it needs (`modelry.transaction()`, or a
    GroupCommit that merges concurrent calls); anywhere else (another field beside it,
    a validate-only request, a Python caller's transaction) it is part of the caller's.
    """
    def decorate(target: Any) -> Any:
        inner = target.__func__ if isinstance(target, (classmethod, staticmethod)) else target
        where = f"{inner.__module__}.{inner.__qualname__}"
        _check(open_level, type, where)
        fun = name or lower_camel(inner.__name__)
        policy = task_policy(where, inner, async_, max_attempts, backoff, timeout, atomic)
        wrapped = _through_pipeline(inner, fun, type, namespace, policy)
        setattr(wrapped, FUNCTION_TAG, {"name": fun, "open_level": open_level, "type": type,
                                        "description": description or inspect.getdoc(inner),
                                        "action": _action, "task": policy,
                                        "own_transaction": own_transaction})
        if namespace is not None:  # a module-level service function
            declare_behaviour(inner.__module__, FunctionMeta(
                namespace=namespace, fun=fun, python_name=inner.__name__,
                open_level=open_level, fun_type=type, module="", callable=wrapped,
                kind="service", description=description or inspect.getdoc(inner),
                task=policy, own_transaction=own_transaction))
        if isinstance(target, classmethod):
            return classmethod(wrapped)
        if isinstance(target, staticmethod):
            return _StaticFunction(wrapped)
        return wrapped
    return decorate


class _StaticFunction(staticmethod):
    """A static function remembers its class: its calls carry no `self` or `cls` that
    would name the namespace (hooks, extension points and rights need it)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.__func__.__modelry_owner__ = owner  # type: ignore[attr-defined]


def action(name: str | None = None, type: str = "UPDATE",
           description: str | None = None) -> Callable[[Any], Any]:
    """A server action bound to a model: an API function taking the record (`self`)."""
    return function(open_level="API", type=type, name=name, description=description,
                    _action=True)


def _through_pipeline(inner: Callable[..., Any], fun: str, fun_type: str,
                      namespace: str | None, policy: TaskPolicy) -> Callable[..., Any]:
    @functools.wraps(inner)
    def call(*args: Any, **kwargs: Any) -> Any:
        from modelry.core.functions.pipeline import invoke
        space = namespace
        owner = getattr(call, "__modelry_owner__", None)  # set for static functions
        if space is None and owner is None and args:
            owner = args[0] if isinstance(args[0], type) else type(args[0])
        if space is None and owner is not None:
            space = getattr(owner, "_model_code", "") or owner.__name__
        if policy.asynchronous and not directives.is_set(Directive.SYNC):
            return defer(space or "", fun, args, kwargs)
        return invoke(space or "", fun, fun_type, inner, args, kwargs)
    call.__modelry_inner__ = inner  # type: ignore[attr-defined]
    return call


class _Hooks:
    """`@hook.before(...)` and `@hook.after(...)`."""

    def _declare(self, when: str, priority: int, module: str | None, model: str | None,
                 fun: str | None, fun_type: str | None) -> Callable[[Any], Any]:
        def decorate(target: Callable[..., Any]) -> Callable[..., Any]:
            declare_behaviour(target.__module__, HookMeta(
                when=when, callable=target, priority=priority, module=module, model=model,
                fun=fun, fun_type=fun_type))
            return target
        return decorate

    def before(self, priority: int = 99, module: str | None = None, model: str | None = None,
               fun: str | None = None, fun_type: str | None = None) -> Callable[[Any], Any]:
        """Run `hook(call)` before matching calls; it may change `call.args`/`call.kwargs`
        or raise to refuse the call."""
        return self._declare("before", priority, module, model, fun, fun_type)

    def after(self, priority: int = 99, module: str | None = None, model: str | None = None,
              fun: str | None = None, fun_type: str | None = None) -> Callable[[Any], Any]:
        """Run `hook(call, result)` after matching calls; a non-None return replaces the
        result."""
        return self._declare("after", priority, module, model, fun, fun_type)


hook = _Hooks()


class _ExtensionPoints:
    """`@ext_point.before/override/after(namespace, fun)` and custom points."""

    def implement(self, namespace: str, point: str, priority: int = 99,
                  when: Callable[..., bool] | None = None) -> Callable[[Any], Any]:
        """Implement extension point `point` of `namespace`; the first match by priority runs."""
        def decorate(target: Callable[..., Any]) -> Callable[..., Any]:
            declare_behaviour(target.__module__, ExtensionMeta(
                namespace=namespace, point=point, callable=target, priority=priority,
                predicate=when))
            return target
        return decorate

    def before(self, namespace: str, fun: str, priority: int = 99,
               when: Callable[..., bool] | None = None) -> Callable[[Any], Any]:
        """`<fun>Before(call)`: may change the call's arguments."""
        return self.implement(namespace, f"{fun}Before", priority, when)

    def override(self, namespace: str, fun: str, priority: int = 99,
                 when: Callable[..., bool] | None = None) -> Callable[[Any], Any]:
        """`<fun>Override(call, proceed)`: replaces the body; `proceed()` runs the original."""
        return self.implement(namespace, f"{fun}Override", priority, when)

    def after(self, namespace: str, fun: str, priority: int = 99,
              when: Callable[..., bool] | None = None) -> Callable[[Any], Any]:
        """`<fun>After(call, result)`: a non-None return replaces the result."""
        return self.implement(namespace, f"{fun}After", priority, when)

    def declare(self, namespace: str, point: str) -> Callable[[Any], Any]:
        """A custom extension point: the decorated function is the default behaviour;
        `implement(namespace, point)` replaces it when EXT_POINT is set."""
        def decorate(default: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(default)
            def call(*args: Any, **kwargs: Any) -> Any:
                from modelry.core.functions.pipeline import run_custom_point
                return run_custom_point(namespace, point, default, args, kwargs)
            return call
        return decorate


ext_point = _ExtensionPoints()
