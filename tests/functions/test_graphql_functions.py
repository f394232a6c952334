"""API functions through GraphQL: every argument kind in, every result kind out, and a
model's override of a built-in being what the built-in runs."""
from __future__ import annotations

from decimal import Decimal

from modelry.boot import App
from tests.functions.fnmodule import trace
from tests.functions.fnmodule.models import Gadget, Level
from tests.functions.helpers import Client

ECHO = """
query Echo($amount: BigDecimal!, $moment: DateTime!, $gadgets: [GadgetInput!]!,
           $optional: Int, $maybe: String) {
  calcQuery {
    echo(text: "déjà vu", number: -42, ratio: 0.125, flag: true, amount: $amount,
         day: "2024-02-29", moment: $moment, level: HIGH,
         gadget: {name: "single", price: "12.5", level: LOW, madeOn: "2023-12-31"},
         gadgets: $gadgets, quote: {label: "offer", total: "9.99", pieces: 3},
         optional: $optional, maybe: $maybe) {
      text number ratio flag amount day moment level gadgetName gadgetPrice gadgetNames
      quoteLabel optional maybe
    }
  }
}
"""
BIG = "98765432109876.543210"


def echo(client: Client, **variables: object) -> dict:
    sent = {"amount": BIG, "moment": "2024-03-01T12:34:56+02:00",
            "gadgets": [{"name": "a"}, {"name": "b", "price": "1"}], **variables}
    return client.gql(ECHO, sent).ok()["calcQuery"]["echo"]


def test_every_argument_kind_arrives_typed(client: Client) -> None:
    assert echo(client, optional=3, maybe="given") == {
        "text": "déjà vu", "number": -42, "ratio": 0.125, "flag": True,
        "amount": BIG,                                 # Decimal: exact, as a string
        "day": "2024-02-29", "moment": "2024-03-01T12:34:56+02:00", "level": "HIGH",
        "gadgetName": "single", "gadgetPrice": "12.5",  # a model input: a record
        "gadgetNames": "a,b",                           # a list of model inputs
        "quoteLabel": "offer",                          # a transient model input
        "optional": 3, "maybe": "given"}
    assert trace.names() == ["before 20 (module+type) echo", "Calc.echo"]


def test_omitted_or_null_optional_arguments_take_the_python_defaults(client: Client) -> None:
    omitted = echo(client)
    assert (omitted["optional"], omitted["maybe"]) == (7, None)
    nulls = echo(client, optional=None, maybe=None)
    assert (nulls["optional"], nulls["maybe"]) == (7, None)
    answer = client.gql('{ calcQuery { short: isLong(text: "abcdef", limit: 10) '
                        'long: isLong(text: "abcdef") } }')
    assert answer.ok() == {"calcQuery": {"short": False, "long": True}}


def test_a_wrong_argument_is_refused_before_the_function_runs(client: Client) -> None:
    answer = client.gql(ECHO, {"amount": "not a number", "moment": "2024-01-01T00:00:00",
                               "gadgets": []})
    assert answer.data is None and answer.codes == ["BAD_VARIABLES"]
    wrong_enum = client.gql("{ calcQuery { flip(level: MEDIUM) } }")
    assert wrong_enum.data is None and wrong_enum.codes == ["GRAPHQL_VALIDATION"]
    assert trace.names() == []


def test_every_result_kind_travels_in_its_wire_format(fnapp: App, client: Client) -> None:
    with fnapp.transaction():
        Gadget(name="dear", price=Decimal("30"), level=Level.HIGH).create()
        Gadget(name="cheap", price=Decimal("3")).create()
    answer = client.gql("""{ calcQuery {
        shout(text: "hi") half(amount: "1") dayAfter(day: "2024-02-28")
        inAnHour(moment: "2023-12-31T23:30:00") flip(level: LOW)
        ratio(numerator: 1, denominator: 8) isLong(text: "abc") gadgetCount
        priciest { name price level }
        quote(gadgets: [{name: "x", price: "1.25"}, {name: "y", price: "2"}]) {
          label total pieces }
        requote(quote: {label: "base", total: "2.50", pieces: 2}) { label total pieces }
      } }""")
    assert answer.ok() == {"calcQuery": {
        "shout": "HI!", "half": "0.5", "dayAfter": "2024-02-29",
        "inAnHour": "2024-01-01T00:30:00", "flip": "HIGH", "ratio": 0.125, "isLong": False,
        "gadgetCount": 2,
        "priciest": {"name": "dear", "price": "30.0000", "level": "HIGH"},    # a model
        "quote": {"label": "offer", "total": "3.25", "pieces": 2},            # transient
        "requote": {"label": "base x2", "total": "5.00", "pieces": 4}}}       # in and out


def test_a_nullable_model_result_is_null(client: Client) -> None:
    assert client.gql("{ calcQuery { priciest { id } } }").ok() == \
        {"calcQuery": {"priciest": None}}


def test_classmethod_and_action_functions(fnapp: App, client: Client) -> None:
    with fnapp.transaction():
        low = Gadget(name="low", price=Decimal("4")).create()
        Gadget(name="high", price=Decimal("5"), level=Level.HIGH).create()
        Gadget(name="dear", price=Decimal("50")).create()
    listed = client.gql('{ gadgetQuery { all: cheaperThan(limit: "10") { name } '
                        'high: cheaperThan(limit: "10", level: HIGH) { name } '
                        'one: cheaperThan(limit: "10", size: 1) { name } } }').ok()
    assert listed == {"gadgetQuery": {"all": [{"name": "low"}, {"name": "high"}],
                                      "high": [{"name": "high"}], "one": [{"name": "low"}]}}
    bumped = client.gql('mutation($id: Long) { gadgetMutation { bump(data: {id: $id}) '
                        '{ id name price } } }', {"id": str(low.id)}).ok()
    assert bumped == {"gadgetMutation": {"bump": {"id": str(low.id), "name": "low",
                                                  "price": "5.0000"}}}
    with fnapp.transaction():
        assert Gadget.query_by_id(low.id).price == Decimal("5")


def test_a_mutation_function_takes_a_list_of_model_inputs(fnapp: App, client: Client) -> None:
    answer = client.gql('mutation { calcMutation { stock(gadgets: [{name: "a", price: "1"}, '
                        '{name: "b", note: "kept"}]) { id name price note } } }')
    stocked = answer.ok()["calcMutation"]["stock"]
    assert [(g["name"], g["price"], g["note"]) for g in stocked] == [
        ("a", "1.0000", "via override"), ("b", "0.0000", "kept")]
    with fnapp.transaction():
        assert sorted(str(g.id) for g in Gadget.query_list()) == \
            sorted(g["id"] for g in stocked)
    assert client.gql("mutation { calcMutation { clear } }").ok() == \
        {"calcMutation": {"clear": True}}                      # None → true
    with fnapp.transaction():
        assert Gadget.count() == 0


def test_graphql_create_runs_the_models_override_of_the_builtin(fnapp: App,
                                                                client: Client) -> None:
    created = client.gql('mutation { gadgetMutation { plain: create(data: {name: "p"}) '
                         '{ id note } noted: create(data: {name: "n", note: "mine"}) '
                         '{ id note } } }').ok()["gadgetMutation"]
    assert created["plain"]["note"] == "via override"
    assert created["noted"]["note"] == "mine"
    with fnapp.transaction():
        assert Gadget.query_by_id(created["plain"]["id"]).note == "via override"
    assert trace.names().count("Gadget.create") == 2
