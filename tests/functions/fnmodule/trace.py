"""What hooks, bodies and extension implementations saw, for the tests to read.

`TRACE` collects `(who, directives)` entries in call order; `SWITCHES` turns on the
behaviours that change arguments or results (each test sets the ones it needs).
"""
from __future__ import annotations

from typing import Any

from modelry import directives

TRACE: list[tuple[str, Any]] = []
SWITCHES: set[str] = set()
CALLS: list[Any] = []  # the `Call` objects hooks of Calc.shout received


def trace(who: str) -> None:
    """Record that `who` ran, with the directives it ran under."""
    TRACE.append((who, directives.current()))


def names() -> list[str]:
    """The `who` of each entry, in order."""
    return [who for who, _ in TRACE]


def reset() -> None:
    """Forget the trace and turn every switch off."""
    TRACE.clear()
    SWITCHES.clear()
    CALLS.clear()
