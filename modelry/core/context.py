"""The running application, as seen by record methods (a context variable, no import cycle).

The boot layer registers a provider: a callable returning the data gateway of the
active application (the one whose transaction is open in this thread or task, or the
default application). Record methods ask for it here instead of importing the data
manager.
"""
from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import Any

from modelry.core.scoped import setting
from modelry.errors import NoActiveApplication

_provider: Callable[[], Any] | None = None


def set_gateway_provider(provider: Callable[[], Any]) -> None:
    """Install the function that returns the active data gateway (done by `modelry.boot`)."""
    global _provider
    _provider = provider


def gateway(model: str = "") -> Any:
    """The active application's data gateway; an error naming the model when none runs."""
    found = _provider() if _provider is not None else None
    if found is None:
        where = f" (model {model})" if model else ""
        raise NoActiveApplication(
            f"no modelry application is running{where}: boot one with modelry.boot.boot(...) "
            "and open `with app.transaction():`", model=model or None)
    return found


def transaction(readonly: bool = False) -> contextlib.AbstractContextManager[Any]:
    """A transaction of the active application, or a savepoint when one is open: commits
    (releases) on normal exit, rolls back when the block raises."""
    return gateway().transaction(readonly)


def active_registry() -> Any:
    """The registry of the active application, or None."""
    found = _provider() if _provider is not None else None
    return None if found is None else found.registry


_user_id: ContextVar[Any] = ContextVar("modelry_user_id", default=None)


def current_user_id() -> Any:
    """Id of the user on whose behalf this thread/task acts (audit fields), or None."""
    return _user_id.get()


def set_user_id(user_id: Any) -> Token:
    """Act as `user_id` in this thread/task; returns a token for `reset_user_id`."""
    return _user_id.set(user_id)


def reset_user_id(token: Token) -> None:
    """Undo `set_user_id`."""
    _user_id.reset(token)


_hidden_provider: Callable[[str], frozenset[str]] | None = None


def set_hidden_fields_provider(provider: Callable[[str], frozenset[str]] | None) -> None:
    """Install the function naming the fields the current caller may not see (security)."""
    global _hidden_provider
    _hidden_provider = provider


def hidden_fields(model: str) -> frozenset[str]:
    """Fields of `model` the current caller may not read, write or filter on."""
    return _hidden_provider(model) if _hidden_provider is not None else frozenset()


_readonly_provider: Callable[[str], frozenset[str]] | None = None


def set_readonly_fields_provider(provider: Callable[[str], frozenset[str]] | None) -> None:
    """Install the function naming the fields the current caller may not write (security)."""
    global _readonly_provider
    _readonly_provider = provider


def readonly_fields(model: str) -> frozenset[str]:
    """Fields of `model` the current caller may not write."""
    return _readonly_provider(model) if _readonly_provider is not None else frozenset()


def active_gateway() -> Any:
    """The active application's data gateway, or None."""
    return _provider() if _provider is not None else None


# The request's id, in a list: made when first asked for (most requests never are)
_request_id: ContextVar[list[str | None] | None] = ContextVar("modelry_request_id",
                                                              default=None)


def request_id() -> str | None:
    """Id of the request this thread/task serves (a task keeps its enqueuer's), or None."""
    held = _request_id.get()
    if held is None:
        return None
    if held[0] is None:
        held[0] = uuid.uuid4().hex
    return held[0]


def requesting(id: str | None = None) -> setting[list[str | None] | None]:
    """Serve request `id` (a new random id, made when first asked for, when None) inside
    the block."""
    return setting(_request_id, [id])


_call_guard: Callable[[str, str], None] | None = None


def set_call_guard(guard: Callable[[str, str], None] | None) -> None:
    """Install the check that refuses a call its caller may not make (security)."""
    global _call_guard
    _call_guard = guard


def guard_call(namespace: str, fun: str) -> None:
    """Raise now if the caller may not call `namespace.fun` (a queued call is refused when
    queued, not only when it runs)."""
    if _call_guard is not None:
        _call_guard(namespace, fun)
