"""No N+1: a query costs a fixed number of SQL statements whatever the page size, on the
compiled path and on general execution alike (counted by the engine's own events, not by
the server's `X-SQL-Statements` header; transaction control is left out)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.graphql.conftest import Server, both_paths

PAGE = """query($size: Int) { petShopQuery { queryPage(page: {size: $size,
    sort: {orders: [{field: "code"}]}}) {
  totalElements content { code income owner { name } items(size: 5) { itemName price }
                          tags { name } } } } }"""
DEEPER = """query($size: Int) { petShopQuery { queryPage(page: {size: $size}) {
  totalElements content { code owner { name shops { code } }
                          items(size: 5) { itemName breed { name } } tags { name } } } } }"""


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[dict[str, Server]]:
    """200 shops of 5 items, served by the compiled path and by general execution."""
    with both_paths(database_url, shops=200, items_per_shop=5) as running:
        yield running


def in_database(backend: str, path: str) -> bool:
    """Whether the database builds the JSON (compiled/database_json.py, mariadb_json.py)."""
    return backend in ("postgresql", "mysql") and path == "compiled"


def statements(server: Server, query: str, size: int) -> tuple[int, dict]:
    """Statements of one request, and its page.

    The caller's rights are cached for a few seconds; the request that reloads them runs a
    few statements more. Of two requests in a row at most one reloads, so the fewer counts.
    """
    counted = [server.gql_counted(query, {"size": size}) for _ in range(2)]
    assert counted[0][0].ok() == counted[1][0].ok()
    return min(len(seen) for _, seen in counted), counted[0][0].ok()["petShopQuery"]["queryPage"]


@pytest.mark.parametrize("path", ["compiled", "general"])
def test_a_page_costs_the_same_statements_whatever_its_size(
        servers: dict[str, Server], backend: str, path: str) -> None:
    server = servers[path]
    # the page, the totals, owner, items and tags; on PostgreSQL and MariaDB the compiled
    # path reads the page and its relations in one statement, on SQLite it joins the
    # owner (a ManyToOne of columns only) to the page
    expected = 2 if in_database(backend, path) else (4 if path == "compiled" else 5)
    for size in (5, 50, 200):
        count, page = statements(server, PAGE, size)
        assert len(page["content"]) == size and page["totalElements"] == 200
        assert all(len(shop["items"]) == 5 and len(shop["tags"]) == 2 and shop["owner"]
                   for shop in page["content"])
        assert count == expected, (path, size)


@pytest.mark.parametrize("path", ["compiled", "general"])
def test_deeper_relations_add_one_statement_each(
        servers: dict[str, Server], backend: str, path: str) -> None:
    server = servers[path]
    expected = 2 if in_database(backend, path) else 5 + 2   # + owner.shops and items.breed
    counts = {size: statements(server, DEEPER, size)[0] for size in (5, 50, 200)}
    assert counts == {5: expected, 50: expected, 200: expected}


def test_both_paths_answer_alike(servers: dict[str, Server]) -> None:
    compiled = servers["compiled"].gql(PAGE, {"size": 50}).ok()
    general = servers["general"].gql(PAGE, {"size": 50}).ok()
    assert compiled == general
    assert compiled["petShopQuery"]["queryPage"]["content"][0]["income"] == "1000.0000"


def test_a_page_without_totals_runs_no_count(servers: dict[str, Server]) -> None:
    """Only a page that asks for totalElements or totalPages pays for its COUNT (general
    execution; the compiled path plans its own statements)."""
    def counts(seen: list[str]) -> list[str]:
        return [sql for sql in seen if sql.lstrip().upper().startswith("SELECT COUNT(")]

    answer, seen = servers["general"].gql_counted(PAGE.replace("totalElements ", ""),
                                                  {"size": 5})
    assert len(answer.ok()["petShopQuery"]["queryPage"]["content"]) == 5
    assert counts(seen) == [], seen
    answer, seen = servers["general"].gql_counted(PAGE, {"size": 5})
    assert answer.ok()["petShopQuery"]["queryPage"]["totalElements"] == 200
    assert len(counts(seen)) == 1, seen
