"""16 threads submit random batches between a few accounts at once; afterwards nothing is
lost or doubled: debits = credits, balances = sums of entries, every ok is one stored
transfer, every shared key applied once."""
from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from modelry import directives
from modelry.boot import App
from modelry.modules.account import codes as C
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Entry, Transfer
from tests.modules.account.conftest import make_chart
from tests.modules.account.stored import check_stored_invariants, request
from tests.threads import run_threads

THREADS, BATCHES = 16, 6


def test_sixteen_threads_lose_and_double_nothing(make_app: Callable[..., App],
                                                 backend: str) -> None:
    options: dict[str, Any] = {"pool_size": THREADS + 2, "pool_pre_ping": False}
    app = make_app(["account"], **options)
    with app.activate():
        c = make_chart(app)
        with app.transaction():
            submit([request(c, "seed", c.bank, c.alice, 5_000),
                    request(c, "seed2", c.bank, c.bob, 5_000)])
    people = [c.alice, c.bob, c.shop, c.fees]

    def work(thread: int) -> list[tuple[str, str]]:
        rng = random.Random(thread)
        seen: list[tuple[str, str]] = []
        with app.activate(), directives.backend_scope():
            for batch_number in range(BATCHES):
                batch = [request(c, f"shared-{batch_number}", c.bank, c.alice, 1)]
                for n in range(rng.randint(1, 12)):
                    debit, credit = rng.sample(people, 2)
                    key = f"t{thread}-{batch_number}-{n}"
                    shape = rng.choice(["plain", "plain", "hold+post", "hold+void"])
                    if shape == "plain":
                        batch.append(request(c, key, debit, credit, rng.randint(1, 300)))
                    else:
                        batch.append(request(c, key, debit, credit, rng.randint(1, 300),
                                             pending=True, linked=True))
                        batch.append(request(c, key + "r", amount=rng.randint(0, 5) * 10,
                                             post_pending=shape == "hold+post",
                                             void_pending=shape == "hold+void",
                                             pending_key=key))
                with app.transaction():
                    results = submit(batch)
                seen.extend((item["key"], result.code) for item, result in zip(batch, results))
        return seen

    outcomes = [pair for seen in run_threads(THREADS, work) for pair in seen]
    with app.activate():
        check_stored_invariants(app)
        with app.transaction():
            stored_keys = [t.key for t in Transfer.query_list()]
            entries = Entry.count()
    applied = [key for key, code in outcomes if code == C.OK]
    assert sorted(applied + ["seed", "seed2"]) == sorted(stored_keys)
    assert entries == 2 * len(stored_keys)
    for batch_number in range(BATCHES):
        codes = [code for key, code in outcomes if key == f"shared-{batch_number}"]
        assert codes.count(C.OK) == 1 and set(codes) <= {C.OK, C.EXISTS}, codes
    assert any(code == C.EXCEEDS_CREDITS for _, code in outcomes)  # the limits were busy


def test_one_key_on_different_accounts_at_once_applies_once(make_app: Callable[..., App],
                                                             backend: str) -> None:
    """Batches that lock different accounts but reuse one key: the key applies once, the
    others answer EXISTS_WITH_DIFFERENT_FIELDS for it, and the rest of each batch applies
    (the unique index catches the clash; the batch is computed again under its locks)."""
    app = make_app(["account"], pool_size=10, pool_pre_ping=False)
    with app.activate():
        c = make_chart(app)
    pairs = [(c.bank, c.alice), (c.bank, c.bob), (c.shop, c.fees), (c.fees, c.shop)]
    with app.activate(), app.transaction():
        submit([request(c, f"fund-{n}", c.bank, credit, 1_000)
                for n, credit in enumerate([c.shop, c.fees])])

    def work(thread: int) -> list[str]:
        debit, credit = pairs[thread]
        clashing: list[str] = []
        with app.activate(), directives.backend_scope():
            for attempt in range(20):
                with app.transaction():
                    own, clash = submit([request(c, f"own-{thread}-{attempt}", debit, credit, 1),
                                         request(c, f"clash-{attempt}", debit, credit, 7)])
                assert own.code == C.OK, own
                clashing.append(clash.code)
        return clashing

    codes = [code for clashing in run_threads(len(pairs), work) for code in clashing]
    assert codes.count(C.OK) == 20, codes
    assert set(codes) == {C.OK, C.EXISTS_WITH_DIFFERENT_FIELDS}
    with app.activate():
        check_stored_invariants(app)
