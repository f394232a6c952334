"""Shared pieces of the order tests: a clock the tests move, and a local provider on it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from modelry.modules.order.providers.local import LocalProvider

SECRET = b"order-tests-secret"
START = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class Clock:
    """A clock that stands still until a test advances it."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock `seconds` forward."""
        self.now += timedelta(seconds=seconds)


def provider(clock: Clock, *, tolerance: float = 300) -> LocalProvider:
    """A local provider on `clock`, with SECRET and a `tolerance` window in seconds."""
    return LocalProvider(SECRET, clock=clock, tolerance=timedelta(seconds=tolerance))
