"""Functions of every kind: registered at boot, callable from Python, and (at API level
only) part of the GraphQL schema under `<name>Query` / `<name>Mutation`."""
from __future__ import annotations

from decimal import Decimal


from modelry import directives
from modelry.boot import App
from modelry.directives import Directive
from tests.functions.fnmodule import services, trace
from tests.functions.fnmodule.models import Gadget, Level
from tests.functions.helpers import Client

GADGET, CALC = "fntest.Gadget", "fntest.Calc"

TYPE_FIELDS = """
query($name: String!) { __type(name: $name) { fields { name args { name } } } }
"""


def test_every_declared_function_is_registered_with_its_kind_level_and_type(fnapp: App) -> None:
    functions = fnapp.registry.behaviours.functions
    seen = {key: (f.kind, f.open_level, f.fun_type, f.module, f.python_name)
            for key, f in functions.items() if f.module == "fntest"}
    assert seen[(GADGET, "create")] == ("method", "LOCAL", "CREATE", "fntest", "create")
    assert seen[(GADGET, "bump")] == ("action", "API", "UPDATE", "fntest", "bump")
    assert seen[(GADGET, "cheaperThan")] == ("classmethod", "API", "QUERY", "fntest",
                                             "cheaper_than")
    assert seen[(GADGET, "renameAll")] == ("static", "API", "UPDATE", "fntest",
                                           "rename_everything")
    assert seen[(GADGET, "secretSauce")] == ("method", "LOCAL", "UPDATE", "fntest",
                                             "secret_sauce")
    assert seen[(GADGET, "remoteOnly")] == ("classmethod", "REMOTE", "QUERY", "fntest",
                                            "remote_only")
    assert seen[(CALC, "echo")] == ("service", "API", "QUERY", "fntest", "echo")
    assert seen[(CALC, "stock")] == ("service", "API", "CREATE", "fntest", "stock")
    assert seen[(CALC, "clear")] == ("service", "API", "DELETE", "fntest", "clear")
    assert seen[(CALC, "internalTotal")] == ("service", "LOCAL", "QUERY", "fntest",
                                             "internal_total")
    assert functions[(GADGET, "bump")].description == \
        "A server action: raise the stored price by one."
    # nothing of the demo module leaks in: only loaded modules' functions are collected
    assert not [key for key in functions if key[0].startswith("demo.")]


def test_functions_are_callable_from_python_without_hooks(fnapp: App) -> None:
    with fnapp.transaction():
        cheap = Gadget(name="cheap", price=Decimal("2"), level=Level.HIGH).create()
        Gadget(name="dear", price=Decimal("20")).create()
        assert cheap.note == "via override"          # the model's own create ran
        assert cheap.secret_sauce() == 42            # LOCAL
        assert Gadget.remote_only() == 7             # REMOTE
        assert [g.name for g in Gadget.cheaper_than(limit=Decimal("5"))] == ["cheap"]
        assert Gadget.cheaper_than(Decimal("50"), Level.LOW) == \
            Gadget.query_list(name="dear")           # positional arguments work too
        assert cheap.bump().price == Decimal("3")    # an action, on the record
        assert Gadget.rename_everything(prefix="x-") == 2
        assert sorted(g.name for g in Gadget.query_list()) == ["x-cheap", "x-dear"]
        assert services.shout(text="hi") == "HI!"
        assert services.internal_total() == Decimal("23")
        assert services.priciest().name == "x-dear"
    assert trace.names() == ["Gadget.create", "Gadget.create", "Gadget.cheaper_than",
                             "Gadget.cheaper_than", "Gadget.bump", "Gadget.renameAll",
                             "Calc.shout"]           # bodies only: back-end calls run no hooks


def test_a_static_function_runs_under_its_models_namespace(fnapp: App,
                                                          client: Client) -> None:
    with fnapp.transaction():
        Gadget(name="one").create()
        with directives.scope(Directive.HOOK):
            assert Gadget.rename_everything(prefix="py-") == 1
    assert "renameAll hook on fntest.Gadget" in trace.names()
    trace.reset()
    answer = client.gql('mutation { gadgetMutation { renameAll(prefix: "gql-") } }')
    assert answer.ok() == {"gadgetMutation": {"renameAll": 1}}  # anonymous holds the right
    assert trace.names() == ["renameAll hook on fntest.Gadget", "Gadget.renameAll"]
    with fnapp.transaction():
        assert [g.name for g in Gadget.query_list()] == ["gql-py-one"]


def fields_of(client: Client, type_name: str) -> dict[str, list[str]]:
    """Field name → argument names of a GraphQL type, by introspection."""
    found = client.gql(TYPE_FIELDS, {"name": type_name}).ok()["__type"]
    return {f["name"]: [a["name"] for a in f["args"]] for f in found["fields"]}


def test_api_functions_are_graphql_fields_local_and_remote_ones_are_not(
        client: Client) -> None:
    gadget_query = fields_of(client, "GadgetQuery")
    gadget_mutation = fields_of(client, "GadgetMutation")
    calc_query = fields_of(client, "CalcQuery")
    calc_mutation = fields_of(client, "CalcMutation")
    assert gadget_query["cheaperThan"] == ["limit", "level", "size"]   # QUERY → Query
    assert gadget_mutation["bump"] == ["data"]                          # the record
    assert gadget_mutation["renameAll"] == ["prefix"]                   # custom name
    assert gadget_mutation["create"] == ["data"]        # still the built-in's signature
    assert set(calc_mutation) == {"stock", "clear", "delete"}           # CREATE, DELETE
    assert {"echo", "shout", "greet", "half", "dayAfter", "inAnHour", "flip", "ratio",
            "isLong", "gadgetCount", "priciest", "quote", "requote", "priceOf"} \
        == set(calc_query)
    every = {*gadget_query, *gadget_mutation, *calc_query, *calc_mutation}
    assert not {"secretSauce", "remoteOnly", "internalTotal", "discount"} & every
    roots = fields_of(client, "Query")
    assert {"gadgetQuery", "calcQuery"} <= set(roots)
    assert "calcMutation" in fields_of(client, "Mutation")


def test_functions_are_persisted_in_the_metadata(fnapp: App) -> None:
    with fnapp.transaction():
        stored = fnapp.data.query_list("base.FunctionDefinition", rsql="module==fntest")
    assert {(f.namespace, f.fun, f.open_level, f.fun_type) for f in stored} >= {
        (GADGET, "bump", "API", "UPDATE"), (CALC, "echo", "API", "QUERY")}
