"""The call pipeline: before-hooks → <fun>Before → <fun>Override (wraps the body) →
<fun>After → after-hooks, as in Oinone. Hooks run only when HOOK is set, extension
points only when EXT_POINT is set; bodies, hooks and implementations run with back-end
directives.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from modelry import directives
from modelry.core import context
from modelry.core.naming import module_of
from modelry.directives import Directive


@dataclass
class Call:
    """One function call as hooks and extension implementations see it."""

    namespace: str
    fun: str
    fun_type: str
    module: str
    args: list[Any]
    kwargs: dict[str, Any]
    directives: Directive = Directive(0)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def from_client(self) -> bool:
        """True when a front end made the call."""
        return bool(self.directives & Directive.FROM_CLIENT)


def _first(registry: Any, call: Call, point: str) -> Callable[..., Any] | None:
    for implementation in registry.behaviours.implementations(call.namespace, point):
        if implementation.predicate is None or implementation.predicate(call):
            return implementation.callable
    return None


# A built-in's body is the data manager itself: it keeps the bits that steer it.
BUILTIN_BODY_BITS = (Directive.CHECK | Directive.DEFAULT_VALUE | Directive.USE_PK_STRATEGY
                     | Directive.UNLOCK | Directive.BUILT_ACTION | Directive.AUTHENTICATE)
HOOK_OR_EXT_POINT = Directive.HOOK | Directive.EXT_POINT


def invoke(namespace: str, fun: str, fun_type: str, body: Callable[..., Any],
           args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any],
           module: str | None = None, builtin: bool = False) -> Any:
    """Call `body(*args, **kwargs)` through hooks and extension points as directives say.

    Hooks and implementations run with back-end directives; so does the body of a
    declared function, while a built-in's body keeps the data-manager bits (CHECK...).
    """
    bits = directives.current()
    registry = context.active_registry()
    if registry is None or not int.__and__(bits, HOOK_OR_EXT_POINT):  # (ints: enum ops
        with directives.calling(bits):                                # cost more)
            return body(*args, **kwargs)
    owner = module or _module(registry, namespace)
    call = Call(namespace, fun, fun_type, owner, list(args), dict(kwargs), bits)
    hooks = registry.behaviours
    body_bits = directives.member(int.__and__(bits, BUILTIN_BODY_BITS) if builtin else 0)

    def run_body(*body_args: Any, **body_kwargs: Any) -> Any:
        with directives.scope(body_bits), directives.calling(bits):
            return body(*body_args, **body_kwargs)

    with directives.scope():  # hooks and implementations are back-end code
        if int.__and__(bits, Directive.HOOK):
            for hook in hooks.hooks_for("before", namespace, fun, fun_type, owner):
                hook.callable(call)
        result = _with_extension_points(registry, call, run_body) \
            if int.__and__(bits, Directive.EXT_POINT) and hooks.extended(namespace) \
            else run_body(*call.args, **call.kwargs)
        if int.__and__(bits, Directive.HOOK):
            for hook in hooks.hooks_for("after", namespace, fun, fun_type, owner):
                changed = hook.callable(call, result)
                result = result if changed is None else changed
    return result


def _with_extension_points(registry: Any, call: Call, body: Callable[..., Any]) -> Any:
    before = _first(registry, call, f"{call.fun}Before")
    if before is not None:
        before(call)
    override = _first(registry, call, f"{call.fun}Override")
    if override is not None:
        result = override(call, lambda: body(*call.args, **call.kwargs))
    else:
        result = body(*call.args, **call.kwargs)
    after = _first(registry, call, f"{call.fun}After")
    if after is not None:
        changed = after(call, result)
        result = result if changed is None else changed
    return result


def run_custom_point(namespace: str, point: str, default: Callable[..., Any],
                     args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """A module's own extension point: the first matching implementation, else the default."""
    registry = context.active_registry()
    if registry is None or not directives.is_set(Directive.EXT_POINT):
        return default(*args, **kwargs)
    call = Call(namespace, point, "QUERY", _module(registry, namespace), list(args),
                dict(kwargs), directives.current())
    implementation = _first(registry, call, point)
    with directives.scope():
        if implementation is None:
            return default(*call.args, **call.kwargs)
        return implementation(call)


def _module(registry: Any, namespace: str) -> str:
    meta = registry.find(namespace) if "." in namespace else None
    return meta.module if meta is not None else module_of(namespace) if "." in namespace \
        else namespace
