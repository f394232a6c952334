"""`submit` is an own-transaction function: a mutation holding only it runs outside a
transaction, so concurrent requests are merged by the group commit; beside another field,
or validate-only, it is part of the request's one transaction."""
from __future__ import annotations

import threading
from typing import Any

from modelry.boot import App
from modelry.modules.account import grouping
from modelry.modules.account.models import Transfer
from tests.functions.helpers import Client
from tests.modules.account.conftest import Chart
from tests.threads import counting_groups, run_threads

SUBMIT = """mutation($t: [TransferRequestInput!]!) { transferMutation {
  submit(transfers: $t) { index code } } }"""


def item(c: Chart, key: str, amount: int = 5) -> dict[str, Any]:
    return {"ledger": "EUR", "key": key, "debitAccount": str(c.bank.id),
            "creditAccount": str(c.alice.id), "amount": str(amount)}


def test_concurrent_requests_are_merged(ledger_app: App, chart: Chart,
                                        monkeypatch: Any) -> None:
    client = Client(ledger_app)
    # one request first: the rights it reads are then cached, so the concurrent ones reach
    # the group commit without a read (on SQLite a read waits for the leader's write lock)
    with ledger_app.activate():
        client.gql(SUBMIT, {"t": [item(chart, "warm")]}).ok()
    sizes: list[int] = []
    commit = grouping.group_commit
    monkeypatch.setattr(commit, "run", counting_groups(commit, grouping.apply_groups, sizes))
    barrier = threading.Barrier(8)

    def send(k: int) -> list[str]:
        with ledger_app.activate():
            barrier.wait()
            codes = []
            for n in range(5):
                answer = client.gql(SUBMIT, {"t": [item(chart, f"g{k}-{n}")]}).ok()
                codes += [r["code"] for r in answer["transferMutation"]["submit"]]
            return codes

    codes = [code for codes in run_threads(8, send) for code in codes]
    assert codes == ["ok"] * 40
    assert sum(sizes) == 40 and max(sizes) > 1, sizes
    assert Transfer.count() == 41


def test_beside_another_field_it_is_part_of_the_request(ledger_app: App,
                                                        chart: Chart) -> None:
    mixed = """mutation($t: [TransferRequestInput!]!) {
      transferMutation { submit(transfers: $t) { code } }
      accountMutation { create(data: {code: "x"}) { id } } }"""
    answer = Client(ledger_app).gql(mixed, {"t": [item(chart, "mixed")]})
    assert answer.body["extensions"]["success"] is False  # the account lacks its ledger
    assert Transfer.count(key="mixed") == 0  # rolled back with the request


def test_validate_only_writes_nothing(ledger_app: App, chart: Chart) -> None:
    body = {"query": SUBMIT, "variables": {"t": [item(chart, "dry")],
                                           "requestStrategy": {"onlyValidate": True}}}
    answer = Client(ledger_app).executor.run(body).body
    assert answer["data"] is None and answer["extensions"]["success"] is True, answer
    assert Transfer.count(key="dry") == 0
