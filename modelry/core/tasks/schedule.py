"""`@schedule("0 2 * * *", catch_up=False)`: run a declared function at each due time.

    @schedule("0 2 * * *")
    @function(namespace="billing.Runs")
    def nightly(due: datetime) -> None: ...

The decorator only tags (the registry collects schedules of loaded modules); workers fire
them (see `scheduler`). The function receives the due time (naive UTC) as its one
argument, so a run caught up late still knows which time it stands for.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

from modelry.core.registry.catalog import declare_behaviour
from modelry.core.registry.functions import ScheduleMeta
from modelry.core.tasks.cron import parse
from modelry.errors import DeclarationError


def schedule(cron: str, catch_up: bool = False,
             name: str | None = None) -> Callable[[Any], Any]:
    """Run the decorated function (a `@function`) at each due time of `cron` (UTC), once
    across all instances. Missed due times (nothing ran) are all run when `catch_up`,
    else only the latest is."""
    parsed = parse(cron)

    def decorate(target: Any) -> Any:
        inner = getattr(target, "__func__", target)
        body = getattr(inner, "__modelry_inner__", None)
        where = f"{inner.__module__}.{inner.__qualname__}"
        if body is None:
            raise DeclarationError(f"{where}: @schedule decorates a @function: put it above")
        parameters = list(inspect.signature(body).parameters.values())
        if isinstance(target, classmethod):
            parameters = parameters[1:]
        if len(parameters) != 1:
            raise DeclarationError(f"{where}: a scheduled function takes one argument, the "
                                   "due time (a naive UTC datetime)")
        declare_behaviour(inner.__module__, ScheduleMeta(cron=parsed, target=target,
                                                         catch_up=catch_up, name=name))
        return target
    return decorate
