"""`submit`, `balance` and `statement` through GraphQL (in-process, as anonymous granted the
module): per-transfer codes, never an error for bad transfers; balances read-only."""
from __future__ import annotations

from modelry.boot import App
from tests.functions.helpers import Client
from tests.modules.account.conftest import Chart

SUBMIT = """mutation($t: [TransferRequestInput!]!) { transferMutation {
  submit(transfers: $t) { index key code transferId } } }"""


def test_submit_and_read_back_through_graphql(ledger_app: App, chart: Chart) -> None:
    client = Client(ledger_app)
    c = chart
    batch = [{"ledger": "EUR", "key": "r1", "debitAccount": str(c.bank.id),
              "creditAccount": str(c.alice.id), "amount": "1000", "kind": "RECHARGE"},
             {"ledger": "EUR", "key": "bad", "debitAccount": str(c.alice.id),
              "creditAccount": str(c.shop.id), "amount": "-1"},
             {"ledger": "EUR", "key": "hold", "debitAccount": str(c.alice.id),
              "creditAccount": str(c.shop.id), "amount": "400", "pending": True}]
    results = client.gql(SUBMIT, {"t": batch}).ok()["transferMutation"]["submit"]
    assert [(r["index"], r["code"]) for r in results] == \
        [(0, "ok"), (1, "AMOUNT_MUST_BE_POSITIVE"), (2, "ok")]
    read = client.gql("query($a: Long!) { accountQuery { balance(account: $a) { posted "
                      "available } statement(account: $a) { key pending posted balance } } }",
                      {"a": c.alice.id}).ok()["accountQuery"]
    assert read["balance"] == {"posted": "1000", "available": "600"}
    assert [line["key"] for line in read["statement"]] == ["r1", "hold"]


def test_clients_cannot_write_balances(ledger_app: App, chart: Chart) -> None:
    answer = Client(ledger_app).gql(
        'mutation { accountMutation { update(data: {id: "%s", creditsPosted: "9"}) { id } } }'
        % chart.alice.id)
    assert answer.error["extensions"]["code"] == "FIELD_NOT_WRITABLE"


def test_ids_and_amounts_past_32_bits_travel_as_long(ledger_app: App, chart: Chart) -> None:
    """Function parameters declared `Long` take 64-bit values: an id past 2^31 is a plain
    ACCOUNT_NOT_FOUND, not a GraphQL type error."""
    answer = Client(ledger_app).gql("query($a: Long!) { accountQuery { balance(account: $a) "
                                    "{ posted } } }", {"a": str(2**40)})
    assert answer.codes == ["ACCOUNT_NOT_FOUND"]
