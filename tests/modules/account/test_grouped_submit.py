"""`submit` outside a transaction: concurrent calls merged into one batch (group commit),
each caller answered for its own transfers exactly as if it had run alone."""
from __future__ import annotations

import threading
from collections.abc import Callable

from modelry import directives
from modelry.boot import App
from modelry.modules.account import codes as C
from modelry.modules.account import grouping
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Transfer
from tests.modules.account.conftest import make_chart
from tests.modules.account.stored import check_stored_invariants, request
from tests.threads import counting_groups, run_threads

THREADS, CALLS = 12, 8


def test_single_transfers_from_many_threads_merge_and_add_up(
        make_app: Callable[..., App], backend: str, monkeypatch: object) -> None:
    app = make_app(["account"], pool_size=THREADS + 4, pool_pre_ping=False)
    with app.activate():
        c = make_chart(app)
        with app.transaction():
            submit([request(c, "seed", c.bank, c.alice, 1_000)])
    sizes: list[int] = []
    commit = grouping.group_commit
    monkeypatch.setattr(commit, "run",  # type: ignore[attr-defined]
                        counting_groups(commit, grouping.apply_groups, sizes))
    barrier = threading.Barrier(THREADS)

    def work(thread: int) -> list[str]:
        codes: list[str] = []
        with app.activate(), directives.backend_scope():
            barrier.wait()
            for n in range(CALLS):
                if thread == 0 and n == 0:  # a call ending inside its chain fails alone
                    results = submit([request(c, "open-1", c.alice, c.bob, 1, linked=True)])
                    assert [r.code for r in results] == [C.LINKED_EVENT_CHAIN_OPEN]
                    continue
                shared = request(c, f"shared-{n}", c.bank, c.shop, 5)  # every thread tries
                own = request(c, f"own-{thread}-{n}", c.alice, c.bob, 1)
                results = submit([own, shared])
                assert [r.index for r in results] == [0, 1]
                codes += [r.code for r in results]
        return codes

    codes = [code for thread in run_threads(THREADS, work) for code in thread]
    assert max(sizes) > 1, sizes  # calls were merged
    assert codes.count(C.OK) == (THREADS * CALLS - 1) + CALLS  # every own, each shared once
    assert set(codes) == {C.OK, C.EXISTS}
    with app.activate():
        check_stored_invariants(app)
        assert Transfer.count(key__in=["open-1"]) == 0
        assert Transfer.count() == 1 + (THREADS * CALLS - 1) + CALLS


def test_merged_calls_answer_as_each_would_alone(ledger_app: App) -> None:
    """A call's open chain fails within that call and never joins the next call's
    transfers; every other answer is the one the call would get alone."""
    c = make_chart(ledger_app)
    calls = [[request(c, "m-1", c.bank, c.alice, 10),
              request(c, "m-2", c.alice, c.bob, 1, linked=True),
              request(c, "m-3", c.alice, c.bob, 1, linked=True)],
             [request(c, "m-4", c.bank, c.bob, 7),
              request(c, "m-1", c.bank, c.alice, 10),
              {**request(c, "m-5", c.bank, c.bob, 3), "ledger": "NOPE"}]]
    with ledger_app.transaction():
        answers = grouping.apply_groups(calls)
    assert [[(r.index, r.key, r.code) for r in answer] for answer in answers] == [
        [(0, "m-1", C.OK), (1, "m-2", C.LINKED_EVENT_FAILED),
         (2, "m-3", C.LINKED_EVENT_CHAIN_OPEN)],
        [(0, "m-4", C.OK), (1, "m-1", C.EXISTS), (2, "m-5", C.LEDGER_NOT_FOUND)]]
    assert answers[1][1].transfer_id == answers[0][0].transfer_id is not None
    assert sorted(t.key for t in Transfer.query_list()) == ["m-1", "m-4"]
