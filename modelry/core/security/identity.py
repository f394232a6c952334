"""Who a call acts for: an identity in a context variable (per thread / asyncio task)."""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from modelry.core import context

ANONYMOUS_ROLE = "anonymous"


@dataclass(frozen=True)
class Identity:
    """The caller: a user (or nobody) and the role codes granting rights."""

    user_id: int | None = None
    login: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    is_admin: bool = False

    @property
    def anonymous(self) -> bool:
        """True for callers without a token."""
        return self.user_id is None


ANONYMOUS = Identity(roles=frozenset({ANONYMOUS_ROLE}))
_current: ContextVar[Identity] = ContextVar("modelry_identity", default=ANONYMOUS)


def current_identity() -> Identity:
    """The identity of this thread/task (anonymous unless set)."""
    return _current.get()


class acting:  # noqa: N801 - a context manager, named for what the block does
    """Act as `identity` inside the block (audit fields name its user)."""

    __slots__ = ("identity", "tokens")

    def __init__(self, identity: Identity) -> None:
        self.identity = identity

    def __enter__(self) -> Identity:
        self.tokens = (_current.set(self.identity),
                       context.set_user_id(self.identity.user_id))
        return self.identity

    def __exit__(self, *_: Any) -> None:
        identity, user = self.tokens
        context.reset_user_id(user)
        _current.reset(identity)
