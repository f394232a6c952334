"""The current directive set, held in one context variable.

A context variable rather than a global keeps the set per thread and per asyncio task:
a new thread starts at ``BACKEND_DEFAULT``, and a task works on a copy of its parent's
context, so its changes never leak back into the parent or its siblings.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from modelry.core.scoped import setting
from modelry.directives.flags import BACKEND_DEFAULT, CLIENT_DEFAULT, Directive

T = TypeVar("T")

_current: contextvars.ContextVar[Directive] = contextvars.ContextVar(
    "modelry_directives", default=BACKEND_DEFAULT
)


# Flag arithmetic builds enum members in Python on every operation; these run several
# times per data call, so they compute on plain ints and build one member at the end,
# found in a table of the members already built (Directive(value) runs the enum machinery).
_MEMBERS: dict[int, Directive] = {}


def member(value: int) -> Directive:
    """The Directive of ``value``; raise ValueError on a bit Directive does not define."""
    found = _MEMBERS.get(value)
    if found is None:
        found = _MEMBERS[value] = Directive(value)
    return found


def combine(bits: Iterable[Directive | int]) -> Directive:
    """Return the union of ``bits``; raise ValueError on a bit Directive does not define."""
    result = int(BACKEND_DEFAULT)
    for bit in bits:
        result = int.__or__(result, bit if type(bit) is Directive else member(bit))
    return member(result)


def current() -> Directive:
    """Return the directive set of the current thread or task."""
    return _current.get()


def is_set(bit: Directive) -> bool:
    """Return True when every bit in ``bit`` is set in the current set."""
    if type(bit) is not Directive:
        bit = member(bit)
    return int.__and__(_current.get(), bit) == bit


def replace(bits: Directive) -> contextvars.Token[Directive]:
    """Replace the whole current set with ``bits``; return a token for ``reset``."""
    return _current.set(bits if type(bits) is Directive else member(bits))


def reset(token: contextvars.Token[Directive]) -> None:
    """Restore the set that was current when ``token`` was made by ``replace``."""
    _current.reset(token)


def run(
    fn: Callable[..., T],
    *bits: Directive,
    args: tuple[Any, ...] = (),
    kwargs: Mapping[str, Any] | None = None,
) -> T:
    """Call ``fn(*args, **kwargs)`` with exactly ``bits`` set, then restore the previous set."""
    token = replace(combine(bits))
    try:
        return fn(*args, **(kwargs or {}))
    finally:
        reset(token)


def scope(*bits: Directive) -> setting[Directive]:
    """Within the block, set exactly ``bits``; restore the previous set on exit."""
    return setting(_current, combine(bits))


_caller: contextvars.ContextVar[Directive | None] = contextvars.ContextVar(
    "modelry_caller_directives", default=None
)


def calling(bits: Directive) -> setting[Directive | None]:
    """Within the block (a declared function's body), `caller()` is ``bits``."""
    return setting(_caller, bits if type(bits) is Directive else member(bits))


def caller() -> Directive:
    """The directive set of whoever called the declared function running now (the
    current set outside one): a client's call keeps AUTHENTICATE there."""
    bits = _caller.get()
    return current() if bits is None else bits


def as_caller() -> AbstractContextManager[Directive]:
    """Within the block, use the caller's directive set: data calls then check the
    caller's rights and record rules, as the caller's own calls would."""
    return scope(caller())


def client_scope() -> AbstractContextManager[Directive]:
    """Within the block, use the set a client request starts with."""
    return scope(CLIENT_DEFAULT)


def backend_scope() -> AbstractContextManager[Directive]:
    """Within the block, use the back-end set: no bits."""
    return scope()
