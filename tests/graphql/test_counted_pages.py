"""A page that reads every match anyway (its sort walks no index) counts them in the same
scan (COUNT(*) OVER (), core/data/counted.py): one statement for the page and its totals,
on the compiled path (JSON pages, and row pages on SQLite) and in the data manager's
`query_page` (general execution, the admin, modules). A page whose sort walks an index
stops at its window, so its matches are counted apart. Both paths answer alike on every
page, empty ones included."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.graphql.conftest import Server, both_paths

PAGE = """query($page: Int, $size: Int, $rsql: String) { petItemQuery { queryPage(
    page: {currentPage: $page, size: $size, sort: {orders: [{field: "%s", direction: DESC}]}},
    queryWrapper: {rsql: $rsql}) {
  totalElements totalPages currentPage size content { id itemName price } } } }"""
UNINDEXED, INDEXED = PAGE % "price", PAGE % "id"
WITHOUT_TOTALS = UNINDEXED.replace("totalElements totalPages ", "")


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[dict[str, Server]]:
    """60 shops of 5 items, served by the compiled path and by general execution."""
    with both_paths(database_url, shops=60, items_per_shop=5) as running:
        yield running


def page_of(server: Server, query: str, **variables: object) -> tuple[dict, list[str]]:
    """The page and the SQL statements its request ran (the fewer of two requests: one
    may reload the caller's rights)."""
    counted = [server.gql_counted(query, variables) for _ in range(2)]
    assert counted[0][0].ok() == counted[1][0].ok()
    answer, seen = min(counted, key=lambda pair: len(pair[1]))
    return answer.ok()["petItemQuery"]["queryPage"], seen


def general_page(servers: dict[str, Server], query: str, **variables: object) -> dict:
    return page_of(servers["general"], query, **variables)[0]


def counted_in_page(seen: list[str], content: list, page: int) -> None:
    """The page ran one statement counting its matches; an empty page past the first
    counts them apart (a second statement)."""
    counts_apart = not content and page > 1
    assert len(seen) == (2 if counts_apart else 1), seen
    assert "OVER ()" in seen[0].upper().replace("OVER()", "OVER ()"), seen[0]


@pytest.mark.parametrize("page, size, rsql", [
    (1, 20, "price=gt=10"),     # a full first page
    (3, 40, "price=gt=10"),     # a page in the middle
    (1, 500, "stock=ge=0"),     # every item on one page
    (8, 40, None),              # the last, partial page (300 items)
    (9, 40, None),              # past the last page: an empty window counts apart
    (1, 20, "stock=lt=-1"),     # nothing matches: totals 0 without a count
    (2, 20, "stock=lt=-1"),     # nothing matches, past the first page
])
def test_unindexed_sorts_count_in_the_page_and_answer_as_general_execution(
        servers: dict[str, Server], page: int, size: int,
        rsql: str | None) -> None:
    compiled, seen = page_of(servers["compiled"], UNINDEXED, page=page, size=size, rsql=rsql)
    general, general_seen = page_of(servers["general"], UNINDEXED, page=page, size=size,
                                    rsql=rsql)
    assert compiled == general
    matches = compiled["totalElements"]
    assert compiled["totalPages"] == -(-matches // size)
    assert len(compiled["content"]) == max(0, min(size, matches - (page - 1) * size))
    counted_in_page(general_seen, general["content"], page)
    counted_in_page(seen, compiled["content"], page)


@pytest.mark.parametrize("path", ["compiled", "general"])
def test_a_sort_on_an_index_counts_apart(servers: dict[str, Server], path: str) -> None:
    page, seen = page_of(servers[path], INDEXED, page=2, size=25, rsql="price=gt=10")
    assert page == general_page(servers, INDEXED, page=2, size=25, rsql="price=gt=10")
    assert len(page["content"]) == 25
    assert not any("OVER" in sql.upper() for sql in seen), seen
    assert len(seen) == 2  # the count, then the page


def test_a_page_without_totals_counts_nothing(servers: dict[str, Server]) -> None:
    compiled, seen = page_of(servers["compiled"], WITHOUT_TOTALS, page=1, size=10)
    assert compiled == general_page(servers, WITHOUT_TOTALS, page=1, size=10)
    assert len(compiled["content"]) == 10 and "totalElements" not in compiled
    assert len(seen) == 1 and "OVER" not in seen[0].upper(), seen
