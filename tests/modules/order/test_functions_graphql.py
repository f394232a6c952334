"""The order functions through GraphQL, with permissions: an operator role granted the
functions starts a payment, completes an order by hand (its password again), refunds and
closes; without the grant each call is ACCESS_DENIED; a wrong password is its code."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from modelry import directives
from modelry.boot import App
from modelry.core.security.identity import Identity
from modelry.modules.order.models import Order, OrderStatus
from tests.functions.helpers import Client
from tests.modules.order.conftest import PASSWORD, REFERENCE, configure, operator

START = """mutation($r: String!) { paymentAttemptMutation {
  startPayment(orderReference: $r, provider: "local") { provider providerReference status } } }"""
COMPLETE = """mutation($r: String!, $p: String!) { manualCompletionMutation {
  completeManually(reference: $r, note: "cash", evidence: "receipt 9", password: $p) {
    who code outcome statusAfter } } }"""
REFUND = """mutation($r: String!) { refundMutation {
  refundOrder(reference: $r, amount: "2.50", reason: "damaged") { amount status } } }"""
CLOSE = """mutation { orderMutation { closeOrder(reference: "B-1") { reference status } } }"""
OPERATOR_FUNCTIONS = [("order.PaymentAttempt", "startPayment"),
                      ("order.ManualCompletion", "completeManually"),
                      ("order.Refund", "refundOrder"), ("order.Order", "closeOrder")]


@pytest.fixture
def ops_app(make_app: Callable[..., App]) -> Iterator[App]:
    """The order module with nothing granted to anyone; order A-1 and B-1."""
    app = make_app(["order"], grant_anonymous=False)
    with app.activate(), directives.backend_scope():
        configure(app)
        with app.transaction():
            Order(reference="B-1", merchant="shop-1", amount=1, currency="EUR").create()
        yield app


def _grant_operator(app: App) -> None:
    roles = app.registry.model("base.Role").cls
    access = app.registry.model("base.FunctionAccess").cls
    with app.transaction():
        role = roles(code="operator", name="Operator").create()
        for namespace, fun in OPERATOR_FUNCTIONS:
            access(role=role.id, namespace=namespace, fun=fun).create()


def test_an_operator_pays_refunds_and_closes_through_graphql(ops_app: App) -> None:
    _grant_operator(ops_app)
    ops = Identity(user_id=operator(ops_app), login="ops", roles=frozenset({"operator"}))
    client = Client(ops_app)
    variables = {"r": REFERENCE, "p": PASSWORD}
    started = client.gql(START, {"r": REFERENCE}, ops).ok()
    assert started["paymentAttemptMutation"]["startPayment"] == {
        "provider": "local", "providerReference": REFERENCE, "status": "PENDING"}
    wrong = client.gql(COMPLETE, {**variables, "p": "guess"}, ops)
    assert wrong.codes == ["PASSWORD_NOT_CONFIRMED"]
    done = client.gql(COMPLETE, variables, ops).ok()["manualCompletionMutation"]
    assert done["completeManually"] == {"who": str(ops.user_id), "code": "ok",
                                        "outcome": "applied", "statusAfter": "PAID"}
    refunded = client.gql(REFUND, {"r": REFERENCE}, ops).ok()["refundMutation"]
    assert refunded["refundOrder"] == {"amount": "2.5000", "status": "REFUNDED"}
    closed = client.gql(CLOSE, None, ops).ok()["orderMutation"]["closeOrder"]
    assert closed == {"reference": "B-1", "status": "CLOSED"}
    assert Order.query_one(reference=REFERENCE).status is OrderStatus.PARTIALLY_REFUNDED


def test_without_the_grant_every_call_is_denied(ops_app: App) -> None:
    anybody = Identity(user_id=operator(ops_app), login="ops", roles=frozenset({"clerk"}))
    client = Client(ops_app)
    for query, variables in [(START, {"r": REFERENCE}),
                             (COMPLETE, {"r": REFERENCE, "p": PASSWORD}),
                             (REFUND, {"r": REFERENCE}), (CLOSE, None)]:
        assert client.gql(query, variables, anybody).codes == ["ACCESS_DENIED"], query
    assert Order.query_one(reference=REFERENCE).status is OrderStatus.CREATED


@pytest.mark.parametrize("field", ["payer", "item", "status", "refunded"])
def test_clients_cannot_redirect_an_orders_money(shop: App, field: str) -> None:
    """Even with every right on order.Order, a client's update of where the money goes,
    what it buys, or the order's status is FIELD_NOT_WRITABLE."""
    order = Order.query_one(reference=REFERENCE)
    value = {"payer": '"mallory"', "item": '"plan:FREE"', "status": "PAID",
             "refunded": '"1"'}[field]
    answer = Client(shop).gql('mutation { orderMutation { update(data: {id: "%s", %s: %s}) '
                              '{ id } } }' % (order.id, field, value))
    assert answer.error["extensions"]["code"] == "FIELD_NOT_WRITABLE"
    assert Order.query_one(reference=REFERENCE).payer is None
