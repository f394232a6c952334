"""NULL sorts as the smallest value on SQLite, PostgreSQL and MariaDB alike: first
ascending, last descending; ties follow `id` in the direction of the last key. The same
through HTTP (general and compiled paths) and through the Python API."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from modelry.boot import App, boot
from tests.graphql.conftest import Server
from tests.sortidx import module as sortidx
from tests.sortidx.models import Book, Shelf

# (code, rank, title, shelf name); NULLs in the indexed `rank`, the unindexed `title`
# and the related `shelf.name` (a book without a shelf, a shelf without a name)
BOOKS = [("a", 2, "x", "north"), ("b", None, None, None), ("c", 1, "y", ""),
         ("d", None, "x", "south"), ("e", 2, None, "north"), ("f", 1, "y", None)]
SORTS = {  # sort → codes in order (ids follow the codes: a is 1, b is 2, ...)
    "rank": "bdcfae",
    "-rank": "eafcdb",
    "title": "beadcf",
    "-title": "fcdaeb",
    "rank,-title": "dbfcae",
    "shelf.name": "bcfaed",
    "-shelf.name": "deafcb",
}
PAGE = """query($orders: [Order!]) { bookQuery { queryPage(page: {size: 10, sort: {orders:
    $orders}}) { content { code } } } }"""
PATHS = {"general": {"compiled": False}, "compiled": {"compiled": True}}


def orders(sort: str) -> list[dict[str, str]]:
    """`"rank,-title"` as GraphQL sort orders."""
    return [{"field": item.lstrip("-"), "direction": "DESC" if item[0] == "-" else "ASC"}
            for item in sort.split(",")]


@pytest.fixture
def shelved(make_app: Callable[..., App]) -> Iterator[App]:
    """`sortidx` with six books, some of whose sort keys are NULL."""
    app = make_app([sortidx])
    with app.activate(), app.transaction():
        shelves = {name: Shelf(name=name or None).create() for name in ("north", "south", "")}
        for code, rank, title, shelf in BOOKS:
            Book(code=code, rank=rank, title=title,
                 shelf=None if shelf is None else shelves[shelf]).create()
    yield app


@pytest.mark.parametrize("sort", SORTS)
def test_python_api_puts_null_first_ascending_and_last_descending(shelved: App,
                                                                  sort: str) -> None:
    with shelved.activate():
        assert "".join(book.code for book in Book.query_list(sort=sort)) == SORTS[sort]


@pytest.mark.parametrize("path", PATHS)
def test_graphql_orders_nulls_the_same_way(shelved: App, database_url: str, path: str) -> None:
    app = boot(database=database_url, modules=[sortidx], lifecycle="reload",
               options={"module_online": "never"})
    app.settings.server = {"graphql": PATHS[path]}
    server = Server(app.asgi)  # closes the app when it stops
    try:
        found: dict[str, Any] = {}
        for sort in SORTS:
            answer = server.gql(PAGE, {"orders": orders(sort)}).ok()
            found[sort] = "".join(b["code"] for b in answer["bookQuery"]["queryPage"]["content"])
    finally:
        server.stop()
    assert found == SORTS
