"""A real broker: Dramatiq on RabbitMQ (`amqp://`) or Redis (`redis://`).

Dramatiq carries task ids; the `base.Task` row stays the record of everything else —
arguments, caller, attempts, retries with backoff, dead letters — so both backends keep
one contract. Its own retries, time limits and age limits are off (the row decides).
One queue per database (`modelry-<hash of its URL>`), so applications on other
databases never take each other's messages.
"""
from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

import sqlalchemy as sa

from modelry.core.tasks.claim import claim
from modelry.core.tasks.execute import execute
from modelry.errors import ConfigError

log = logging.getLogger("modelry.tasks")
ACTOR = "modelry_task"
CLAIM_TRIES = 3


def queue_name(app: Any) -> str:
    """The broker queue of the app's database."""
    url = app.engine.url.render_as_string(hide_password=True)
    return "modelry-" + hashlib.sha256(url.encode()).hexdigest()[:12]


class DramatiqTransport:
    """Publishes task ids to a Dramatiq broker and consumes them by running the tasks."""

    def __init__(self, app: Any, url: str, worker_name: str) -> None:
        try:
            import dramatiq
        except ImportError:
            raise ConfigError("queue: a broker URL needs Dramatiq: pip install "
                              "'modelry[broker]' (dramatiq[rabbitmq,redis])") from None
        self.app = app
        self.url = url
        self.worker_name = worker_name
        self.queue = queue_name(app)
        self.broker = _broker(url)
        self.actor = dramatiq.Actor(self._run, broker=self.broker, actor_name=ACTOR,
                                    queue_name=self.queue, priority=0, options={})

    def publish(self, task_ids: list[int]) -> None:
        """Send one message per task id (RabbitMQ confirms each)."""
        for task_id in task_ids:
            self.actor.send(task_id)

    def consumer(self, threads: int) -> Consumer:
        """A consumer of this database's queue, running tasks on `threads` threads."""
        return Consumer(self, threads)

    def close(self) -> None:
        """Close the broker's connections."""
        self.broker.close()

    def delete_queue(self) -> None:
        """Drop this database's queues from the broker (tests, decommissioning)."""
        if self.url.startswith("amqp"):
            from dramatiq.common import dq_name, xq_name
            channel = self.broker.channel
            for name in (self.queue, dq_name(self.queue), xq_name(self.queue)):
                channel.queue_delete(name)
        else:
            client = self.broker.client
            keys = list(client.scan_iter(f"{self.broker.namespace}:*{self.queue}*"))
            if keys:
                client.delete(*keys)

    def _run(self, task_id: int) -> None:
        """The actor: claim the task (unless another worker has it) and run it."""
        for attempt in range(1, CLAIM_TRIES + 1):
            try:
                claimed = claim(self.app, self.worker_name, 1,
                                self.app.tasks.settings.lease_margin, task_id=task_id)
                break
            except sa.exc.DBAPIError:  # e.g. a deadlock: try again, then leave it to leases
                if attempt == CLAIM_TRIES:
                    log.exception("task %s: the broker's worker could not claim it", task_id)
                    return
                time.sleep(0.05 * attempt)
        for task in claimed:
            execute(self.app, task)


class Consumer:
    """A Dramatiq worker in this process, started and stopped with a modelry Worker."""

    def __init__(self, transport: DramatiqTransport, threads: int) -> None:
        self.transport = transport
        self.threads = threads
        self._worker: Any = None

    def start(self) -> None:
        """Consume the queue."""
        import dramatiq
        if self._worker is None:
            self._worker = dramatiq.Worker(self.transport.broker, queues={self.transport.queue},
                                           worker_threads=self.threads, worker_timeout=100)
            self._worker.start()

    def stop(self, wait: float = 10.0) -> None:
        """Stop consuming; running tasks get `wait` seconds to finish."""
        if self._worker is not None:
            self._worker.stop(timeout=int(wait * 1000))
            self._worker = None


def _broker(url: str) -> Any:
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker
        return RabbitmqBroker(url=url, confirm_delivery=True, middleware=[])
    from dramatiq.brokers.redis import RedisBroker
    return RedisBroker(url=url, middleware=[])
