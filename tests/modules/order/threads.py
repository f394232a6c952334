"""Threads delivering callbacks to one order at once (the concurrency tests)."""
from __future__ import annotations

import random
from typing import Any

from modelry import directives
from modelry.boot import App
from modelry.modules.order.receiving import receive_callback
from tests.modules.order.conftest import signed
from tests.threads import THREADS, run_threads


def payments() -> list[tuple[dict[str, str], str]]:
    """Three `paid` events and a `failed` one, signed now (a signature made at import
    would be stale by the time a long test session runs this test)."""
    return [signed(f"paid-{n}") for n in range(3)] + [signed("failed-0", "failed")]


def refunds() -> list[tuple[dict[str, str], str]]:
    """Four refunds of 2.50, signed now."""
    return [signed(f"refund-{n}", "refunded", "2.50") for n in range(4)]


def deliver_all(app: App, callbacks: list[tuple[dict[str, str], str]]
                 ) -> list[list[tuple[str, Any]]]:
    """Each thread delivers every callback twice, in its own shuffled order; per thread,
    (event id, answer) of each delivery."""
    def work(thread: int) -> list[tuple[str, Any]]:
        rng = random.Random(thread)
        deliveries = list(range(len(callbacks))) * 2
        rng.shuffle(deliveries)
        answers = []
        with app.activate(), directives.backend_scope():
            for index in deliveries:
                with app.transaction():
                    answer = receive_callback("local", *callbacks[index])
                answers.append((index, answer))
        return answers

    return run_threads(THREADS, work)
