"""Function, hook and extension-point metadata as the registry holds them.

Decorators in `modelry.core.functions` tag Python callables; the registry collects the
tags of loaded modules at boot (declarations never import the layers that run them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

OPEN_LEVELS = ("LOCAL", "REMOTE", "API")
FUNCTION_TYPES = ("QUERY", "CREATE", "UPDATE", "DELETE")
FUNCTION_TAG = "__modelry_function__"


@dataclass(frozen=True)
class TaskPolicy:
    """How a function runs when queued: `asynchronous` calls are queued by default;
    a queued call gets `max_attempts` tries, `backoff * 2**(n-1)` seconds apart, each
    limited to `timeout` seconds; `atomic` commits the body with the task's completion."""

    asynchronous: bool = False
    max_attempts: int = 3
    backoff: float = 5.0
    timeout: float = 300.0
    atomic: bool = True


@dataclass
class FunctionMeta:
    """A declared function: `namespace` is a model code (or a service namespace)."""

    namespace: str
    fun: str                   # technical name (lowerCamel), also the GraphQL field name
    python_name: str
    open_level: str
    fun_type: str
    module: str
    callable: Callable[..., Any]
    kind: str = "method"       # method | classmethod | static | action | service
    description: str | None = None
    task: TaskPolicy = field(default_factory=TaskPolicy)
    own_transaction: bool = False  # the API calls it outside a transaction (executor.py)

    @property
    def api(self) -> bool:
        """True when the function is part of the GraphQL API."""
        return self.open_level == "API"


@dataclass
class ScheduleMeta:
    """A declared schedule: run `target` (a declared function) at each due time of `cron`."""

    cron: Any                      # modelry.core.tasks.cron.Cron
    target: Any                    # what `@function` returned (its FunctionMeta's callable)
    catch_up: bool = False         # run every missed due time, not only the latest
    name: str | None = None        # the schedule's code; default `<namespace>.<fun>`
    owner: str = ""                # the module that declared it
    function: FunctionMeta | None = None  # resolved when the registry is built

    @property
    def code(self) -> str:
        """The schedule's code: its name, else the function it runs."""
        if self.name:
            return self.name
        assert self.function is not None
        return f"{self.function.namespace}.{self.function.fun}"


@dataclass
class HookMeta:
    """A before- or after-hook with its filters."""

    when: str                  # before | after
    callable: Callable[..., Any]
    priority: int = 99
    module: str | None = None      # only calls whose namespace belongs to this module
    model: str | None = None
    fun: str | None = None
    fun_type: str | None = None
    owner: str = ""                # the module that declared the hook

    def matches(self, namespace: str, fun: str, fun_type: str, module: str) -> bool:
        """True when the hook's filters admit this call."""
        return ((self.module is None or self.module == module)
                and (self.model is None or self.model == namespace)
                and (self.fun is None or self.fun == fun)
                and (self.fun_type is None or self.fun_type == fun_type))


@dataclass
class ExtensionMeta:
    """An implementation of an extension point (`<fun>Before`, `<fun>Override`, ...)."""

    namespace: str
    point: str                 # e.g. createBefore, createOverride, createAfter, discount
    callable: Callable[..., Any]
    priority: int = 99
    predicate: Callable[..., bool] | None = None
    owner: str = ""


@dataclass
class EndpointMeta:
    """A declared HTTP endpoint: `callable(request)` answers `methods` on `path`, served at
    `/api/<owner><path>` (see `modelry.core.http`)."""

    path: str                      # as declared, e.g. "/callbacks/{provider}"
    methods: tuple[str, ...]
    callable: Callable[..., Any]
    max_body: int = 64_000         # bytes; a larger body is refused with 413
    owner: str = ""                # the module that declared it

    @property
    def route(self) -> str:
        """Where it is served."""
        return f"/api/{self.owner}{self.path}"


@dataclass
class Behaviours:
    """Every function, hook and extension implementation of loaded modules."""

    functions: dict[tuple[str, str], FunctionMeta] = field(default_factory=dict)
    hooks: list[HookMeta] = field(default_factory=list)
    extensions: dict[tuple[str, str], list[ExtensionMeta]] = field(default_factory=dict)
    schedules: list[ScheduleMeta] = field(default_factory=list)
    endpoints: list[EndpointMeta] = field(default_factory=list)

    # hooks_for's answers, each with the number of hooks it was worked out from: a call
    # runs through them twice, and hooks are only ever added (while the registry builds)
    _matched: dict[tuple[str, ...], tuple[int, list[HookMeta]]] = field(
        default_factory=dict, repr=False, compare=False)
    _extended: tuple[int, frozenset[str]] | None = field(default=None, repr=False,
                                                         compare=False)

    def hooks_for(self, when: str, namespace: str, fun: str, fun_type: str,
                  module: str) -> list[HookMeta]:
        """Matching hooks, by priority (lowest first)."""
        key = (when, namespace, fun, fun_type, module)
        known = self._matched.get(key)
        if known is not None and known[0] == len(self.hooks):
            return known[1]
        found = sorted((h for h in self.hooks if h.when == when
                        and h.matches(namespace, fun, fun_type, module)),
                       key=lambda h: h.priority)
        if len(self._matched) < 10_000:  # namespaces × functions: bounded by the registry
            self._matched[key] = (len(self.hooks), found)
        return found

    def implementations(self, namespace: str, point: str) -> list[ExtensionMeta]:
        """Implementations of one extension point, by priority (lowest first)."""
        return self.extensions.get((namespace, point), [])

    def extended(self, namespace: str) -> bool:
        """Whether any extension point of `namespace` has an implementation."""
        namespaces = self._extended
        if namespaces is None or namespaces[0] != len(self.extensions):
            namespaces = self._extended = (
                len(self.extensions), frozenset(n for n, _ in self.extensions))
        return namespace in namespaces[1]
