"""The compiled fast path (queries of read built-ins only) obeys the same rights as the
general executor: the same answers, refusals and errors for every role."""
from __future__ import annotations

from typing import Any

import pytest

from tests.functions.helpers import Client
from tests.security.permmodule import fixtures
from tests.security.permmodule.fixtures import World

perm_app, clients, world = fixtures.perm_app, fixtures.clients, fixtures.world

QUERIES = {
    "page": """{ memoQuery { queryPage(page: {size: 10, sort: {orders: [{field: "title",
                 direction: DESC}]}}) { content { id title salary stamp createUid
                 folder { name } } totalElements totalPages currentPage size } } }""",
    "filtered": """{ memoQuery { countByWrapper(queryWrapper: {rsql: "title=like=memo"})
                 queryListByWrapper(queryWrapper: {rsql: "title=like=memo"}) { title salary }
                 } }""",
    "one by rsql": """query($ann: String, $bob: String) { memoQuery {
                 ann: queryOneByWrapper(queryWrapper: {rsql: $ann}) { title salary }
                 bob: queryOneByWrapper(queryWrapper: {rsql: $bob}) { title salary } } }""",
    "own by id": """query($annId: Long) { memoQuery { queryOne(query: {id: $annId}) {
                 title salary stamp } } }""",
    "relation": "{ folderQuery { queryPage { content { name memos { title salary } } } } }",
    "hidden filter": """{ memoQuery { queryPage(queryWrapper: {rsql: "salary>15"}) {
                 content { title } } } }""",
    "two models": "{ memoQuery { countByWrapper } folderQuery { countByWrapper } }",
}


EVERY = set(QUERIES)
COMPILED = {  # what the compiled path answers itself; the rest falls back to the general one
    "full": EVERY, "admin": EVERY, "ruled": EVERY,      # record rules compile into the SQL
    "reader": EVERY - {"relation", "two models"},         # refusals are the general path's
    "hider": {"two models"},                              # field rules apply: general path
    "no rights": set(),
}


def variables(world: World) -> dict[str, Any]:
    ann, bob = world.memos["ann's memo"], world.memos["bob's memo"]
    return {"ann": f"id=={ann}", "bob": f"id=={bob}", "annId": str(ann)}


@pytest.mark.parametrize("who", ["reader", "ruled", "hider", "full", "admin", "no rights"])
def test_compiled_answers_equal_general_answers(world: World, clients: dict[str, Client],
                                                who: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: set[str] = set()     # the queries the compiled path answered
    current: list[str] = []
    path = clients["compiled"].executor.compiled
    original = path.run

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        compiled.add(current[-1])                 # reached only when the plan ran through
        return result

    monkeypatch.setattr(path, "run", spy)
    identity, sent = world.identities[who], variables(world)
    answers = {}
    for name, query in QUERIES.items():
        wanted = {k: v for k, v in sent.items() if f"${k}" in query}
        current.append(name)
        fast = clients["compiled"].gql(query, wanted, identity).body
        slow = clients["general"].gql(query, wanted, identity).body
        assert fast == slow, name
        answers[name] = fast
    assert compiled == COMPILED[who]
    if who == "ruled":
        page = answers["page"]["data"]["memoQuery"]["queryPage"]
        assert [m["title"] for m in page["content"]] == ["ann's memo"]
        assert answers["one by rsql"]["data"]["memoQuery"]["bob"] is None
    if who == "hider":
        assert {m["salary"] for m in answers["filtered"]["data"]["memoQuery"][
            "queryListByWrapper"]} == {None}
        assert answers["hidden filter"]["errors"][0]["extensions"]["code"] == \
            "RSQL_UNKNOWN_FIELD"
    if who == "reader":                                   # reads memos, not folders
        assert answers["two models"]["errors"][0]["extensions"]["code"] == "ACCESS_DENIED"
        assert answers["relation"]["errors"][0]["message"] == \
            "access denied: you may not read permtest.Folder"
