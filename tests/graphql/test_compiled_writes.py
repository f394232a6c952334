"""Compiled writes answer exactly as general execution: data, errors, messages, and what
the database holds afterwards.

Two servers share one database, one with the compiled path turned off. Every case runs
on each from the same world (explicit ids), and then the answers and the rows of every
demo table (dates left out, ids the writes drew masked) must be equal. A spy on the
compiled writes (`compiled_outcomes`) checks each case went the way it should: answered
by the compiled path, refused there (a located error), or handed to the general executor.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from modelry.core.graphql.compiled.writes import WriteFailed
from modelry.core.security.grants import grant_module
from modelry.modules.demo.models import PetItem, PetOwner, PetShop, PetTag, ShopStatus
from tests.conftest import _empty_tables
from tests.graphql.conftest import Server, boot_demo, compiled_outcomes

WORLD_IDS = {1000011, 1000012, 2000021, 3000031, 3000032, 4000041}  # far apart: no
# table draws another's
SHOP_FIELDS = """id name code income rating employees visits taxRate isOpen openedOn
                 lastVisit opensAt status settings logo ownerId optVersion __typename"""
FULL_SHOP = """{name: "new ' \\" \\\\ shop", code: "NEW", income: "12.3400", rating: 0.5,
    employees: -2, visits: "4611686018427387904", taxRate: "-0.0001", isOpen: false,
    openedOn: "1999-12-31", lastVisit: "2024-01-02T03:04:05.000006", opensAt: "09:30:00",
    status: SUSPENDED, settings: {nested: [1, 2.5, null, {k: "v"}]}, logo: "AP8=",
    owner: {id: "2000021"}, tags: [{id: "3000031"}, {id: "3000032"}]}"""

# name → (documents run in turn, variables, how the last one goes: compiled (answered),
# refused (answered with its error) or general (no plan), requestStrategy or None)
CASES: dict[str, tuple[list[str], dict[str, Any], str, Any]] = {
    "create with every kind": ([f"""mutation {{ petShopMutation {{ create(data: {FULL_SHOP})
        {{ {SHOP_FIELDS} }} }} }}"""], {}, "compiled", None),
    "create by variables, aliases": (["""mutation($tag: PetTagInput!) { tags: petTagMutation {
        made: create(data: $tag) { key: id label: name color kind: __typename } } }"""],
        {"tag": {"name": "birds", "color": "blue"}}, "compiled", None),
    "update a few fields": (["""mutation { petShopMutation { update(data: {id: "1000011",
        optVersion: 0, income: "-5.5", status: CLOSED, settings: "text"}) {
        """ + SHOP_FIELDS + " } } }"], {}, "compiled", None),
    "update the key of a many-to-one": (["""mutation { petItemMutation { update(data: {
        id: "4000041", shop: {id: "1000012"}}) { id itemName shopId } } }"""], {},
        "compiled", None),
    "update twice in one request": (["""mutation { petShopMutation {
        a: update(data: {id: "1000011", optVersion: 0, name: "first"}) { name optVersion }
        b: update(data: {id: "1000011", optVersion: 1, name: "second"}) { name optVersion } } }"""],
        {}, "compiled", None),
    "stale version": (["""mutation { petShopMutation { update(data: {id: "1000011",
        optVersion: 7, name: "late"}) { id name } } }"""], {}, "refused", None),
    "update of a missing record": (["""mutation { petTagMutation { update(data: {id: "999",
        name: "ghost"}) { id } } }"""], {}, "refused", None),
    "update without an id": (["""mutation { petTagMutation { update(data: {name: "x"})
        { id } } }"""], {}, "refused", None),
    "invalid values": (["""mutation { petShopMutation { create(data: {name: "", code:
        "%s"}) { id } } }""" % ("x" * 40)], {}, "refused", None),
    "a value clients may not write": (["""mutation { petShopMutation { create(data: {
        name: "n", closedOn: "2020-01-01"}) { id } } }"""], {}, "refused", None),
    "a unique value taken": (["""mutation { petShopMutation { create(data: {name: "n",
        code: "A"}) { id } } }"""], {}, "refused", None),
    "delete two": (["""mutation { petTagMutation { delete(dataList: [{id: "3000031"},
        {id: "3000032"}, {id: "3000031"}]) { id name } } }"""], {}, "compiled", None),
    "delete a missing record": (["""mutation { petTagMutation { delete(dataList: [{id: "3000031"},
        {id: "998"}]) { id } } }"""], {}, "refused", None),
    "only validate": (["""mutation { petTagMutation { create(data: {name: "checked"})
        { id name } } }"""], {}, "compiled", {"onlyValidate": True}),
    "only validate, refused": (["""mutation { petTagMutation { create(data: {name: "%s"})
        { id } } }""" % ("x" * 70)], {}, "refused", {"onlyValidate": True}),
    "second of two calls fails": (["""mutation { petTagMutation {
        ok: create(data: {name: "kept?"}) { id } bad: update(data: {id: "997", name: "x"})
        { id } never: create(data: {name: "never"}) { id } } }"""], {}, "refused", None),
    "two roots": (["""mutation { petTagMutation { create(data: {name: "t"}) { name } }
        petOwnerMutation { update(data: {id: "2000021", email: "new@x.org"}) { email } } }"""],
        {}, "compiled", None),
    "update answered from what it wrote": (["""mutation { petItemMutation { update(data: {
        id: "4000041", itemName: " eel  ", stock: 0, shop: {id: "1000012"}})
        { id itemName stock shopId __typename } } }"""], {}, "compiled", None),
    "update of a boolean and a name, locked": (["""mutation { petShopMutation { update(data: {
        id: "1000011", optVersion: 0, isOpen: true, name: "B 2"}) { id isOpen name } } }"""],
        {}, "compiled", None),
    "update of money, read as stored": (["""mutation { petItemMutation { update(data: {
        id: "4000041", price: "2.5", shopId: null}) { id price shopId } } }"""], {},
        "compiled", None),
    "relations selected: the general way": (["""mutation { petItemMutation { update(data: {
        id: "4000041", stock: 9}) { id stock shop { name } } } }"""], {}, "general", None),
}


def create_world() -> None:
    """The same records, with the same ids, before every run."""
    PetOwner(id=2000021, name="Ann", email="ann@x.org").create()
    PetTag(id=3000031, name="cats").create()
    PetTag(id=3000032, name="dogs", color="brown").create()
    PetShop(id=1000011, name="shop A", code="A", income=Decimal("1.5"),
            last_visit=dt.datetime(2020, 1, 1), status=ShopStatus.OPEN, owner_id=2000021,
            tags=[PetTag(id=3000031)]).create()
    PetShop(id=1000012, name="shop B", code="B").create()
    PetItem(id=4000041, item_name="fish", price=Decimal("2.00"), stock=3, shop_id=1000011).create()


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[dict[str, Any]]:
    general = boot_demo(database_url, compiled=False)
    compiled = boot_demo(database_url, empty=False)
    running = {"general": (general, Server(general.asgi)),
               "compiled": (compiled, Server(compiled.asgi))}
    yield running
    for app, server in running.values():
        server.stop()
        app.close()


def play(app: Any, server: Server, case: tuple[Any, ...]) -> tuple[list[Any], Any]:
    """Every answer of `case` from a fresh world, then the rows it left."""
    documents, variables, _, strategy = case
    _empty_tables(app)
    grant_module(app, "demo")
    with app.transaction():
        create_world()
    extra = {} if strategy is None else {"variables": {**variables,
                                                        "requestStrategy": strategy}}
    answers = []
    for document in documents:
        if extra:
            answers.append(server.client.post("/graphql", json={
                "query": document, **extra}).json())
        else:
            answers.append(server.gql(document, variables).body)
    return [masked(answer) for answer in answers], rows_of(app)


def masked(value: Any, key: str = "") -> Any:
    """`value` with the ids that writes drew (not the world's) replaced by "new"."""
    if isinstance(value, dict):
        return {k: masked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, key) for v in value]
    if (key == "id" or key.endswith("_id") or key.endswith("Id") or key == "key") \
            and value is not None and str(value).isdigit() and int(value) not in WORLD_IDS:
        return "new"
    return value


def rows_of(app: Any) -> dict[str, list[Any]]:
    """Every demo table's rows as the driver gives them (dates left out, drawn ids masked),
    in a stable order."""
    names = sorted(n for n in sa.inspect(app.engine).get_table_names() if n.startswith("demo_"))
    quote = app.engine.dialect.identifier_preparer.quote
    found = {}
    with app.engine.connect() as connection:
        for name in names:
            rows = [masked({k: v for k, v in row._mapping.items()
                            if k not in ("create_date", "write_date")})
                    for row in connection.exec_driver_sql(f"SELECT * FROM {quote(name)}")]
            found[name] = sorted(rows, key=repr)
    return found


@pytest.mark.parametrize("name", list(CASES))
def test_compiled_writes_answer_and_store_as_the_general_path(
        servers: dict[str, Any], name: str) -> None:
    case = CASES[name]
    general = play(*servers["general"], case)
    app, server = servers["compiled"]
    outcomes = compiled_outcomes([app.asgi.state.executor.compiled.writes])
    compiled = play(app, server, case)
    assert compiled[0] == general[0]
    for table, rows in general[1].items():
        assert (table, compiled[1][table]) == (table, rows)
    expected = case[2]
    if expected == "compiled":
        assert outcomes[-1:] == [None]
    elif expected == "refused":
        assert len(outcomes) == 1 and isinstance(outcomes[0], WriteFailed), outcomes
    else:  # no plan: the compiled writes never ran
        assert outcomes == []
    answer = compiled[0][-1]
    if expected == "refused":
        assert answer["data"] is None and answer["errors"], answer


def test_a_refused_write_leaves_nothing(servers: dict[str, Any]) -> None:
    app, server = servers["compiled"]
    _, before = play(app, server, ([], {}, "", None))
    answers, after = play(app, server, CASES["second of two calls fails"])
    assert answers[0]["data"] is None
    assert [e["extensions"]["code"] for e in answers[0]["errors"]] == ["RECORD_NOT_FOUND"]
    assert after == before  # the first call's tag was rolled back with the rest
