"""The directive bits, at the same positions as Oinone's ``SystemDirectiveEnum``."""

from __future__ import annotations

import enum


class Directive(enum.IntFlag, boundary=enum.STRICT):
    """One bit per behaviour a call may switch on; STRICT rejects bits Oinone does not define."""

    BUILT_ACTION = 1 << 20
    UNLOCK = 1 << 21  # inverse: set means the optimistic lock is OFF
    CHECK = 1 << 22
    DEFAULT_VALUE = 1 << 23
    EXT_POINT = 1 << 24
    HOOK = 1 << 25
    AUTHENTICATE = 1 << 26  # inverse: cleared means sudo
    ORM_COLUMN = 1 << 27
    USE_PK_STRATEGY = 1 << 28
    FROM_CLIENT = 1 << 29
    SYNC = 1 << 30
    IGNORE_FUN_MANAGEMENT = 1 << 31


CLIENT_DEFAULT = (
    Directive.CHECK
    | Directive.DEFAULT_VALUE
    | Directive.EXT_POINT
    | Directive.HOOK
    | Directive.AUTHENTICATE
    | Directive.USE_PK_STRATEGY
    | Directive.FROM_CLIENT
)
"""The set a client (GraphQL) request starts with."""

BACKEND_DEFAULT = Directive(0)
"""The set back-end code starts with: nothing on."""
