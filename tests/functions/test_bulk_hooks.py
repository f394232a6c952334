"""Bulk writes are data-manager calls, like `create_batch`: hooks and extension points run
for functions (the one that calls them included), not for these calls, whatever the
directives say."""
from __future__ import annotations

from modelry import directives
from modelry.boot import App
from modelry.directives import Directive
from tests.functions.fnmodule import trace
from tests.functions.fnmodule.models import Gadget

CREATE_HOOKS = ["gadget create before-hook", "create-type hook create", "Gadget.create",
                "gadget create after-hook"]


def test_create_runs_hooks_where_bulk_calls_do_not(fnapp: App) -> None:
    with directives.scope(Directive.HOOK | Directive.EXT_POINT), fnapp.transaction():
        created = Gadget(name="one").create()
        assert trace.names() == CREATE_HOOKS
        trace.reset()
        Gadget.create_batch([Gadget(name="two")])
        ids = Gadget.insert_bulk([{"name": "three"}, {"name": "four"}], returning_ids=True)
        Gadget.increment_batch({key: {"price": 1} for key in ids})
        Gadget.increment(created.id, price=2)
        Gadget.update_where({"id__in": ids}, note="bulk")
        assert [g.name for g in Gadget.lock(ids)] == ["three", "four"]
    assert trace.names() == []
    stored = {g.name: (g.price, g.note) for g in Gadget.query_list()}
    assert stored["three"] == stored["four"] == (1, "bulk")
    assert stored["one"] == (2, "via override")
