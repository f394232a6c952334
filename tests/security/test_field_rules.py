"""Field rules: a hidden field is null in every result, cannot be written and cannot be
filtered or sorted on (errors as for a field that does not exist); a read-only field is
read but not written. Role `hider` has `salary` hidden and `stamp` read-only on memos."""
from __future__ import annotations

from decimal import Decimal

import pytest

from modelry import directives
from tests.functions.helpers import Client
from tests.security.permmodule import fixtures
from tests.security.permmodule.fixtures import MEMO, World

perm_app, clients, world = fixtures.perm_app, fixtures.clients, fixtures.world

MEMO_FIELDS = "id title salary stamp"


def test_a_hidden_field_is_null_in_every_result(world: World,
                                                clients: dict[str, Client]) -> None:
    hugo, client = world.identities["hider"], clients["compiled"]
    bob = str(world.memos["bob's memo"])
    read = client.gql("""query($id: Long, $rsql: String) {
        memoQuery {
          queryPage { content { title salary stamp } }
          queryOne(query: {id: $id}) { salary stamp }
          queryOneByWrapper(queryWrapper: {rsql: $rsql}) { salary }
          queryListByWrapper { salary }
          construct(data: {title: "draft"}) { title salary }
        }
        folderQuery { queryListByWrapper { memos { title salary } } } }""",
                      {"id": bob, "rsql": f"id=={bob}"}, hugo).ok()
    assert read == {"memoQuery": {
        "queryPage": {"content": [{"title": "ann's memo", "salary": None, "stamp": "A"},
                                  {"title": "bob's memo", "salary": None, "stamp": "B"}]},
        "queryOne": {"salary": None, "stamp": "B"},
        "queryOneByWrapper": {"salary": None},
        "queryListByWrapper": [{"salary": None}, {"salary": None}],
        "construct": {"title": "draft", "salary": None}},
        "folderQuery": {"queryListByWrapper": [{"memos": [
            {"title": "ann's memo", "salary": None}, {"title": "bob's memo", "salary": None}]}]}}
    written = client.gql("""mutation($id: Long) { memoMutation {
        update(data: {id: $id, body: "seen"}) { body salary }
        archive(data: {id: $id}) { body salary } } }""", {"id": bob}, hugo).ok()
    assert written == {"memoMutation": {"update": {"body": "seen", "salary": None},
                                        "archive": {"body": "archived", "salary": None}}}
    assert world.memo("bob's memo").salary == Decimal("20")      # still stored


def test_roles_without_the_rule_and_admins_read_the_field(world: World,
                                                          clients: dict[str, Client]) -> None:
    query = "{ memoQuery { queryListByWrapper { salary } } }"
    for who in ("full", "admin"):
        assert clients["compiled"].gql(query, None, world.identities[who]).ok() == {
            "memoQuery": {"queryListByWrapper": [{"salary": "10.0000"},
                                                 {"salary": "20.0000"}]}}


@pytest.mark.parametrize(("document", "field"), [
    ('mutation { memoMutation { create(data: {title: "x", salary: "1"}) { id } } }', "salary"),
    ('mutation { memoMutation { create(data: {title: "x", stamp: "S"}) { id } } }', "stamp"),
    ('mutation($id: Long) { memoMutation { update(data: {id: $id, salary: "99"}) { id } } }',
     "salary"),
    ('mutation($id: Long) { memoMutation { update(data: {id: $id, stamp: "S"}) { id } } }',
     "stamp"),
    ('mutation($id: Long) { memoMutation { archive(data: {id: $id, salary: "99"}) { id } } }',
     "salary"),                                         # function inputs are checked too
])
def test_hidden_and_readonly_fields_cannot_be_written(world: World, clients: dict[str, Client],
                                                      document: str, field: str) -> None:
    before = world.memo("bob's memo").to_dict()
    variables = {"id": str(world.memos["bob's memo"])} if "$id" in document else None
    answer = clients["compiled"].gql(document, variables, world.identities["hider"])
    assert answer.data is None
    assert answer.error["message"] == f"access denied: you may not write {MEMO}.{field}"
    assert answer.error["extensions"]["code"] == "ACCESS_DENIED"
    assert (answer.error["extensions"]["model"], answer.error["extensions"]["field"]) == \
        (MEMO, field)
    assert world.memo("bob's memo").to_dict() == before
    assert world.memo_titles() == ["ann's memo", "bob's memo"]


@pytest.mark.parametrize("client_kind", ["compiled", "general"])
@pytest.mark.parametrize("sent", ["folderId: $folder", "folder: {id: $folder}"])
def test_a_readonly_many_to_one_cannot_be_written_by_record_or_by_id(
        world: World, clients: dict[str, Client], client_kind: str, sent: str) -> None:
    world.write("base.FieldAccess", role=world.roles["hider"], model=MEMO, field="folder",
                readonly=True)
    other = world.write("permtest.Folder", name="elsewhere").id
    answer = clients[client_kind].gql(
        "mutation($id: Long, $folder: Long) { memoMutation { update(data: {id: $id, %s}) "
        "{ id } } }" % sent, {"id": str(world.memos["bob's memo"]), "folder": str(other)},
        world.identities["hider"])
    assert answer.data is None
    assert answer.error["message"] == f"access denied: you may not write {MEMO}.folder"
    assert answer.error["extensions"]["code"] == "ACCESS_DENIED"
    assert world.memo("bob's memo").folder.id == world.folder


def test_the_same_writes_pass_for_a_role_without_field_rules(world: World,
                                                             clients: dict[str, Client]) -> None:
    answer = clients["compiled"].gql(
        'mutation($id: Long) { memoMutation { update(data: {id: $id, salary: "99", '
        'stamp: "S"}) { salary stamp } } }', {"id": str(world.memos["bob's memo"])},
        world.identities["full"])
    assert answer.ok() == {"memoMutation": {"update": {"salary": "99.0000", "stamp": "S"}}}


def rsql_error(client: Client, world: World, who: str, rsql: str, root: str = "memoQuery"
               ) -> dict:
    answer = client.gql("query($rsql: String) { %s { queryPage(queryWrapper: {rsql: $rsql}) "
                        "{ totalElements } } }" % root, {"rsql": rsql}, world.identities[who])
    assert answer.data is None
    return answer.error


@pytest.mark.parametrize("rsql", ["salary>5", "salary=isnull=true", "title==x,salary==20"])
def test_a_hidden_field_cannot_be_filtered_on(world: World, clients: dict[str, Client],
                                              rsql: str) -> None:
    hidden = rsql_error(clients["compiled"], world, "hider", rsql)
    unknown = rsql_error(clients["compiled"], world, "hider", rsql.replace("salary", "wages"))
    assert hidden["extensions"]["code"] == unknown["extensions"]["code"] == "RSQL_UNKNOWN_FIELD"
    assert hidden["message"] == unknown["message"].replace("wages", "salary")
    assert clients["compiled"].gql(                       # the same filter for another role
        "query($rsql: String) { memoQuery { countByWrapper(queryWrapper: {rsql: $rsql}) } }",
        {"rsql": rsql}, world.identities["full"]).ok()


def test_a_hidden_field_is_never_suggested(world: World, clients: dict[str, Client]) -> None:
    client = clients["compiled"]
    assert "did you mean 'salary'?" in rsql_error(client, world, "full", "salar>5")["message"]
    hidden = rsql_error(client, world, "hider", "salar>5")["message"]
    assert "salary" not in hidden and "did you mean" not in hidden


def test_a_hidden_field_cannot_be_reached_through_a_relation_or_sorted_on(
        world: World, clients: dict[str, Client]) -> None:
    through = rsql_error(clients["compiled"], world, "hider", "memos.salary>5", "folderQuery")
    assert through["extensions"]["code"] == "RSQL_UNKNOWN_FIELD"
    sorted_by = clients["compiled"].gql(
        '{ memoQuery { queryPage(page: {sort: {orders: [{field: "salary"}]}}) '
        '{ content { id } } } }', None, world.identities["hider"])
    assert sorted_by.codes == ["RSQL_UNKNOWN_FIELD"]
    assert "salary" not in sorted_by.error["message"].partition("unknown field")[0]


def test_a_hidden_field_cannot_be_compared_with_cole(world: World,
                                                     clients: dict[str, Client]) -> None:
    hidden = rsql_error(clients["compiled"], world, "hider", "title=cole=salary")
    unknown = rsql_error(clients["compiled"], world, "hider", "title=cole=wages")
    assert hidden["message"] == unknown["message"].replace("wages", "salary")


@pytest.mark.parametrize("path", ["general", "compiled"])
def test_a_hidden_field_cannot_be_probed_through_query_one(
        world: World, clients: dict[str, Client], path: str) -> None:
    answer = clients[path].gql('{ memoQuery { queryOne(query: {salary: "20"}) { title } } }',
                               None, world.identities["hider"])
    assert answer.codes == ["ACCESS_DENIED"] and answer.data == {"memoQuery": {"queryOne": None}}
    assert answer.error["message"] == "permtest.Memo: cannot match on 'salary'"


def test_field_rule_changes_apply_to_the_next_request(world: World,
                                                      clients: dict[str, Client]) -> None:
    query = "{ memoQuery { queryListByWrapper { salary } } }"
    hugo, client = world.identities["hider"], clients["compiled"]
    assert client.gql(query, None, hugo).ok()["memoQuery"]["queryListByWrapper"][0] == \
        {"salary": None}
    FieldAccess = world.cls("base.FieldAccess")
    with directives.scope(), world.app.transaction():
        [rule] = FieldAccess.query_list(field="salary")
        rule.hidden = False
        rule.update_by_id()
    assert client.gql(query, None, hugo).ok()["memoQuery"]["queryListByWrapper"][0] == \
        {"salary": "10.0000"}
