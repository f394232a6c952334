"""The channel fault scheduler (`faults_db`) on each database: orders placed by merchants
under a two-level agent chain, routed by priority and by weight, sent by the worker to
suppliers that succeed, fail, time out having done it, answer late, lose orders, answer
garbage, contradict themselves and call back twice, out of order or forged (all over real
HTTP: the suppliers are ASGI apps on a local server, and so is the platform), with
scheduled requery rounds; then every invariant checked against the suppliers and the
ledger. 1,000 orders on SQLite, 200 on PostgreSQL and MariaDB (each order costs round
trips there); the seed is fixed and named on failure."""
from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from modelry import directives
from modelry.boot import App
from tests.modules.channel.faults_db import (ChannelFaultScheduler, check_database,
                                             engine_options, quick_commits)

SEED = 17
ORDERS = {"sqlite": 1_000, "postgresql": 200, "mysql": 200}


@pytest.mark.long_running
def test_fixed_seed_on_the_database(make_app: Callable[..., App], backend: str) -> None:
    app = make_app(["channel"], **engine_options(backend))
    quick_commits(app)
    orders = ORDERS[backend]
    started, cpu = time.perf_counter(), time.process_time()
    with app.activate(), directives.backend_scope():
        scheduler = ChannelFaultScheduler(app, SEED, orders)
        try:
            with scheduler.served():
                scheduler.build()
                scheduler.run()
                ended = check_database(scheduler)
        except AssertionError as exc:
            raise AssertionError(f"channel fault scheduler seed {SEED} ({orders} orders on "
                                 f"{backend}): {exc}") from exc
    stats = scheduler.stats + scheduler.suppliers.stats + scheduler.network.stats
    print(f"\nchannel fault scheduler seed {SEED}: {orders} orders on {backend} in "
          f"{time.perf_counter() - started:.1f} s ({time.process_time() - cpu:.1f} s of CPU "
          f"here); {dict(ended)}; {dict(stats)}")
    for fault in ("succeed", "fail", "pending", "timeout_done", "timeout_pending", "lost",
                  "garbage", "query garbage", "contradict", "callback_first", "callback twice",
                  "stray forged", "callback HTTP 200", "callback HTTP 404", "requery rounds",
                  "repeat answered the same order", "refused DUPLICATE_ORDER_NO",
                  "refused NO_CHANNEL", "platform loss"):
        assert stats[fault] > 0, (fault, dict(stats))
    assert ended["SUCCEEDED"] and ended["FAILED"] and set(ended) == {"SUCCEEDED", "FAILED"}
