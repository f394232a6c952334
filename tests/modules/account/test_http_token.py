"""The ledger through the real server: a clerk logs in through `authMutation`, submits a
batch and reads a balance and a statement with `Authorization: Bearer`; a caller without a
token is refused both."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from modelry.boot import App
from modelry.core.security.grants import grant_module
from modelry.modules.account.models import Account
from tests.modules.account.conftest import Chart, make_chart
from tests.security.conftest import AuthServer, make_role, make_user

LOGIN = """mutation($login: String!, $password: String!) {
  authMutation { login(login: $login, password: $password) { token } } }"""
SUBMIT = """mutation($t: [TransferRequestInput!]!) { transferMutation {
  submit(transfers: $t) { index key code transferId } } }"""
READ = """query($a: Long!) { accountQuery {
  balance(account: $a) { posted available debitsPending }
  statement(account: $a) { key side pending posted balance } } }"""


@pytest.fixture
def served(make_app: Callable[..., App]) -> Iterator[tuple[AuthServer, Chart]]:
    """The account module alone, served; `clerk` holds every right on it, anonymous none."""
    app = make_app(["account"], grant_anonymous=False)
    with app.activate():
        chart = make_chart(app)
        grant_module(app, "account", role="clerk")
        make_role(app, "anonymous")
        make_user(app, "carla", "s3cret!", roles=(make_role(app, "clerk"),))
        server = AuthServer(app.asgi)
        try:
            yield server, chart
        finally:
            server.stop()


def transfer(key: str, debit: object, credit: object, amount: int, **more: object) -> dict:
    """A submit item as a GraphQL client spells it (ids and amounts as strings)."""
    return {"ledger": "EUR", "key": key, "debitAccount": str(debit),
            "creditAccount": str(credit), "amount": str(amount), **more}


def test_a_clerk_with_a_token_submits_and_reads(served: tuple[AuthServer, Chart]) -> None:
    server, c = served
    token = server.gql(LOGIN, {"login": "carla", "password": "s3cret!"}
                       ).ok()["authMutation"]["login"]["token"]
    batch = [transfer("top-up", c.bank.id, c.alice.id, 10_000, kind="RECHARGE"),
             transfer("hold", c.alice.id, c.shop.id, 2_500, pending=True),
             {"ledger": "EUR", "key": "post", "postPending": True, "pendingKey": "hold",
              "amount": "2000"},
             transfer("pay", c.alice.id, c.bob.id, 1_000, linked=True),
             transfer("fee", c.alice.id, c.fees.id, 10, kind="FEE"),
             transfer("broke", c.bob.id, c.shop.id, 99_999)]
    results = server.gql_as(token, SUBMIT, {"t": batch}).ok()["transferMutation"]["submit"]
    assert [(r["key"], r["code"]) for r in results] == [
        ("top-up", "ok"), ("hold", "ok"), ("post", "ok"), ("pay", "ok"), ("fee", "ok"),
        ("broke", "EXCEEDS_CREDITS")]
    assert all(r["transferId"] for r in results[:5]) and results[5]["transferId"] is None
    read = server.gql_as(token, READ, {"a": c.alice.id}).ok()["accountQuery"]
    assert read["balance"] == {"posted": "6990", "available": "6990", "debitsPending": "0"}
    assert [(s["key"], s["side"], s["pending"], s["posted"], s["balance"])
            for s in read["statement"]] == [
        ("top-up", "CREDIT", "0", "10000", "10000"), ("hold", "DEBIT", "2500", "0", "10000"),
        ("post", "DEBIT", "-2500", "2000", "8000"), ("pay", "DEBIT", "0", "1000", "7000"),
        ("fee", "DEBIT", "0", "10", "6990")]
    again = server.gql_as(token, SUBMIT, {"t": batch[:1]}).ok()["transferMutation"]["submit"]
    assert again[0]["code"] == "EXISTS" and again[0]["transferId"] == results[0]["transferId"]


def test_without_a_token_nothing_moves(served: tuple[AuthServer, Chart]) -> None:
    server, c = served
    refused = server.gql_as(None, SUBMIT, {"t": [transfer("x", c.bank.id, c.alice.id, 5)]})
    assert refused.data is None and refused.codes == ["ACCESS_DENIED"]
    read = server.gql_as(None, READ, {"a": c.alice.id})
    assert read.data is None and set(read.codes) == {"ACCESS_DENIED"}
    forged = server.gql_as("not-a-token", READ, {"a": c.alice.id})
    assert forged.data is None and forged.codes == ["UNAUTHENTICATED"]
    with server.uvicorn.config.app.state.executor.app.transaction():
        assert Account.query_by_id(c.alice.id).credits_posted == 0
