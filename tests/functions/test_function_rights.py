"""Function rights on client calls: the permission hook runs before every module hook,
and a service function's right is a function right, whatever its name."""
from __future__ import annotations

from modelry.boot import App
from modelry.core.security.identity import Identity
from tests.functions.fnmodule import trace
from tests.functions.fnmodule.models import Gadget
from tests.functions.helpers import Client

NOBODY = Identity(user_id=None, roles=frozenset({"nobody"}))   # a role granting nothing


def test_the_permission_hook_refuses_before_any_module_hook(client: Client) -> None:
    answer = client.gql('{ calcQuery { shout(text: "hi") } }', identity=NOBODY)
    assert answer.error["message"] == "access denied: you may not call fntest.Calc.shout"
    assert answer.error["extensions"]["code"] == "ACCESS_DENIED"
    assert trace.names() == []                       # no hook, no body ran
    refused = client.gql('mutation { gadgetMutation { create(data: {name: "g"}) { id } } }',
                         identity=NOBODY)
    assert refused.error["message"] == "access denied: you may not create fntest.Gadget"
    assert trace.names() == []


def test_a_service_function_named_like_a_builtin_needs_its_function_right(
        fnapp: App, client: Client) -> None:
    with fnapp.transaction():
        Gadget(name="gone soon").create()
    denied = client.gql("mutation { calcMutation { delete } }", identity=NOBODY)
    assert denied.error["message"] == "access denied: you may not call fntest.Calc.delete"
    granted = client.gql("mutation { calcMutation { delete } }")  # anonymous holds the right
    assert granted.ok() == {"calcMutation": {"delete": 1}}
