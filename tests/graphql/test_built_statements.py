"""The statements the compiled path builds (the database builds the JSON: PostgreSQL and
MariaDB) are kept in one cache bounded in entries and in bytes of their SQL, whatever
the number of shapes clients send; and a reload of unchanged rights keeps them in use
(the rights cache reloads every 30 s: each reload used to build every statement again
and leave the old ones behind, ~3 MB per 30 s in the soak of bench/graphql)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from modelry.core.graphql.compiled import database_json
from modelry.core.security import rights
from modelry.core.security.grants import grant_module
from tests.graphql.conftest import Server, boot_demo, load_sample

ENTRIES, SQL_BYTES = 12, 8_000
PAGE = ("query($r: String) { petShopQuery { queryPage(page: {size: 2}, queryWrapper: "
        "{rsql: $r}) { content { id name owner { id name } items(size: 2) { id } } } } }")


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[Server]:
    """The demo with sample data, served; its built statements kept up to 12 and 8,000
    characters of SQL."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(database_json, "STATEMENTS", ENTRIES)
        patch.setattr(database_json, "STATEMENT_SQL_BYTES", SQL_BYTES)
        app = boot_demo(database_url)
        load_sample(app)
        grant_module(app, "demo")
        served = Server(app.asgi)
    yield served
    served.stop()


def built(server: Server) -> Any:
    """The cache of built statements of the served app (None when it reads rows)."""
    json = server.uvicorn.config.app.state.executor.compiled.database_json
    return None if json is None else json.statements


def page(server: Server, rsql: str) -> list[dict[str, Any]]:
    content = server.gql(PAGE, {"r": rsql}).ok()["petShopQuery"]["queryPage"]["content"]
    assert len(content) == 2 and len(content[0]["items"]) == 2
    return content


def test_many_shapes_keep_the_statements_within_entries_and_bytes(
        server: Server, backend: str) -> None:
    for n in range(40):  # each filter is a new shape of the one plan: a new statement
        page(server, ";".join(f"name!='{n}-{i}'" for i in range(n % 7 + 1)) + f";id=gt={-n}")
    statements = built(server)
    if backend == "sqlite":  # the compiled path reads rows: nothing built is kept
        assert statements is None
        return
    assert 0 < len(statements) <= ENTRIES
    assert 0 < statements.weight <= SQL_BYTES


def test_reloaded_rights_that_did_not_change_reuse_the_built_statements(
        server: Server, backend: str, monkeypatch: Any) -> None:
    monkeypatch.setattr(rights, "CACHE_SECONDS", 0.0)  # every request reloads the rights
    first = page(server, "id=gt=0")
    statements = built(server)
    kept = [] if statements is None else statements.values()
    assert all(page(server, "id=gt=0") == first for _ in range(5))
    if backend != "sqlite":
        assert len(statements.values()) == len(kept) and all(
            now is before for now, before in zip(statements.values(), kept))
