"""Who may call what: a permission matrix over every built-in and two custom functions,
record rules, rights changes taking effect, audit fields, and sudo for back-end code.

Client calls go through the in-process executor as an identity (what a bearer token
resolves to); tokens themselves are tested in test_auth*.py / test_tokens.py.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from modelry import directives
from modelry.core.security.authorization import AccessDenied
from modelry.core.security.identity import acting
from modelry.directives import Directive
from tests.functions.helpers import Answer, Client
from tests.security.permmodule import fixtures
from tests.security.permmodule.fixtures import FOLDER, MEMO, OWN_RECORDS, World

perm_app, clients, world = fixtures.perm_app, fixtures.clients, fixtures.world

READS = ("queryPage", "queryOne", "queryOneByWrapper", "queryListByWrapper",
         "countByWrapper", "construct")
WRITES = ("create", "update", "delete")
FUNCTIONS = ("archive", "totalSalary")
PERM = {"create": "create", "update": "update", "delete": "delete"}
ANNS = "ann's memo"

OPERATIONS = {
    "queryPage": ("{ memoQuery { queryPage { content { id } totalElements } } }", None),
    "queryOne": ("query($id: Long) { memoQuery { queryOne(query: {id: $id}) { id } } }",
                 "read"),
    "queryOneByWrapper": ("query($rsql: String) { memoQuery { queryOneByWrapper("
                          "queryWrapper: {rsql: $rsql}) { id } } }", "read"),
    "queryListByWrapper": ("{ memoQuery { queryListByWrapper { id } } }", None),
    "countByWrapper": ("{ memoQuery { countByWrapper } }", None),
    "construct": ('{ memoQuery { construct(data: {title: "draft"}) { title } } }', None),
    "create": ('mutation { memoMutation { create(data: {title: "created"}) { id } } }', None),
    "update": ('mutation($id: Long) { memoMutation { update(data: {id: $id, '
               'title: "updated"}) { id title } } }', "update"),
    "delete": ("mutation($id: Long) { memoMutation { delete(dataList: [{id: $id}]) "
               "{ id } } }", "delete"),
    "archive": ("mutation($id: Long) { memoMutation { archive(data: {id: $id}) "
                "{ id body } } }", "archive"),
    "totalSalary": ("{ memoQuery { totalSalary } }", None),
}

ALL, NOTHING = READS + WRITES + FUNCTIONS, ()
ALLOWED = {"anonymous": NOTHING, "no rights": NOTHING, "reader": READS, "full": ALL,
           "ruled": ALL, "admin": ALL}


def request(client: Client, world: World, who: str, operation: str,
            own: dict[str, int]) -> Answer:
    """Run `operation` as `who` on the memos `who` created (`own`)."""
    query, target = OPERATIONS[operation]
    variables: dict[str, Any] = {}
    if target == "read":
        variables = {"id": str(own["read"]), "rsql": f"id=={own['read']}"}
    elif target is not None:
        variables = {"id": str(own[target])}
    used = {k: v for k, v in variables.items() if f"${k}" in query}
    return client.gql(query, used, world.identities[who])


def no_values(data: Any) -> bool:
    """True when `data` holds nothing but nulls."""
    if isinstance(data, dict):
        return all(no_values(value) for value in data.values())
    return data is None


def denial(operation: str) -> str:
    """The message of a refused `operation` on memos."""
    if operation in FUNCTIONS:
        return f"access denied: you may not call {MEMO}.{operation}"
    return f"access denied: you may not {PERM.get(operation, 'read')} {MEMO}"


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_permission_matrix(world: World, clients: dict[str, Client], who: str) -> None:
    owner = world.identities[who].login
    own = {target: world.add_memo(f"{who} {target}", owner, salary=Decimal("1"))
           for target in ("read", "update", "delete", "archive")}
    before = world.memo_titles()
    outcome = {}
    for operation in OPERATIONS:
        answer = request(clients["compiled"], world, who, operation, own)
        if answer.errors:
            error = answer.error
            assert no_values(answer.data)                    # not even a partial answer
            assert error["message"] == denial(operation)   # names the model or function
            assert (error["extensions"]["model"], error["extensions"]["field"]) == (MEMO, None)
            outcome[operation] = error["extensions"]["code"]
        else:
            assert answer.ok() is not None
            outcome[operation] = "ok"
    expected = {op: "ok" if op in ALLOWED[who] else "ACCESS_DENIED" for op in OPERATIONS}
    assert outcome == expected
    if "update" in ALLOWED[who]:
        assert world.memo(f"{who} update").title == "updated"
        assert world.memo(f"{who} delete") is None
        assert world.memo(f"{who} archive").body == "archived"
        assert "created" in world.memo_titles()
    else:
        assert world.memo_titles() == before          # nothing written, nothing deleted
        assert world.memo(f"{who} archive").body is None


def test_allowed_calls_answer_what_the_caller_may_see(world: World,
                                                     clients: dict[str, Client]) -> None:
    query = "{ memoQuery { queryPage { totalElements } countByWrapper totalSalary } }"
    seen = {who: clients["compiled"].gql(query, None, world.identities[who]).ok()["memoQuery"]
            for who in ("full", "ruled", "admin")}
    assert seen["full"] == seen["admin"] == {"queryPage": {"totalElements": 2},
                                             "countByWrapper": 2, "totalSalary": "30.0000"}
    # a record rule narrows reads; a custom function's body is back-end code: the
    # function right is its whole check, and rules do not apply inside it
    assert seen["ruled"] == {"queryPage": {"totalElements": 1}, "countByWrapper": 1,
                             "totalSalary": "30.0000"}


def test_denials_reveal_nothing_but_the_model(world: World,
                                             clients: dict[str, Client]) -> None:
    secret = world.memos["bob's memo"]
    answer = clients["compiled"].gql(
        "query($id: Long) { memoQuery { queryOne(query: {id: $id}) { title salary } } }",
        {"id": str(secret)}, world.identities["no rights"])
    assert answer.body["data"] == {"memoQuery": {"queryOne": None}}
    assert answer.body["errors"][0]["message"] == f"access denied: you may not read {MEMO}"
    assert answer.body["extensions"]["messages"] == [{
        "level": "ERROR", "message": f"access denied: you may not read {MEMO}",
        "code": "ACCESS_DENIED", "model": MEMO, "field": None,
        "path": ["memoQuery", "queryOne"]}]
    text = str(answer.body)
    assert "bob" not in text and "20" not in text and "user" not in text


# ── record rules ─────────────────────────────────────────────────────────────────
def test_a_record_rule_hides_rows_from_every_read(world: World,
                                                  clients: dict[str, Client]) -> None:
    ann, hidden = world.identities["ruled"], world.memos["bob's memo"]
    answer = clients["compiled"].gql("""query($hidden: String) { memoQuery {
        queryPage { content { title createUid } totalElements totalPages }
        countByWrapper
        all: queryListByWrapper { title }
        byRsql: queryListByWrapper(queryWrapper: {rsql: "title=like=memo"}) { title }
        hidden: queryOneByWrapper(queryWrapper: {rsql: $hidden}) { title }
        mine: queryOneByWrapper(queryWrapper: {rsql: "title=starts=ann"}) { title }
      } }""", {"hidden": f"id=={hidden}"}, ann).ok()["memoQuery"]
    assert answer == {
        "queryPage": {"content": [{"title": "ann's memo", "createUid": str(ann.user_id)}],
                      "totalElements": 1, "totalPages": 1},
        "countByWrapper": 1, "all": [{"title": "ann's memo"}],
        "byRsql": [{"title": "ann's memo"}], "hidden": None,
        "mine": {"title": "ann's memo"}}


@pytest.mark.parametrize("path", [
    "general",
    "compiled",
])
def test_a_record_rule_hides_rows_from_query_one(world: World, clients: dict[str, Client],
                                                 path: str) -> None:
    answer = clients[path].gql("""query($id: Long) { memoQuery {
        byId: queryOne(query: {id: $id}) { title }
        byTitle: queryOne(query: {title: "bob's memo"}) { title }
        mine: queryOne(query: {title: "ann's memo"}) { title } } }""",
                               {"id": str(world.memos["bob's memo"])},
                               world.identities["ruled"])
    assert answer.ok() == {"memoQuery": {"byId": None, "byTitle": None,
                                         "mine": {"title": "ann's memo"}}}


def test_a_record_rule_refuses_updates_and_deletes_of_hidden_rows(
        world: World, clients: dict[str, Client]) -> None:
    ann, client = world.identities["ruled"], clients["compiled"]
    hidden = str(world.memos["bob's memo"])
    update = ('mutation($id: Long) { memoMutation { update(data: {id: $id, title: "mine"}) '
              '{ id } } }')
    delete = "mutation($id: Long) { memoMutation { delete(dataList: [{id: $id}]) { id } } }"
    refused = client.gql(update, {"id": hidden}, ann)
    missing = client.gql(update, {"id": "987654"}, ann)
    assert refused.codes == missing.codes == ["RECORD_NOT_FOUND"]      # as if it did not exist
    assert refused.error["message"] == missing.error["message"].replace("987654", hidden)
    assert client.gql(delete, {"id": hidden}, ann).codes == ["RECORD_NOT_FOUND"]
    both = client.gql("mutation($ids: [MemoInput!]!) { memoMutation { delete(dataList: $ids) "
                      "{ id } } }", {"ids": [{"id": str(world.memos["ann's memo"])},
                                             {"id": hidden}]}, ann)
    assert both.codes == ["RECORD_NOT_FOUND"]
    assert world.memo_titles() == ["ann's memo", "bob's memo"]       # nothing changed
    assert world.memo("bob's memo").title == "bob's memo"
    mine = str(world.memos["ann's memo"])
    assert client.gql(update, {"id": mine}, ann).ok()
    assert client.gql(delete, {"id": mine}, ann).ok()
    assert world.memo_titles() == ["bob's memo"]


def test_a_rule_on_updates_only_refuses_updates_with_an_honest_error(
        world: World, clients: dict[str, Client]) -> None:
    world.write("base.RecordRule", role=world.roles["full"], model=MEMO, rsql=OWN_RECORDS,
                perm_read=False)
    bob, client = world.identities["full"], clients["compiled"]
    assert client.gql("{ memoQuery { countByWrapper } }", None, bob).ok() == \
        {"memoQuery": {"countByWrapper": 2}}                      # reads are not limited
    answer = client.gql('mutation($id: Long) { memoMutation { update(data: {id: $id, '
                        'title: "x"}) { id } } }', {"id": str(world.memos["ann's memo"])}, bob)
    assert world.memo("ann's memo").title == "ann's memo"
    # refused as for an id that does not exist (graphql/calls/writes.py: a record outside the rule)
    assert answer.codes == ["RECORD_NOT_FOUND"]
    assert answer.error["message"] == f"{MEMO}: no record with id {world.memos[ANNS]}"


def test_a_record_rule_hides_rows_behind_relations(world: World,
                                                   clients: dict[str, Client]) -> None:
    answer = clients["general"].gql("{ folderQuery { queryPage { content { memos { title } } "
                                    "} } }", None, world.identities["ruled"])
    assert answer.ok() == {"folderQuery": {"queryPage": {"content": [
        {"memos": [{"title": "ann's memo"}]}]}}}


@pytest.mark.parametrize("path", ["compiled", "general"])
def test_related_records_of_a_model_the_caller_may_not_read_stay_unseen(
        world: World, clients: dict[str, Client], path: str) -> None:
    query = "{ memoQuery { queryPage { content { title folderId folder { name } } } } }"
    seen = {who: clients[path].gql(query, None, world.identities[who]).ok()[
        "memoQuery"]["queryPage"]["content"] for who in ("reader", "full")}
    folder = str(world.folder)
    # reader may read memos but not folders: the key shows, the folder does not
    assert {(m["folderId"], str(m["folder"])) for m in seen["reader"]} == {(folder, "None")}
    assert {m["folder"]["name"] for m in seen["full"]} == {"shared"}


@pytest.mark.parametrize("path", ["compiled", "general"])
def test_filters_and_sorts_across_relations_cannot_probe_unseen_records(
        world: World, clients: dict[str, Client], path: str) -> None:
    def count(who: str, model: str, rsql: str) -> int:
        query = ("query($rsql: String) { %sQuery { countByWrapper(queryWrapper: "
                 "{rsql: $rsql}) } }")
        return clients[path].gql(query % model, {"rsql": rsql}, world.identities[who]).ok()[
            f"{model}Query"]["countByWrapper"]

    bobs, anns = 'memos.title=="bob\'s memo"', 'memos.title=="ann\'s memo"'
    # ruled (ann) sees only her memos: the folder holding bob's memo is not found by it
    assert (count("ruled", "folder", anns), count("ruled", "folder", bobs)) == (1, 0)
    assert (count("full", "folder", anns), count("full", "folder", bobs)) == (1, 1)
    assert count("ruled", "folder", 'memos.title=out=("bob\'s memo")') == 1
    # reader may not read folders: a filter through the relation matches nothing
    assert count("reader", "memo", "folder.name==shared") == 0
    assert count("full", "memo", "folder.name==shared") == 2
    # two folders whose names sort unlike their ids; then renamed so that they sort the
    # other way round: a sort by folder name that a caller may see follows the names
    alpha = world.write(FOLDER, name="alpha").id
    change(world, MEMO, world.memos["bob's memo"], folder=alpha)

    def orders(who: str) -> dict[str, list[str]]:
        query = ('{ memoQuery { queryPage(page: {sort: {orders: [{field: "folder.name", '
                 'direction: %s}]}}) { content { title } } } }')
        return {direction: [m["title"] for m in clients[path].gql(
            query % direction, None, world.identities[who]).ok()[
            "memoQuery"]["queryPage"]["content"]] for direction in ("ASC", "DESC")}

    before = {who: orders(who) for who in ("full", "reader")}
    change(world, FOLDER, alpha, name="zulu")
    after = {who: orders(who) for who in ("full", "reader")}
    assert before["full"] == {"ASC": ["bob's memo", "ann's memo"],
                              "DESC": ["ann's memo", "bob's memo"]}
    assert after["full"] == {"ASC": ["ann's memo", "bob's memo"],
                             "DESC": ["bob's memo", "ann's memo"]}
    assert after["reader"] == before["reader"]          # names it may not read change nothing


def change(world: World, model: str, identifier: int, **values: Any) -> None:
    """Write `values` into record `identifier` of `model` (as back-end code)."""
    with directives.scope(), world.app.transaction():
        record = world.cls(model).query_by_id(identifier)
        for name, value in values.items():
            setattr(record, name, value)
        record.update_by_id()


def test_a_rule_placeholder_without_a_user_matches_nothing(world: World,
                                                          clients: dict[str, Client]) -> None:
    world.write("base.ModelAccess", role=world.roles["anonymous"], model=MEMO)
    world.write("base.RecordRule", role=world.roles["anonymous"], model=MEMO, rsql=OWN_RECORDS)
    world.add_memo("nobody's memo", None)
    answer = clients["compiled"].gql("{ memoQuery { countByWrapper } }", None,
                                     world.identities["anonymous"])
    assert answer.ok() == {"memoQuery": {"countByWrapper": 0}}


# ── rights changes, audit fields, sudo ───────────────────────────────────────────
CREATE = 'mutation { memoMutation { create(data: {title: "new"}) { id } } }'


def test_rights_written_through_the_data_manager_apply_to_the_next_request(
        world: World, clients: dict[str, Client]) -> None:
    dora, client = world.identities["reader"], clients["compiled"]
    count = "{ memoQuery { countByWrapper } }"
    assert client.gql(CREATE, None, dora).codes == ["ACCESS_DENIED"]
    ModelAccess = world.cls("base.ModelAccess")
    with directives.scope(), world.app.transaction():
        [access] = ModelAccess.query_list(role=world.roles["reader"])
        access.perm_create = True
        access.update_by_id()
    assert client.gql(CREATE, None, dora).ok()
    world.write("base.RecordRule", role=world.roles["reader"], model=MEMO, rsql=OWN_RECORDS)
    assert client.gql(count, None, dora).ok() == {"memoQuery": {"countByWrapper": 1}}
    with directives.scope(), world.app.transaction():
        ModelAccess.delete_batch(ModelAccess.query_list(role=world.roles["reader"]))
    assert client.gql(count, None, dora).codes == ["ACCESS_DENIED"]


def test_an_admin_grants_rights_through_graphql(world: World,
                                               clients: dict[str, Client]) -> None:
    client, carl = clients["compiled"], world.identities["no rights"]
    assert client.gql(CREATE, None, carl).codes == ["ACCESS_DENIED"]
    granted = client.gql("mutation($role: Long) { modelAccessMutation { create(data: {"
                         'roleId: $role, model: "permtest.Memo", permCreate: true}) { id } } }',
                         {"role": str(world.roles["user"])}, world.identities["admin"])
    assert granted.ok()
    assert client.gql(CREATE, None, carl).ok()
    # the rights models are models like any other: without rights, nobody edits them
    assert client.gql("{ modelAccessQuery { countByWrapper } }", None, carl).codes == \
        ["ACCESS_DENIED"]


def test_audit_fields_name_the_caller(world: World, clients: dict[str, Client]) -> None:
    client, ann, bob = clients["compiled"], world.identities["ruled"], world.identities["full"]
    created = client.gql('mutation { memoMutation { create(data: {title: "audited"}) '
                         '{ id createUid writeUid } } }', None, ann).ok()
    memo = created["memoMutation"]["create"]
    assert memo["createUid"] == memo["writeUid"] == str(ann.user_id)
    updated = client.gql('mutation($id: Long) { memoMutation { update(data: {id: $id, '
                         'body: "edited"}) { createUid writeUid } } }', {"id": memo["id"]}, bob)
    assert updated.ok()["memoMutation"]["update"] == {"createUid": str(ann.user_id),
                                                      "writeUid": str(bob.user_id)}
    world.memos["audited"] = int(memo["id"])
    stored = world.memo("audited")
    assert (stored.create_uid, stored.write_uid) == (ann.user_id, bob.user_id)


def test_backend_code_is_sudo(world: World) -> None:
    """Without AUTHENTICATE (back-end code, or `sudo()`) nothing is checked, whoever acts."""
    Memo = world.cls(MEMO)
    with acting(world.identities["ruled"]), world.app.transaction():
        assert Memo.count() == 2                         # no record rule
        assert Memo.query_page().total_elements == 2
        bob_memo = Memo.query_by_id(world.memos["bob's memo"])
        bob_memo.title = "edited by back-end code"
        assert bob_memo.update_by_id() == 1
        assert bob_memo.archive().body == "archived"
        assert Memo(title="back-end").create().create_uid == world.users["ann"]
        assert Memo.total_salary() == Decimal("30")
        assert Memo.query_by_id(world.memos["ann's memo"]).delete_by_id() == 1
    with acting(world.identities["no rights"]), world.app.transaction(), \
            directives.scope(Directive.HOOK):            # hooks run, AUTHENTICATE is clear
        assert Memo(title="sudo").create().id is not None
    assert world.memo_titles() == ["edited by back-end code", "back-end", "sudo"]


def test_backend_code_with_authenticate_is_checked(world: World) -> None:
    Memo = world.cls(MEMO)
    checked = Directive.HOOK | Directive.AUTHENTICATE
    with acting(world.identities["no rights"]), world.app.transaction():
        with directives.scope(checked), pytest.raises(AccessDenied) as refused:
            Memo(title="refused").create()
        assert refused.value.code == "ACCESS_DENIED" and refused.value.model == MEMO
        with directives.scope(checked):
            directives.session.directive().sudo()        # clears AUTHENTICATE
            assert Memo(title="after sudo").create().id is not None
    with acting(world.identities["ruled"]), world.app.transaction(), \
            directives.scope(Directive.AUTHENTICATE):    # rules apply even without HOOK
        assert [m.title for m in Memo.query_list()] == ["ann's memo"]
        hidden = Memo.query_by_id(world.memos["bob's memo"])
        assert hidden is None
    assert world.memo_titles() == ["ann's memo", "bob's memo", "after sudo"]


def test_admins_see_and_change_everything(world: World, clients: dict[str, Client]) -> None:
    root, client = world.identities["admin"], clients["compiled"]
    seen = client.gql("{ memoQuery { queryListByWrapper { title salary stamp } } "
                      "folderQuery { countByWrapper } }", None, root).ok()
    assert seen["memoQuery"]["queryListByWrapper"] == [
        {"title": "ann's memo", "salary": "10.0000", "stamp": "A"},
        {"title": "bob's memo", "salary": "20.0000", "stamp": "B"}]
    assert seen["folderQuery"]["countByWrapper"] == 1
    assert client.gql("{ roleQuery { countByWrapper } }", None, root).ok() == \
        {"roleQuery": {"countByWrapper": 6}}
