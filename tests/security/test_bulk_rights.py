"""Locks, increments, conditional updates and bulk inserts obey a client caller's rights:
the model right (update, or create for inserts), record rules for update (and read, for
locks) ANDed into the statement, and field rules. Back-end code and admins pass.

Roles (see permmodule/fixtures.py): `ruled` (ann) writes only memos she created, `hider`
(hugo) has `salary` hidden and `stamp` read-only, `reader` may only read, `no rights`
nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest

from modelry import ConditionFailed, DataError, directives
from modelry.core.security.authorization import AccessDenied
from modelry.core.security.identity import acting
from tests.security.permmodule import fixtures
from tests.security.permmodule.fixtures import MEMO, World

perm_app, world = fixtures.perm_app, fixtures.world
ANNS, BOBS = "ann's memo", "bob's memo"


@contextmanager
def client(world: World, who: str) -> Iterator[Any]:
    """Act as `who` with a client's directives, in a transaction; yields the Memo class."""
    with acting(world.identities[who]), directives.client_scope(), world.app.transaction():
        yield world.cls(MEMO)


def _refused(call: Callable[[], Any], error: type[Exception] = DataError) -> Any:
    with pytest.raises(error) as caught:
        call()
    return caught.value


def test_record_rules_bind_every_call(world: World) -> None:
    ann, bob = world.memos[ANNS], world.memos[BOBS]
    with client(world, "ruled") as Memo:
        assert [m.id for m in Memo.lock([ann, bob])] == [ann]
        assert Memo.increment(bob, salary=Decimal(1)) == 0
        assert Memo.increment(ann, salary=Decimal(1)) == 1
        assert Memo.update_where({"id__in": [ann, bob]}, body="edited") == 1
        failure = _refused(lambda: Memo.increment_batch({ann: {"salary": 1}, bob: {"salary": 1}}),
                           ConditionFailed)
        assert (failure.missing, failure.refused) == ([bob], [])
    assert (world.memo(ANNS).salary, world.memo(ANNS).body) == (Decimal("11"), "edited")
    assert (world.memo(BOBS).salary, world.memo(BOBS).body) == (Decimal("20"), None)


def test_field_rules_refuse_hidden_and_read_only_fields(world: World) -> None:
    ann = world.memos[ANNS]
    with client(world, "hider") as Memo:
        for call, field in [
                (lambda: Memo.increment(ann, salary=Decimal(1)), "salary"),
                (lambda: Memo.increment_batch({ann: {"salary": 1}}), "salary"),
                (lambda: Memo.update_where({"id": ann}, stamp="X"), "stamp"),
                (lambda: Memo.insert_bulk([{"title": "t", "salary": 5}]), "salary"),
                (lambda: Memo.insert_bulk([{"title": "t", "stamp": "X"}]), "stamp")]:
            refused = _refused(call)
            assert (refused.code, refused.model, refused.field) == (
                "FIELD_NOT_WRITABLE", MEMO, field)
        # a hidden field cannot be probed through a condition either
        hidden = _refused(lambda: Memo.update_where({"salary__gt": 15}, body="rich"))
        unknown = _refused(lambda: Memo.update_where({"wages__gt": 15}, body="rich"))
        assert hidden.code == unknown.code == "BAD_FILTER"
        assert hidden.message == unknown.message.replace("wages", "salary")
        rsql = _refused(lambda: Memo.update_where("salary>15", body="rich"))
        assert rsql.code == "RSQL_UNKNOWN_FIELD"
        assert Memo.update_where({"id": ann}, body="allowed") == 1
    assert world.memo(ANNS).stamp == "A" and world.memo(ANNS).body == "allowed"


@pytest.mark.parametrize("who", ["no rights", "reader"])
def test_the_model_right_is_needed(world: World, who: str) -> None:
    ann = world.memos[ANNS]
    with client(world, who) as Memo:
        for call in (lambda: Memo.lock([ann]), lambda: Memo.increment(ann, salary=1),
                     lambda: Memo.increment_batch({ann: {"salary": 1}}),
                     lambda: Memo.update_where({"id": ann}, body="x"),
                     lambda: Memo.insert_bulk([{"title": "t"}])):
            refused = _refused(call, AccessDenied)
            assert (refused.code, refused.model) == ("ACCESS_DENIED", MEMO)
    assert world.memo_titles() == [ANNS, BOBS]


def test_clients_may_not_choose_ids_or_audit_fields(world: World) -> None:
    with client(world, "full") as Memo:
        assert _refused(lambda: Memo.insert_bulk([{"title": "t", "id": 99}])).code == \
            "ID_NOT_ALLOWED"
        refused = _refused(lambda: Memo.insert_bulk([{"title": "t", "create_uid": 1}]))
        assert (refused.code, refused.field) == ("FIELD_NOT_WRITABLE", "create_uid")
        ids = Memo.insert_bulk([{"title": "new"}], returning_ids=True)
    assert world.memo_titles() == [ANNS, BOBS, "new"]
    with directives.scope(), world.app.transaction():
        assert world.cls(MEMO).query_by_id(ids[0]).create_uid == world.users["bob"]


@pytest.mark.parametrize("who", ["admin", "no rights"])
def test_admins_and_back_end_code_pass(world: World, who: str) -> None:
    ann, bob = world.memos[ANNS], world.memos[BOBS]
    scope = directives.client_scope() if who == "admin" else directives.scope()
    with acting(world.identities[who]), scope, world.app.transaction():
        Memo = world.cls(MEMO)
        assert len(Memo.lock([ann, bob])) == 2
        assert Memo.increment_batch({ann: {"salary": 1}, bob: {"salary": 1}}) == 2
        assert Memo.update_where({"salary__gt": 0}, stamp="Z") == 2
        assert Memo.insert_bulk([{"title": "more", "salary": 1}]) == 1
    assert [world.memo(key).salary for key in (ANNS, BOBS)] == [Decimal("11"), Decimal("21")]
