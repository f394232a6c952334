"""What large or unique requests leave in a server is bounded by bytes (lru.py): checked
documents, templates and plans by the length of their text, RSQL filters by theirs, and
compiled SQL by its length; a text over the size limit is answered, never kept.
bench/graphql/hostile_soak.py measures what that does to the server's memory."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from modelry.boot.statement_cache import MAX_BYTES, MAX_STATEMENT_BYTES
from tests.graphql.conftest import Server, boot_demo, load_sample

BUDGET, LARGEST = 4_000, 1_000
FIELDS = ["id", "name", "code", "income", "rating", "employees", "isOpen", "status"]


@pytest.fixture
def server(database_url: str, serve: Callable[..., Server]) -> Server:
    """The demo with sample data, its document caches holding 4,000 characters of text
    and no document over 1,000."""
    app = boot_demo(database_url)
    load_sample(app)
    return serve(app, document_cache_bytes=BUDGET, max_cached_document_bytes=LARGEST)


def executor(server: Server) -> Any:
    return server.uvicorn.config.app.state.executor


def unique_document(n: int) -> str:
    fields = " ".join(f"f{n}x{i}: {FIELDS[(n + i) % len(FIELDS)]}" for i in range(n % 9 + 1))
    return "{ petShopQuery { queryPage(page: {size: 2}) { content { %s } } } }" % fields


def test_unique_documents_fill_the_caches_up_to_their_budget(server: Server) -> None:
    for n in range(60):
        page = server.gql(unique_document(n)).ok()["petShopQuery"]["queryPage"]["content"]
        assert len(page) == 2
    caches = executor(server).documents._cache, executor(server).documents._templates, \
        executor(server).compiled._plans
    for cache in caches:
        assert 0 < cache.weight <= BUDGET
    documents = executor(server).documents._cache
    assert 10 < len(documents) < 60                    # the oldest went, the latest stay
    assert unique_document(59) in documents and unique_document(0) not in documents


def test_a_document_over_the_size_limit_is_answered_but_not_kept(server: Server) -> None:
    padding = "# " + "a comment the lexer skips " * 60 + "\n"
    large = padding + "{ petShopQuery { countByWrapper } }"
    assert len(large) > LARGEST
    answers = [server.gql(large).ok() for _ in range(2)]
    assert answers == [{"petShopQuery": {"countByWrapper": 5}}] * 2
    assert large not in executor(server).documents._cache
    assert executor(server).documents._cache.weight == 0
    assert executor(server).compiled._plans.weight == 0


def test_compiled_statements_are_bounded_by_the_length_of_their_sql(server: Server) -> None:
    statements = server.uvicorn.config.app.state.executor.app.engine.get_execution_options()[
        "compiled_cache"].statements
    query = "query($r: String) { petShopQuery { countByWrapper(queryWrapper: {rsql: $r}) } }"
    for n in range(1, 120):  # filters of 1 to 119 conditions: a new statement each
        rsql = ";".join(f"name!='{n}-{i}'" for i in range(n))
        assert server.gql(query, {"r": rsql}).ok() == {"petShopQuery": {"countByWrapper": 5}}
    assert 0 < statements.weight <= MAX_BYTES
    assert all(len(compiled.string) <= MAX_STATEMENT_BYTES for compiled in statements.values())
