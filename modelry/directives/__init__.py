"""Directives: the per-call bits (checks, hooks, extension points, sudo, ...) and their scope."""

from modelry.directives.flags import BACKEND_DEFAULT, CLIENT_DEFAULT, Directive
from modelry.directives.session import session
from modelry.directives.state import (
    backend_scope,
    client_scope,
    current,
    is_set,
    run,
    scope,
)

__all__ = [
    "BACKEND_DEFAULT",
    "CLIENT_DEFAULT",
    "Directive",
    "backend_scope",
    "client_scope",
    "current",
    "is_set",
    "run",
    "scope",
    "session",
]
