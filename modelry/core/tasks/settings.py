"""How an application's tasks run: `queue:` and `tasks:` in modelry.yaml.

    queue: database                        # the default: a table in the app's database
    queue: amqp://guest:guest@127.0.0.1:5672/   # or redis://127.0.0.1:6379/0 (Dramatiq)
    tasks: {threads: 2, in_server: true, poll_interval: 1.0, scheduler: true}
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from modelry.errors import ConfigError

DATABASE = "database"
BROKER_SCHEMES = ("amqp", "amqps", "redis", "rediss")


@dataclass(frozen=True)
class TaskSettings:
    """Worker and queue settings of one application."""

    queue: str = DATABASE
    threads: int = 2              # worker threads per worker process
    in_server: bool = True        # `modelry serve` runs a worker pool in each process
    poll_interval: float = 1.0    # seconds an idle worker waits before looking again
    lease_margin: float = 30.0    # seconds a lease outlasts the task's timeout
    maintenance_interval: float = 2.0  # seconds between reclaiming lost tasks (and schedules)
    keep_days: float = 7.0        # done and cancelled tasks are deleted after this many days
    scheduler: bool = True        # this process's workers fire due schedules
    broker_lease: float = 300.0   # seconds a task handed to a broker may wait for a worker

    @property
    def broker(self) -> str | None:
        """The broker URL, or None for the database queue."""
        return None if self.queue == DATABASE else self.queue

    @classmethod
    def from_settings(cls, settings: Any) -> TaskSettings:
        """Read `queue` and `tasks` from the app's settings (missing ones keep defaults)."""
        queue = getattr(settings, "queue", None) or DATABASE
        if queue != DATABASE and queue.partition("://")[0] not in BROKER_SCHEMES:
            raise ConfigError(f"queue must be 'database' or an amqp:// or redis:// URL, got "
                              f"{queue!r}")
        values = dict(getattr(settings, "tasks", None) or {})
        known = {f.name for f in fields(cls)} - {"queue"}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"tasks: unknown setting(s) {', '.join(unknown)} (known: "
                              f"{', '.join(sorted(known))})")
        try:
            return cls(queue=queue, **values)
        except TypeError as error:
            raise ConfigError(f"tasks: {error}") from None
