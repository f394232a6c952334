"""Directives: the per-call bits (checks, hooks, extension points, sudo, ...) and their scope."""

from modelry.directives.flags import BACKEND_DEFAULT, CLIENT_DEFAULT, Directive
from modelry.directives.session import session
from modelry.directives.state import (
    as_caller,
    backend_scope,
    caller,
    calling,
    client_scope,
    current,
    is_set,
    member,
    run,
    scope,
)

__all__ = [
    "BACKEND_DEFAULT",
    "CLIENT_DEFAULT",
    "Directive",
    "as_caller",
    "backend_scope",
    "caller",
    "calling",
    "client_scope",
    "current",
    "is_set",
    "member",
    "run",
    "scope",
    "session",
]
