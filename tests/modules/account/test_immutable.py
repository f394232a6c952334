"""Transfers and entries are immutable to clients, whatever rights they hold: create,
update and delete are refused; reads and `submit` work; back-end code may still write."""
from __future__ import annotations

import pytest

from modelry.boot import App
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Entry, Transfer
from tests.functions.helpers import Client
from tests.modules.account.conftest import Chart
from tests.modules.account.stored import request


@pytest.mark.parametrize("root", ["transferMutation", "entryMutation"])
def test_clients_cannot_write_ledger_records(ledger_app: App, chart: Chart, root: str) -> None:
    with ledger_app.transaction():
        submit([request(chart, "paid", chart.bank, chart.alice, 100)])
    transfer = Transfer.query_one(key="paid")
    entry = Entry.query_list(transfer=transfer.id)[0]
    target = transfer.id if root == "transferMutation" else entry.id
    client = Client(ledger_app)
    writes = [f'{root} {{ update(data: {{id: "{target}", note: "x"}}) {{ id }} }}'
              if root == "transferMutation" else
              f'{root} {{ update(data: {{id: "{target}", posted: "1"}}) {{ id }} }}',
              f'{root} {{ delete(dataList: [{{id: "{target}"}}]) {{ id }} }}',
              f'{root} {{ create(data: {{}}) {{ id }} }}']
    for write in writes:
        answer = client.gql(f"mutation {{ {write} }}")
        assert answer.codes == ["LEDGER_RECORD_IMMUTABLE"], (write, answer.body)
    assert Transfer.query_by_id(transfer.id).note is None and Entry.count() == 2
    read = client.gql("{ transferQuery { queryPage { content { key } } } }").ok()
    assert read["transferQuery"]["queryPage"]["content"] == [{"key": "paid"}]
