"""Hooks: every matching hook runs, in priority order, around the call; before-hooks
change arguments or refuse, after-hooks change results; they run for client calls and
for back-end calls only when HOOK is set, and always as back-end code themselves."""
from __future__ import annotations

from decimal import Decimal

from modelry import directives
from modelry.boot import App
from modelry.directives import Directive
from tests import sql_capture
from tests.functions.fnmodule import services, trace
from tests.functions.fnmodule.models import Gadget
from tests.functions.helpers import Client

SHOUT = '{ calcQuery { shout(text: "hi") } }'
BACKEND = Directive(0)
SHOUT_HOOKS = ["before 10 (model+fun)", "before 20 (module+type) shout",
               "before 30 (module+fun)", "Calc.shout", "after 15 saw HI!", "after 40 saw HI!"]


def shout(client: Client) -> str:
    return client.gql(SHOUT).ok()["calcQuery"]["shout"]


def test_all_matching_hooks_run_in_priority_order_around_the_body(client: Client) -> None:
    assert shout(client) == "HI!"
    assert trace.names() == SHOUT_HOOKS
    # declared 30, 10, 20 and 40, 15: sorted by priority; hooks filtered to another
    # module, model, function or type did not run
    assert not [name for name in trace.names() if name.startswith("never")]


def test_filters_pick_the_hooks_of_each_call(client: Client) -> None:
    client.gql('{ calcQuery { greet(name: "ann") } }').ok()
    assert trace.names() == ["before greet", "before 20 (module+type) greet", "Calc.greet"]
    trace.reset()
    client.gql('mutation { gadgetMutation { create(data: {name: "g"}) { id } } }').ok()
    assert trace.names() == ["gadget create before-hook", "create-type hook create",
                             "Gadget.create", "gadget create after-hook"]


def test_a_hook_sees_the_call(fnapp: App, client: Client) -> None:
    shout(client)
    with directives.scope(Directive.HOOK):
        services.shout(text="back")
    from_client, from_backend = trace.CALLS
    assert (from_client.namespace, from_client.fun, from_client.fun_type, from_client.module,
            from_client.args, from_client.kwargs) == \
        ("fntest.Calc", "shout", "QUERY", "fntest", [], {"text": "hi"})
    assert from_client.from_client and from_client.directives & Directive.AUTHENTICATE
    assert not from_backend.from_client and from_backend.directives == Directive.HOOK


def test_hooks_and_bodies_run_with_backend_directives(client: Client) -> None:
    shout(client)
    assert {bits for _, bits in trace.TRACE} == {BACKEND}


def test_a_before_hook_changes_the_arguments(client: Client) -> None:
    trace.SWITCHES.add("hook-args")
    assert shout(client) == "HI AND MORE!"


def test_an_after_hook_changes_the_result_later_hooks_see_the_change(client: Client) -> None:
    trace.SWITCHES.add("hook-result")
    assert shout(client) == "HI! (after hook)"
    assert trace.names()[-2:] == ["after 15 saw HI!", "after 40 saw HI! (after hook)"]


def test_a_before_hook_replaces_the_record_a_builtin_writes(fnapp: App,
                                                            client: Client) -> None:
    trace.SWITCHES.add("hook-replace-record")
    created = client.gql('mutation { gadgetMutation { create(data: {name: "sent"}) '
                         '{ id name price } } }').ok()["gadgetMutation"]["create"]
    assert (created["name"], created["price"]) == ("replaced by a hook", "1.5000")
    with fnapp.transaction():
        assert [(g.name, g.note) for g in Gadget.query_list()] == \
            [("replaced by a hook", "via override")]


def test_an_after_hook_changes_what_a_builtin_returns(fnapp: App, client: Client) -> None:
    trace.SWITCHES.add("hook-create-result")
    created = client.gql('mutation { gadgetMutation { create(data: {name: "g"}) '
                         '{ id note } } }').ok()["gadgetMutation"]["create"]
    assert created["note"] == "changed by an after-hook"
    with fnapp.transaction():
        assert Gadget.query_by_id(created["id"]).note == "via override"  # stored before


def test_an_answer_from_the_values_sent_shows_what_after_hooks_changed(
        fnapp: App, client: Client) -> None:
    """A write answered from the values sent (data/written.py: the selection holds only
    them) answers as one answered from its returned row: a create shows the record its
    hooks return, an update the stored row once a hook changed the record."""
    trace.SWITCHES.add("hook-rename-result")
    with sql_capture.statements(fnapp.engine) as seen:
        created = client.gql('mutation { gadgetMutation { create(data: {name: "sent"}) '
                             '{ id name } } }').ok()["gadgetMutation"]["create"]
    assert created["name"] == "renamed by an after-hook"
    inserts = [s for s in seen if s.startswith("INSERT")]
    assert len(inserts) == 1 and inserts[0].rstrip().split(" RETURNING ")[1] in (
        "id", "fntest_gadget.id"), inserts  # answered from the values sent
    updated = client.gql('mutation { gadgetMutation { update(data: {id: "%s", name: "new"}) '
                         '{ id name } } }' % created["id"]).ok()["gadgetMutation"]["update"]
    assert updated == {"id": created["id"], "name": "new"}  # as stored: read again
    with fnapp.transaction():
        assert Gadget.query_by_id(created["id"]).name == "new"


def test_a_refusing_hook_reaches_the_client_and_nothing_is_written(fnapp: App,
                                                                   client: Client) -> None:
    answer = client.gql('mutation { ok: gadgetMutation { create(data: {name: "fine"}) '
                        '{ id } } no: gadgetMutation { create(data: {name: "forbidden"}) '
                        '{ id } } }')
    assert answer.data is None
    error = answer.error
    assert error["message"] == "fntest.Gadget: the name 'forbidden' is refused"
    assert error["extensions"]["code"] == "GADGET_REFUSED"
    assert (error["extensions"]["model"], error["extensions"]["field"]) == \
        ("fntest.Gadget", "name")
    assert error["path"] == ["no", "create"]
    assert trace.names().count("Gadget.create") == 1   # only the first body ran ...
    with fnapp.transaction():
        assert Gadget.count() == 0                     # ... and was rolled back


def test_a_hook_refuses_a_function_before_its_body_runs(fnapp: App, client: Client) -> None:
    answer = client.gql('mutation { calcMutation { stock(gadgets: [{name: "fine"}, '
                        '{name: "forbidden"}]) { id } } }')
    assert answer.codes == ["GADGET_REFUSED"]
    assert "Calc.stock" not in trace.names()
    with fnapp.transaction():
        assert Gadget.count() == 0


def test_calls_made_inside_a_body_run_no_hooks(client: Client) -> None:
    client.gql('mutation { calcMutation { stock(gadgets: [{name: "a"}]) { id } } }').ok()
    assert trace.names() == ["create-type hook stock", "Calc.stock", "Gadget.create"]


def test_backend_calls_run_hooks_only_when_hook_is_set(fnapp: App) -> None:
    trace.SWITCHES.update({"hook-args", "ext-after"})
    assert services.shout(text="hi") == "HI!"
    with fnapp.transaction():
        Gadget(name="quiet").create()
    assert trace.names() == ["Calc.shout", "Gadget.create"]
    trace.TRACE.clear()
    with directives.scope(Directive.HOOK):
        assert services.shout(text="hi") == "HI AND MORE!"   # no extension point ran
        with fnapp.transaction():
            Gadget(name="loud", price=Decimal("1")).create()
        assert directives.current() == Directive.HOOK
    assert trace.names() == [
        "before 10 (model+fun)", "before 20 (module+type) shout", "before 30 (module+fun)",
        "Calc.shout", "after 15 saw HI AND MORE!", "after 40 saw HI AND MORE!",
        "gadget create before-hook", "create-type hook create", "Gadget.create",
        "gadget create after-hook"]
    assert {bits for _, bits in trace.TRACE} == {BACKEND}  # not HOOK: back-end code


def test_ext_point_alone_runs_no_hooks(fnapp: App) -> None:
    with directives.scope(Directive.EXT_POINT):
        assert services.shout(text="hi") == "HI!"
    assert trace.names() == ["Calc.shout"]


def test_an_override_of_a_builtin_keeps_the_builtins_data_bits(client: Client) -> None:
    """The model's `create` replaces the built-in's body, so it runs with the bits that
    steer the data manager (checks, defaults, the caller's rules), but never with HOOK,
    EXT_POINT or FROM_CLIENT: nested calls are back-end calls."""
    client.gql('mutation { gadgetMutation { create(data: {name: "g"}) { id } } }').ok()
    [bits] = [bits for who, bits in trace.TRACE if who == "Gadget.create"]
    assert not bits & (Directive.HOOK | Directive.EXT_POINT | Directive.FROM_CLIENT)
    assert bits & Directive.AUTHENTICATE and bits & Directive.BUILT_ACTION
    assert {bits for who, bits in trace.TRACE if who != "Gadget.create"} == {BACKEND}
