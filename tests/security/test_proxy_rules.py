"""A proxy (`permtest.OpenMemo` over Memo's table) is bound by Memo's record and field
rules on top of its own, on the general and the compiled path, in filters, sorts, the
relations that reach it (`permtest.Pin.memo`) and its functions' results."""
from __future__ import annotations

import pytest

from tests.functions.helpers import Client
from tests.security.permmodule import fixtures
from tests.security.permmodule.fixtures import World

perm_app, clients, world = fixtures.perm_app, fixtures.clients, fixtures.world

PROXY, PIN = "permtest.OpenMemo", "permtest.Pin"
PATHS = ["general", "compiled"]


@pytest.fixture
def proxied(world: World) -> World:
    """`ruled` and `hider` may use the proxy and pins; each memo has a pin."""
    for role in ("ruled", "hider"):
        world.write("base.ModelAccess", role=world.roles[role], model=PROXY, perm_read=True,
                    perm_create=True, perm_update=True, perm_delete=True)
        world.write("base.ModelAccess", role=world.roles[role], model=PIN, perm_read=True)
        world.write("base.FunctionAccess", role=world.roles[role], namespace=PROXY,
                    fun="reopen")
    for key in ("ann's memo", "bob's memo"):
        world.write(PIN, label=f"pin of {key}", memo=world.memos[key])
    world.app.data.rights_cache.invalidate()
    return world


@pytest.mark.parametrize("path", PATHS)
def test_the_targets_record_rule_binds_reads_through_the_proxy(
        proxied: World, clients: dict[str, Client], path: str) -> None:
    bob = str(proxied.memos["bob's memo"])
    answer = clients[path].gql("""query($id: Long) { openMemoQuery {
        queryPage { totalElements content { title } }
        countByWrapper
        queryOne(query: {id: $id}) { title }
        sorted: queryListByWrapper(queryWrapper: {rsql: "title=like=memo"}) { title } } }""",
                               {"id": bob}, proxied.identities["ruled"]).ok()
    assert answer == {"openMemoQuery": {
        "queryPage": {"totalElements": 1, "content": [{"title": "ann's memo"}]},
        "countByWrapper": 1, "queryOne": None, "sorted": [{"title": "ann's memo"}]}}


@pytest.mark.parametrize("path", PATHS)
def test_the_targets_record_rule_binds_a_relation_that_reaches_the_proxy(
        proxied: World, clients: dict[str, Client], path: str) -> None:
    answer = clients[path].gql("""{ pinQuery {
        queryListByWrapper { label memo { title } }
        probe: countByWrapper(queryWrapper: {rsql: "memo.title==\\"bob's memo\\""}) } }""",
                               None, proxied.identities["ruled"]).ok()
    assert answer == {"pinQuery": {"queryListByWrapper": [
        {"label": "pin of ann's memo", "memo": {"title": "ann's memo"}},
        {"label": "pin of bob's memo", "memo": None}], "probe": 0}}
    full = clients[path].gql('{ pinQuery { countByWrapper(queryWrapper: '
                             '{rsql: "memo.title==\\"bob\'s memo\\""}) } }',
                             None, proxied.identities["admin"]).ok()
    assert full == {"pinQuery": {"countByWrapper": 1}}            # the probe can find it


@pytest.mark.parametrize("path", PATHS)
def test_the_targets_hidden_field_stays_hidden_through_the_proxy(
        proxied: World, clients: dict[str, Client], path: str) -> None:
    hugo, client = proxied.identities["hider"], clients[path]
    bob = str(proxied.memos["bob's memo"])
    read = client.gql("""{
        openMemoQuery { queryListByWrapper { title salary } }
        pinQuery { queryListByWrapper { memo { salary } } } }""", None, hugo).ok()
    assert read == {
        "openMemoQuery": {"queryListByWrapper": [{"title": "ann's memo", "salary": None},
                                                 {"title": "bob's memo", "salary": None}]},
        "pinQuery": {"queryListByWrapper": [{"memo": {"salary": None}}] * 2}}
    reopened = client.gql("mutation($id: Long) { openMemoMutation { reopen(data: {id: $id}) "
                           "{ title salary } } }", {"id": bob}, hugo).ok()
    assert reopened == {"openMemoMutation": {"reopen": {"title": "bob's memo",
                                                        "salary": None}}}
    for rsql, root in (("salary>5", "openMemoQuery"), ("memo.salary>5", "pinQuery")):
        probe = client.gql("query($rsql: String) { %s { countByWrapper(queryWrapper: "
                           "{rsql: $rsql}) } }" % root, {"rsql": rsql}, hugo)
        assert probe.codes == ["RSQL_UNKNOWN_FIELD"], (rsql, probe.body)
    written = client.gql('mutation($id: Long) { openMemoMutation { update(data: '
                         '{id: $id, stamp: "S"}) { id } } }', {"id": bob}, hugo)
    assert written.codes == ["ACCESS_DENIED"]
    assert proxied.memo("bob's memo").stamp == "B"


@pytest.mark.parametrize("path", PATHS)
def test_roles_without_rules_read_everything_through_the_proxy(
        proxied: World, clients: dict[str, Client], path: str) -> None:
    for role in ("full", "reader"):
        proxied.write("base.ModelAccess", role=proxied.roles[role], model=PROXY,
                      perm_read=True)
    proxied.app.data.rights_cache.invalidate()
    answer = clients[path].gql("{ openMemoQuery { queryListByWrapper { salary } } }", None,
                               proxied.identities["full"]).ok()
    assert answer == {"openMemoQuery": {"queryListByWrapper": [{"salary": "10.0000"},
                                                               {"salary": "20.0000"}]}}
