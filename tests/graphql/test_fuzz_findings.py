"""What the fuzz test found, pinned: the compiled path checks a filter it needs no rows
for, and a decimal no column can hold is refused as a filter value, not an internal error."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from modelry.core.security.grants import grant_module
from tests.graphql.conftest import Server, boot_demo, load_sample


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[dict[str, Server]]:
    """The demo with sample data, served on the compiled path and by general execution
    (anonymous callers may use the demo module, as `serve` grants it); once per database
    for the file, since its tests only read (two schema builds per test were most of it)."""
    started: dict[str, Server] = {}
    compiled = boot_demo(database_url)
    load_sample(compiled)
    grant_module(compiled, "demo")
    started["compiled"] = Server(compiled.asgi)
    general = boot_demo(database_url, empty=False, compiled=False)
    grant_module(general, "demo")
    started["general"] = Server(general.asgi)
    yield started
    for server in started.values():
        server.stop()


@pytest.mark.parametrize("path", ["compiled", "general"])
def test_a_bad_filter_is_refused_when_only_the_page_size_is_asked(
        servers: dict[str, Server], path: str) -> None:
    answer = servers[path].gql('{ petShopQuery { queryPage(queryWrapper: {rsql: "name=="}) '
                               "{ size currentPage } } }")
    assert answer.codes == ["RSQL_SYNTAX"] and answer.data is None
    fine = servers[path].gql('{ petShopQuery { queryPage(queryWrapper: {rsql: "name==x"}) '
                             "{ size } } }")
    assert fine.ok() == {"petShopQuery": {"queryPage": {"size": 20}}}


@pytest.mark.parametrize("query", [
    '{ petShopQuery { queryOne(query: {income: "-1e400"}) { id } } }',
    '{ shopServiceQuery { report(minIncome: "1e99") { shopCount } } }',
], ids=["equality filter", "function's keyword filter"])
@pytest.mark.parametrize("path", ["compiled", "general"])
def test_a_decimal_no_column_holds_is_a_refused_filter(
        servers: dict[str, Server], path: str, query: str) -> None:
    answer = servers[path].gql(query)
    assert answer.codes == ["BAD_FILTER"], answer.body
    assert "income" in answer.errors[0]["message"] and "out of range" in \
        answer.errors[0]["message"]
    small = servers[path].gql('{ shopServiceQuery { report(minIncome: "1e9") { shopCount } } }')
    assert small.ok() == {"shopServiceQuery": {"report": {"shopCount": 0}}}
