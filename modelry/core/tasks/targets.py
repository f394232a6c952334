"""Which declared function a queued call names, and calling it when the task runs."""
from __future__ import annotations

import inspect
from typing import Any

from modelry.core.functions.pipeline import invoke
from modelry.core.registry import Registry
from modelry.core.registry.functions import FUNCTION_TAG, FunctionMeta
from modelry.core.tasks.contract import PermanentTaskFailure, TaskError


def locate(registry: Registry, target: Any, args: tuple[Any, ...]
           ) -> tuple[FunctionMeta, tuple[Any, ...]]:
    """The function `target` is (a declared function, or a method bound to a record or
    model class) and the arguments its wrapper would see (`self`/`cls` first)."""
    if inspect.ismethod(target):
        args, target = (target.__self__, *args), target.__func__
    tag = getattr(target, FUNCTION_TAG, None)
    if tag is None:
        raise TaskError(f"{getattr(target, '__qualname__', target)!r} is not a declared "
                        "function: only @function/@action callables can be queued")
    for meta in registry.behaviours.functions.values():
        if meta.kind == "service" and meta.callable is target:
            return meta, args
    owner = getattr(target, "__modelry_owner__", None)
    if owner is None and args:
        owner = args[0] if isinstance(args[0], type) else type(args[0])
    namespace = getattr(owner, "_model_code", "")
    meta = registry.behaviours.functions.get((namespace, tag["name"]))
    if meta is None:
        raise TaskError(f"{namespace or '?'}.{tag['name']} is not a function of a loaded "
                        "module", model=namespace or None)
    return meta, args


def find(registry: Registry, namespace: str, fun: str) -> FunctionMeta:
    """The function a task names; a permanent failure when no loaded module declares it."""
    meta = registry.behaviours.functions.get((namespace, fun))
    if meta is None:
        raise PermanentTaskFailure(f"{namespace}.{fun} is not a function of a loaded module",
                                   model=namespace)
    return meta


def body(meta: FunctionMeta) -> Any:
    """The declared function's own code (under the pipeline wrapper)."""
    wrapper = getattr(meta.callable, "__func__", meta.callable)
    return getattr(wrapper, "__modelry_inner__", wrapper)


def call(meta: FunctionMeta, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run the queued call through the function pipeline (never queued again)."""
    return invoke(meta.namespace, meta.fun, meta.fun_type, body(meta), args, kwargs)
