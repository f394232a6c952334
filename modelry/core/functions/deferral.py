"""Async functions: the task policy `@function(async_=True, ...)` declares, and the hand-off
of a call to the running application's task queue (wired by the boot; no import of it)."""
from __future__ import annotations

import inspect
from typing import Any, Callable

from modelry.core import context
from modelry.core.registry.functions import TaskPolicy
from modelry.errors import DeclarationError, ModelryError


class NoTaskQueue(ModelryError):
    """An async function was called in an application without a task queue."""

    code = "NO_TASK_QUEUE"


def task_policy(where: str, inner: Callable[..., Any], asynchronous: bool,
                max_attempts: int | None, backoff: float | None, timeout: float | None,
                atomic: bool) -> TaskPolicy:
    """The policy of a declared function; refuses nonsense with a DeclarationError."""
    defaults = TaskPolicy()
    policy = TaskPolicy(
        asynchronous=asynchronous,
        max_attempts=defaults.max_attempts if max_attempts is None else max_attempts,
        backoff=defaults.backoff if backoff is None else float(backoff),
        timeout=defaults.timeout if timeout is None else float(timeout), atomic=atomic)
    if policy.max_attempts < 1 or policy.backoff < 0 or policy.timeout <= 0:
        raise DeclarationError(f"{where}: max_attempts must be ≥ 1, backoff ≥ 0 and "
                               "timeout > 0 seconds")
    returns = inspect.signature(inner).return_annotation
    if asynchronous and returns not in (inspect.Signature.empty, None, "None"):
        raise DeclarationError(f"{where}: an async function returns nothing to its caller "
                               f"(it runs later): declare it `-> None`, not -> {returns}")
    return policy


def defer(namespace: str, fun: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Queue the call `namespace.fun(*args, **kwargs)` in the active application."""
    queue = getattr(context.gateway(namespace), "task_queue", None)
    if queue is None:
        raise NoTaskQueue(f"{namespace}.{fun} is async, but the running application has no "
                          "task queue", model=namespace)
    queue.defer(namespace, fun, args, kwargs)
