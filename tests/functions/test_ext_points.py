"""Extension points: `<fun>Before` changes arguments, `<fun>Override` replaces the body
(and may `proceed()`), `<fun>After` changes the result; of several implementations the
first match by priority runs alone, none matching passes through; modules declare their
own points. They run for client calls, and for back-end calls only with EXT_POINT."""
from __future__ import annotations

from decimal import Decimal

import pytest

from modelry import directives
from modelry.boot import App
from modelry.directives import Directive
from tests.functions.fnmodule import services, trace
from tests.functions.fnmodule.models import Gadget, Level
from tests.functions.helpers import Client

BACKEND = Directive(0)


def shout(client: Client, text: str = "hi") -> str:
    return client.gql("query($t: String!) { calcQuery { shout(text: $t) } }",
                      {"t": text}).ok()["calcQuery"]["shout"]


def greet(client: Client, name: str) -> str:
    return client.gql("query($n: String!) { calcQuery { greet(name: $n) } }",
                      {"n": name}).ok()["calcQuery"]["greet"]


def points() -> list[str]:
    """The trace without hooks: implementations and bodies."""
    return [n for n in trace.names() if not n.startswith(("before", "after"))]


def test_before_changes_the_arguments(client: Client) -> None:
    trace.SWITCHES.add("ext-before")
    assert shout(client) == "[HI]!"
    assert points() == ["shoutBefore", "Calc.shout"]


def test_override_wraps_the_body_and_may_proceed(client: Client) -> None:
    trace.SWITCHES.add("ext-override")
    assert shout(client) == "override(HI!)"
    assert points() == ["shoutOverride", "Calc.shout"]


def test_override_without_proceed_replaces_the_body(client: Client) -> None:
    trace.SWITCHES.update({"ext-override", "ext-replace"})  # priority 98 beats 99
    assert shout(client) == "replaced"
    assert points() == ["shoutOverride without proceed"]


def test_after_changes_the_result(client: Client) -> None:
    trace.SWITCHES.add("ext-after")
    assert shout(client) == "HI! (ext after)"


def test_the_call_order_of_hooks_and_extension_points(client: Client) -> None:
    trace.SWITCHES.update({"hook-args", "ext-before", "ext-override", "ext-after",
                           "hook-result"})
    assert shout(client) == "override([HI AND MORE]!) (ext after) (after hook)"
    assert trace.names() == [
        "before 10 (model+fun)", "before 20 (module+type) shout", "before 30 (module+fun)",
        "shoutBefore", "shoutOverride", "Calc.shout", "shoutAfter",
        "after 15 saw override([HI AND MORE]!) (ext after)",
        "after 40 saw override([HI AND MORE]!) (ext after) (after hook)"]
    assert {bits for _, bits in trace.TRACE} == {BACKEND}


@pytest.mark.parametrize(("name", "answer", "ran"), [
    ("vip joe", "VIP hello vip joe", ["greet 10", "Calc.greet"]),   # 10 beats 20 and 30
    ("victor", "v-hello victor", ["greet 20", "Calc.greet"]),       # 20 beats 30
    ("five", "five wins", ["greet 5"]),                             # 5 replaces the body
    ("ann", "hello ann", ["Calc.greet"]),                           # no match: pass through
    ("rename", "hello renamed", ["greetBefore", "Calc.greet"]),
])
def test_the_first_matching_implementation_by_priority_runs_alone(
        client: Client, name: str, answer: str, ran: list[str]) -> None:
    assert greet(client, name) == answer
    assert points() == ran


def test_backend_calls_run_extension_points_only_with_ext_point(fnapp: App) -> None:
    trace.SWITCHES.update({"ext-after", "hook-result"})
    assert services.shout(text="hi") == "HI!"
    assert services.greet(name="vip joe") == "hello vip joe"
    with directives.scope(Directive.HOOK):
        assert services.shout(text="hi") == "HI! (after hook)"
    with directives.scope(Directive.EXT_POINT):
        assert services.shout(text="hi") == "HI! (ext after)"          # no hook ran
        assert services.greet(name="vip joe") == "VIP hello vip joe"
        assert services.greet("victor") == "v-hello victor"             # positional too
    assert "greet 10" in trace.names() and "shoutAfter" in trace.names()
    assert {bits for _, bits in trace.TRACE} == {BACKEND}


def test_builtin_extension_points(fnapp: App, client: Client) -> None:
    trace.SWITCHES.update({"create-before", "only-high", "count-plus"})
    created = client.gql('mutation { gadgetMutation { create(data: {name: "a", price: "1"}) '
                         '{ price } } }').ok()["gadgetMutation"]["create"]
    assert created == {"price": "99.0000"}                # createBefore changed the record
    with fnapp.transaction():
        Gadget(name="low").create()                       # back-end: no extension point
        Gadget(name="high", level=Level.HIGH).create()
        assert sorted((g.name, g.price) for g in Gadget.query_list()) == [
            ("a", Decimal("99")), ("high", Decimal("0")), ("low", Decimal("0"))]
    found = client.gql("{ gadgetQuery { queryPage { content { name } totalElements } "
                       "countByWrapper } }").ok()["gadgetQuery"]
    assert found == {"queryPage": {"content": [{"name": "high"}], "totalElements": 1},
                     "countByWrapper": 1003}           # queryPageBefore, countByWrapperAfter
    trace.SWITCHES.clear()
    plain = client.gql("{ gadgetQuery { queryPage { totalElements } countByWrapper } }")
    assert plain.ok() == {"gadgetQuery": {"queryPage": {"totalElements": 3},
                                          "countByWrapper": 3}}


def test_backend_create_runs_create_before_only_with_ext_point(fnapp: App) -> None:
    trace.SWITCHES.add("create-before")
    with fnapp.transaction():
        assert Gadget(name="plain").create().price == Decimal("0")
        with directives.scope(Directive.EXT_POINT):
            assert Gadget(name="extended").create().price == Decimal("99")


@pytest.mark.parametrize(("amount", "expected", "ran"), [
    ("5000", "4000.0", "discount 10"),      # both match: priority 10 wins
    ("500", "450.0", "discount 20"),
    ("50", "50", "discount.default"),       # none matches: the default runs
])
def test_a_custom_extension_point(fnapp: App, amount: str, expected: str, ran: str) -> None:
    assert services.discount(Decimal(amount)) == Decimal(amount)   # back-end: the default
    assert trace.names() == ["discount.default"]
    trace.TRACE.clear()
    with directives.scope(Directive.EXT_POINT):
        assert services.discount(Decimal(amount)) == Decimal(expected)
    assert trace.names() == [ran]
    assert trace.TRACE[0][1] == BACKEND


def test_a_custom_point_inside_a_body_needs_ext_point_set_there(client: Client) -> None:
    answer = client.gql('{ calcQuery { plain: priceOf(amount: "500") '
                        'extended: priceOf(amount: "500", withExtensions: true) } }')
    assert answer.ok() == {"calcQuery": {"plain": "500", "extended": "450.0"}}
