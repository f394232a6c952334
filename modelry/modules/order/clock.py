"""The module's notion of now: naive UTC, as the database stores times. Call it as
`clock.utc_now()` so that a test can move it (the fault scheduler plays hours in seconds)."""
from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)
