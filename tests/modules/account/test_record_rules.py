"""A caller reads only the accounts its record rules allow: through the model's queries and
through `balance` and `statement`, which read the account as their caller."""
from __future__ import annotations

from modelry import directives
from modelry.boot import App
from modelry.modules.account.functions import balance, submit
from tests.functions.helpers import Client
from tests.modules.account.conftest import Chart
from tests.modules.account.stored import request

READ = """query($a: Long!) { accountQuery { balance(account: $a) { posted }
  statement(account: $a) { key } } }"""


def test_balance_and_statement_follow_the_callers_record_rules(ledger_app: App,
                                                               chart: Chart) -> None:
    c = chart
    with ledger_app.transaction():
        submit([request(c, "fund", c.bank, c.alice, 500), request(c, "fund-bob", c.bank,
                                                                 c.bob, 300)])
        role = ledger_app.registry.model("base.Role").cls.query_one(code="anonymous")
        ledger_app.registry.model("base.RecordRule").cls(
            role=role.id, model="account.Account", rsql="code==alice").create()
    client = Client(ledger_app)
    mine = client.gql(READ, {"a": c.alice.id}).ok()["accountQuery"]
    assert mine == {"balance": {"posted": "500"}, "statement": [{"key": "fund"}]}
    other = client.gql(READ, {"a": c.bob.id})
    assert other.data is None and set(other.codes) == {"ACCOUNT_NOT_FOUND"}
    listed = client.gql("{ accountQuery { queryPage { content { code } } } }").ok()
    assert [a["code"] for a in listed["accountQuery"]["queryPage"]["content"]] == ["alice"]
    with directives.backend_scope():  # back-end code is bound by no rule
        assert balance(c.bob.id).posted == 300
