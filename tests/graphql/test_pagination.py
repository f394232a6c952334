"""Pagination edges of queryPage: empty, last page, past the end, and the page size limits."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from modelry.boot import App
from tests.graphql.conftest import Answer, Server, boot_demo, load_sample

PAGE = """query($page: Pagination, $rsql: String) { petShopQuery {
  queryPage(page: $page, queryWrapper: {rsql: $rsql}) {
    totalElements totalPages currentPage size content { code } } } }"""


def page(server: Server, rsql: str | None = None, **pagination: Any) -> Answer:
    sort = {"orders": [{"field": "code"}]}
    return server.gql(PAGE, {"page": {"sort": sort, **pagination}, "rsql": rsql})


def shape(answer: Answer) -> tuple[int, int, int, int, list[str]]:
    result = answer.ok()["petShopQuery"]["queryPage"]
    return (result["totalElements"], result["totalPages"], result["currentPage"],
            result["size"], [s["code"] for s in result["content"]])


def test_empty_table_and_empty_filter(server: Server) -> None:
    assert shape(page(server)) == (0, 0, 1, 20, [])
    bare = server.gql("{ petShopQuery { queryPage { totalElements totalPages currentPage size "
                      "content { id } } } }").ok()["petShopQuery"]["queryPage"]
    assert bare == {"totalElements": 0, "totalPages": 0, "currentPage": 1, "size": 20,
                    "content": []}


def test_no_match(sample_server: Server) -> None:
    assert shape(page(sample_server, "code==nothing", size=2)) == (0, 0, 1, 2, [])


def test_pages_in_turn_and_the_last_page(sample_server: Server) -> None:
    assert shape(page(sample_server, currentPage=1, size=2)) == (5, 3, 1, 2, ["S001", "S002"])
    assert shape(page(sample_server, currentPage=2, size=2)) == (5, 3, 2, 2, ["S003", "S004"])
    assert shape(page(sample_server, currentPage=3, size=2)) == (5, 3, 3, 2, ["S005"])
    exact = shape(page(sample_server, currentPage=1, size=5))
    assert exact == (5, 1, 1, 5, ["S001", "S002", "S003", "S004", "S005"])


def test_a_page_past_the_end_is_empty(sample_server: Server) -> None:
    assert shape(page(sample_server, currentPage=4, size=2)) == (5, 3, 4, 2, [])
    assert shape(page(sample_server, currentPage=1000000, size=1000)) == (5, 1, 1000000, 1000, [])


def test_default_size_applies_without_page(demo_app: App, server: Server) -> None:
    load_sample(demo_app, shops=23, items_per_shop=0)
    assert shape(page(server))[:4] == (23, 2, 1, 20)
    assert len(shape(page(server, currentPage=2))[4]) == 3


def test_the_maximum_page_size(sample_server: Server) -> None:
    assert shape(page(sample_server, size=1000))[:4] == (5, 1, 1, 1000)
    answer = page(sample_server, size=1001)
    assert answer.status == 200
    assert answer.data is None and answer.success is False
    assert answer.codes == ["PAGE_TOO_LARGE"]
    [message] = answer.messages
    assert message["code"] == "PAGE_TOO_LARGE" and message["model"] == "demo.PetShop"
    assert message["path"] == ["petShopQuery", "queryPage"]
    assert "1001" in message["message"] and "1000" in message["message"]


@pytest.mark.parametrize("pagination", [{"size": 0}, {"size": -1}, {"currentPage": 0},
                                        {"currentPage": -3, "size": 2}])
def test_pages_below_one_are_refused(sample_server: Server,
                                     pagination: dict[str, int]) -> None:
    answer = page(sample_server, **pagination)
    assert answer.data is None
    assert answer.codes == ["BAD_PAGE"]
    assert answer.messages[0]["model"] == "demo.PetShop"


def test_the_maximum_is_configurable(database_url: str, server: Server,
                                     serve: Callable[..., Server]) -> None:
    """A second app on this test's tables, with `GraphQLSettings(max_page_size=3)`."""
    app = boot_demo(database_url, empty=False, max_page_size=3)
    limited = serve(app)          # stops after the test; its lifespan closes the app
    load_sample(app)
    assert shape(page(limited, size=3))[4] == ["S001", "S002", "S003"]
    too_large = page(limited, size=4)
    assert too_large.codes == ["PAGE_TOO_LARGE"] and "maximum 3" in too_large.errors[0]["message"]
    # without a size, the default (20) is capped by the maximum
    assert shape(page(limited))[:4] == (5, 2, 1, 3)
    # queryListByWrapper has no page: more matches than the maximum is an error, not a cut
    listed = limited.gql('{ petShopQuery { queryListByWrapper { code } } }')
    assert listed.data is None and listed.codes == ["PAGE_TOO_LARGE"]
    three = limited.gql('{ petShopQuery { queryListByWrapper(queryWrapper: '
                        '{rsql: "code=le=S003"}) { code } } }').ok()
    assert len(three["petShopQuery"]["queryListByWrapper"]) == 3
