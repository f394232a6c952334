"""8 threads ingest overlapping event ids at once: each event is stored and rated once,
and every thread gets "ok" or DUPLICATE with the one stored id for every event; 8 threads
rating the same events write each (event, charge) line once."""
from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from modelry import directives
from modelry.boot import App
from modelry.modules.billing.catalogue import Charge
from modelry.modules.billing.ingestion import ingest
from modelry.modules.billing.rated import RatedLine
from modelry.modules.billing.rating import rate
from modelry.modules.billing.usage import UsageEvent
from tests.modules.billing.conftest import event, make_catalogue
from tests.threads import THREADS, run_threads

EVENTS, BATCHES, BATCH = 60, 4, 25


def test_eight_threads_store_each_event_once(make_app: Callable[..., App]) -> None:
    options: dict[str, Any] = {"pool_size": THREADS + 2, "pool_pre_ping": False}
    app = make_app(["billing"], **options)
    with app.activate():
        make_catalogue(app)

    def work(thread: int) -> list[Any]:
        rng = random.Random(thread)
        answers = []
        with app.activate(), directives.backend_scope():
            for _ in range(BATCHES):
                ids = rng.sample(range(EVENTS), BATCH)
                with app.transaction():
                    results = ingest([event(f"e{n}", hour=n % 24) for n in ids])
                answers += [(f"e{n}", r.code, r.event) for n, r in zip(ids, results)]
        return answers

    answers = [a for thread in run_threads(THREADS, work) for a in thread]
    with app.activate():
        stored = {e.event_id: e.id for e in UsageEvent.query_list()}
        lines = RatedLine.query_list()
    assert {code for _, code, _ in answers} <= {"ok", "DUPLICATE"}
    assert all(stored[name] == number for name, _, number in answers)
    oks = [name for name, code, _ in answers if code == "ok"]
    assert sorted(oks) == sorted(set(oks)) == sorted(stored)   # each stored by one call
    assert sorted(line.event_id for line in lines) == sorted(stored.values())


def test_eight_threads_rating_the_same_events_write_each_line_once(
        make_app: Callable[..., App]) -> None:
    options: dict[str, Any] = {"pool_size": THREADS + 2, "pool_pre_ping": False}
    app = make_app(["billing"], **options)
    with app.activate():
        catalogue = make_catalogue(app)
        with app.transaction():
            ids = [r.event for r in ingest([event(f"e{n}", hour=n % 24)
                                            for n in range(EVENTS)])]
            Charge(product=catalogue.sms.id, code="sms-flat", charge_model="STANDARD",
                   currency="EUR", unit_price=Decimal("0.001")).create()

    def work(thread: int) -> int:
        with app.activate(), directives.backend_scope(), app.transaction():
            return rate(random.Random(thread).sample(ids, len(ids)))

    written = run_threads(THREADS, work)
    with app.activate():
        assert sum(written) == EVENTS == RatedLine.count(charge__ne=catalogue.sms_by_time.id)
        assert RatedLine.count() == 2 * EVENTS
