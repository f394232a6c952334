"""`submit` on the database: one transaction per batch, the tables match the engine, keys
survive a new application, bad input answers per transfer."""
from __future__ import annotations

import random
from typing import Any

from modelry.boot import App, boot
from modelry.modules.account import store
from modelry.modules.account import codes as C
from modelry.modules.account.functions import balance, statement, submit, void_expired
from modelry.modules.account.ledger import apply_batch
from modelry.modules.account.models import Entry, Transfer
from tests.modules.account.conftest import Chart
from tests.modules.account.stored import (check_stored_invariants, engine_request, request,
                                          stored_accounts)


def _submit(app: App, items: list[dict[str, Any]]) -> list[str]:
    with app.transaction():
        return [result.code for result in submit(items)]


def test_a_recharge_a_hold_and_its_post(ledger_app: App, chart: Chart) -> None:
    c = chart
    assert _submit(ledger_app, [request(c, "r1", c.bank, c.alice, 10_000, kind="RECHARGE")]) \
        == [C.OK]
    assert _submit(ledger_app, [request(c, "h1", c.alice, c.shop, 6_000, pending=True,
                                        timeout=3600)]) == [C.OK]
    with ledger_app.transaction():
        assert balance(c.alice.id).available == 4_000
    assert _submit(ledger_app, [request(c, "spend", c.alice, c.shop, 4_001)]) == \
        [C.EXCEEDS_CREDITS]
    assert _submit(ledger_app, [request(c, "p1", post_pending=True, pending_key="h1",
                                        amount=5_000)]) == [C.OK]
    assert _submit(ledger_app, [request(c, "p2", post_pending=True, pending_key="h1")]) == \
        [C.PENDING_ALREADY_RESOLVED]
    with ledger_app.transaction():
        alice = balance(c.alice.id)
        hold = Transfer.query_one(rsql="key==h1")
        lines = statement(c.alice.id)
    assert (alice.posted, alice.available, alice.debits_pending) == (5_000, 5_000, 0)
    assert (hold.status.value, hold.amount_posted) == ("POSTED", 5_000)
    assert [(line.key, line.pending, line.posted, line.balance) for line in lines] == [
        ("r1", 0, 10_000, 10_000), ("h1", 6_000, 0, 10_000), ("p1", -6_000, 5_000, 5_000)]
    check_stored_invariants(ledger_app)


def test_a_transfer_with_a_fee_is_one_linked_chain(ledger_app: App, chart: Chart) -> None:
    c = chart
    _submit(ledger_app, [request(c, "r1", c.bank, c.alice, 1_000)])
    chain = [request(c, "pay", c.alice, c.shop, 900, linked=True),
             request(c, "fee", c.alice, c.fees, 150, kind="FEE")]
    assert _submit(ledger_app, chain) == [C.LINKED_EVENT_FAILED, C.EXCEEDS_CREDITS]
    with ledger_app.transaction():
        assert Transfer.count() == 1 and Entry.count() == 2
    chain[0]["amount"] = 850
    assert _submit(ledger_app, chain) == [C.OK, C.OK]
    accounts = check_stored_invariants(ledger_app)
    assert accounts[c.alice.id].debits_posted == 1_000


def test_bad_input_answers_per_transfer_and_writes_nothing(ledger_app: App,
                                                          chart: Chart) -> None:
    c = chart
    items = [request(c, "ok", c.bank, c.alice, 5),
             request(c, "", c.bank, c.alice, 5),
             request(c, "neg", c.bank, c.alice, -5),
             request(c, "huge", c.bank, c.alice, 2**63),
             dict(request(c, "led", c.bank, c.alice, 5), ledger="XXX"),
             request(c, "ghost", c.bank, 10**30, 5),
             request(c, "same", c.alice, c.alice, 5),
             request(c, "twice", post_pending=True, pending_key="nope")]
    with ledger_app.transaction():
        results = submit(items)
    assert [(r.index, r.code) for r in results] == list(enumerate(
        [C.OK, C.KEY_INVALID, C.AMOUNT_MUST_BE_POSITIVE, C.AMOUNT_OUT_OF_RANGE,
         C.LEDGER_NOT_FOUND, C.ACCOUNT_NOT_FOUND, C.SAME_ACCOUNT, C.PENDING_NOT_FOUND]))
    with ledger_app.transaction():
        assert Transfer.count() == 1
    check_stored_invariants(ledger_app)


def test_the_tables_match_the_engine(ledger_app: App, chart: Chart) -> None:
    c = chart
    rng = random.Random(7)
    people = [c.bank, c.alice, c.bob, c.shop, c.fees]
    keys = [f"k{n}" for n in range(60)]
    for _ in range(8):
        batch = []
        for _ in range(rng.randint(1, 30)):
            debit, credit = rng.sample(people, 2)
            shape = rng.choice(["plain", "plain", "pending", "post", "void", "refund"])
            if shape == "refund":
                batch.append(request(c, rng.choice(keys), amount=rng.randint(1, 200),
                                     kind="REFUND", refund_of=rng.choice(keys),
                                     linked=rng.random() < .2))
            elif shape in ("post", "void"):
                batch.append(request(c, rng.choice(keys), amount=rng.choice([0, 10, 50]),
                                     post_pending=shape == "post",
                                     void_pending=shape == "void",
                                     pending_key=rng.choice(keys), linked=rng.random() < .2))
            else:
                batch.append(request(c, rng.choice(keys), debit, credit,
                                     rng.randint(1, 400), pending=shape == "pending",
                                     linked=rng.random() < .2))
        with ledger_app.transaction():
            before = stored_accounts()
            requests = [engine_request(c, item) for item in batch]
            expected = apply_batch(before, store.read_holds(store.hold_keys(requests)),
                                   store.read_known(requests), requests, 0.0,
                                   originals=store.read_originals(store.refund_keys(requests)))
            codes = [r.code for r in submit(batch)]
        assert codes == [r.code for r in expected.results]
        after = check_stored_invariants(ledger_app)
        for number, state in expected.accounts.items():
            assert after[number] == state


def test_a_key_applies_once_across_applications(ledger_app: App, chart: Chart,
                                                database_url: str) -> None:
    c = chart
    item = request(c, "once", c.bank, c.alice, 700)
    with ledger_app.transaction():
        first = submit([item])[0]
    again = boot(database=database_url, modules=["account"], lifecycle="reload",
                 options={"module_online": "never"})  # a restart: nothing kept in memory
    try:
        with again.activate(), again.transaction():
            repeat = submit([item])[0]
            different = submit([dict(item, amount=701)])[0]
    finally:
        again.close()
    assert (first.code, repeat.code, different.code) == \
        (C.OK, C.EXISTS, C.EXISTS_WITH_DIFFERENT_FIELDS)
    assert repeat.transfer_id == first.transfer_id
    assert check_stored_invariants(ledger_app)[c.alice.id].credits_posted == 700


def test_the_janitor_voids_expired_holds(ledger_app: App, chart: Chart) -> None:
    c = chart
    _submit(ledger_app, [request(c, "r", c.bank, c.alice, 100),
                         request(c, "h", c.alice, c.shop, 60, pending=True, timeout=1)])
    with ledger_app.transaction():
        Transfer.update_where({"key": "h"}, expires_at=1)  # long past
        assert void_expired() == 1
        assert void_expired() == 0
    assert _submit(ledger_app, [request(c, "p", post_pending=True, pending_key="h")]) == \
        [C.PENDING_ALREADY_RESOLVED]
    accounts = check_stored_invariants(ledger_app)
    assert accounts[c.alice.id].debits_pending == 0
