"""Hostile input over HTTP (issue 12, points 5–7), on the general path, the compiled row
path and PostgreSQL's JSON path: long relation paths are refused before SQL is built and
never flood the log; NaN and ±infinity are refused on every write and a stored one never
breaks a read; every list the API returns obeys the page-size maximum."""
from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from modelry.boot import App
from modelry.core.graphql.failures import report_unexpected
from modelry.core.security.grants import grant_module
from modelry.errors import ValidationFailed
from modelry.modules.demo.models import PetShop
from tests.graphql.conftest import Answer, Server, boot_demo, compiled_outcomes, load_sample

MAX = 3  # max_page_size of these servers: the sample has 4 items per shop
PATHS = ("general", "rows", "in database")
LOG_BUDGET = 1000  # bytes of WARNING+ log one hostile request may cause (was 194 KB)


def hops(count: int, leaf: str = "id==1") -> str:
    """`owner.shops.owner.shops…` crossing `count` relations from a shop, then `leaf`."""
    return ".".join((["owner", "shops"] * count)[:count] + [leaf])


@pytest.fixture(scope="module")
def apps(database_url: str) -> Iterator[dict[str, App]]:
    """The demo on three paths with max_page_size 3, sharing the sample data."""
    booted = {"general": boot_demo(database_url, compiled=False, max_page_size=MAX),
              "rows": boot_demo(database_url, empty=False, json_in_database=False,
                                max_page_size=MAX),
              "in database": boot_demo(database_url, empty=False, max_page_size=MAX)}
    grant_module(booted["general"], "demo")
    load_sample(booted["general"])
    yield booted
    for app in booted.values():
        app.close()


@pytest.fixture(scope="module")
def servers(apps: dict[str, App]) -> Iterator[dict[str, Server]]:
    running = {path: Server(app.asgi) for path, app in apps.items()}
    yield running
    for server in running.values():
        server.stop()


@pytest.fixture
def warnings(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Records of WARNING and above from every modelry logger."""
    for name in ("modelry", "modelry.graphql"):
        caplog.set_level(logging.WARNING, logger=name)
    return caplog


def on_every_path(servers: dict[str, Server], query: str,
                  variables: dict[str, Any] | None = None) -> dict[str, Answer]:
    """The answer of each path to `query`, after checking the compiled paths did not answer
    it themselves (they fall back to the general executor, which reports the error)."""
    outcomes = compiled_outcomes([servers[path].uvicorn.config.app.state.executor.compiled
                                  for path in ("rows", "in database")])
    answers = {path: server.gql(query, variables) for path, server in servers.items()}
    assert len(outcomes) == 2 and all(outcome is not None for outcome in outcomes), outcomes
    return answers


def only_code(answer: Answer) -> str:
    """The one error code of a refused request (every error entry has it)."""
    assert answer.status == 200 and not answer.success, answer.body
    assert len(set(answer.codes)) == 1, answer.codes
    return answer.codes[0]


# ── 5. long relation paths ──────────────────────────────────────────────────
@pytest.mark.parametrize("count", [10, 340])
def test_a_long_filter_path_is_refused_naming_it(servers: dict[str, Server], warnings: Any,
                                                 count: int) -> None:
    query = '{ petShopQuery { countByWrapper(queryWrapper: {rsql: "%s"}) } }' % hops(count)
    for answer in on_every_path(servers, query).values():
        assert only_code(answer) == "RSQL_PATH_TOO_LONG"
        error = answer.errors[0]
        assert error["message"].startswith("path 'owner.shops.owner.shops.owner.shops.owner")
        assert "crosses more than 6 relations" in error["message"]
        assert error["extensions"]["model"] == "demo.PetShop"
        assert error["extensions"]["position"] == len("owner.shops.owner.shops.owner.shops.")
        assert len(orjson.dumps(answer.body)) < 2000  # the 4 KB path is not echoed back
    assert len(warnings.text) < LOG_BUDGET, warnings.text


def test_a_long_path_in_a_nested_list_filter_is_refused(servers: dict[str, Server],
                                                        warnings: Any) -> None:
    query = ('{ petOwnerQuery { queryListByWrapper { name shops(rsql: "%s") { id } } } }'
             % hops(10))
    for answer in on_every_path(servers, query).values():
        assert only_code(answer) == "RSQL_PATH_TOO_LONG"
        assert answer.errors[0]["path"][-1] == "shops"
    assert len(warnings.text) < LOG_BUDGET, warnings.text


def test_a_long_sort_key_is_refused(servers: dict[str, Server], warnings: Any) -> None:
    query = ('{ petShopQuery { queryPage(page: {sort: {orders: [{field: "%s"}]}}) '
             '{ content { id } } } }' % hops(10, "name"))
    for answer in on_every_path(servers, query).values():
        assert only_code(answer) == "RSQL_PATH_TOO_LONG"
    assert len(warnings.text) < LOG_BUDGET, warnings.text


def test_six_hops_are_answered_alike_by_every_path(servers: dict[str, Server]) -> None:
    six, short = hops(6, "name=='Pet shop 1'"), "owner.shops.name=='Pet shop 1'"
    query = ('{ petShopQuery { long: countByWrapper(queryWrapper: {rsql: "%s"}) '
             'short: countByWrapper(queryWrapper: {rsql: "%s"}) } '
             'petOwnerQuery { queryListByWrapper { name shops(rsql: "%s") { name } } } }'
             % (six, short, six))
    answers = {path: server.gql(query).ok() for path, server in servers.items()}
    counts = answers["general"]["petShopQuery"]
    assert counts["long"] == counts["short"] == 2  # Pet shop 1 and its owner's other shop
    assert answers["rows"] == answers["in database"] == answers["general"]


def test_nesting_beyond_the_databases_parser_is_a_client_error(
        servers: dict[str, Server], backend: str, warnings: Any) -> None:
    """Six hops inside 30 alternating parentheses overflow SQLite's parser (other databases
    answer): QUERY_TOO_COMPLEX, a warning without SQL, never INTERNAL_ERROR."""
    rsql = hops(6)
    for level in range(30):
        rsql = f"(name==a{';' if level % 2 else ','}{rsql})"
    answer = servers["general"].gql(
        '{ petShopQuery { countByWrapper(queryWrapper: {rsql: "%s"}) } }' % rsql)
    if backend == "sqlite":
        assert only_code(answer) == "QUERY_TOO_COMPLEX"
        assert "parser stack overflow" in warnings.text and "SELECT" not in warnings.text
    else:
        assert answer.ok()["petShopQuery"]["countByWrapper"] == 0
    assert len(warnings.text) < LOG_BUDGET, warnings.text


def test_an_unexpected_database_error_is_logged_without_its_sql(
        caplog: pytest.LogCaptureFixture) -> None:
    statement = "SELECT " + ", ".join(f"column_{i}" for i in range(20_000))
    error = sa.exc.OperationalError(statement, {"secret": "x" * 10_000},
                                    RuntimeError("disk I/O error"))
    with caplog.at_level(logging.ERROR, logger="modelry.graphql"):
        failure = report_unexpected(error, ["petShopQuery", "queryPage"])
    logged = caplog.text
    caplog.clear()  # an expected error: the autouse check must not see it
    assert (failure.code, failure.message) == ("INTERNAL_ERROR",
                                               "internal error (logged on the server)")
    assert "sqlalchemy.exc.OperationalError: (RuntimeError) disk I/O error" in logged
    assert "column_1" not in logged and "secret" not in logged
    assert len(logged) < LOG_BUDGET, logged


def test_a_long_error_message_is_cut_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="modelry.graphql"):
        report_unexpected(ValueError("y" * 100_000), None)
    logged = caplog.text
    caplog.clear()
    assert "ValueError: yyy" in logged and "(100000 characters)" in logged
    assert len(logged) < LOG_BUDGET, logged


# ── 6. NaN and infinity ─────────────────────────────────────────────────────
def refused_field(answer: Answer) -> tuple[str, str, str]:
    """(model, field, code) of the one field error of a refused write."""
    assert only_code(answer) == "VALIDATION_FAILED", answer.body
    [message] = answer.messages
    return message["model"], message["field"], message["code"]


def shops_named(server: Server, name: str) -> int:
    query = '{ petShopQuery { countByWrapper(queryWrapper: {rsql: "name==\'%s\'"}) } }' % name
    return server.gql(query).ok()["petShopQuery"]["countByWrapper"]


@pytest.mark.parametrize("literal", ["1e309", "-1e309", "123e99999"])
def test_an_infinite_float_literal_is_refused(servers: dict[str, Server], literal: str) -> None:
    server = servers["general"]
    created = server.gql('mutation { petShopMutation { create(data: {name: "Infinite", '
                         'rating: %s}) { id } } }' % literal)
    assert refused_field(created) == ("demo.PetShop", "rating", "NOT_FINITE")
    assert "must be a finite number" in created.errors[0]["message"]
    assert shops_named(server, "Infinite") == 0
    shop = server.gql('{ petShopQuery { queryOne(query: {code: "S001"}) { id optVersion } } }'
                      ).ok()["petShopQuery"]["queryOne"]
    updated = server.gql('mutation { petShopMutation { update(data: {id: "%s", optVersion: '
                         '"%s", rating: %s}) { id } } }' % (shop["id"], shop["optVersion"],
                                                            literal))
    assert refused_field(updated) == ("demo.PetShop", "rating", "NOT_FINITE")


def test_an_infinite_float_variable_is_refused(servers: dict[str, Server]) -> None:
    """JSON has no infinity: a body that writes one (1e309) is not JSON the server reads."""
    body = (b'{"query": "mutation($r: Float) { petShopMutation { create(data: {name: '
            b'\\"Infinite\\", rating: $r}) { id } } }", "variables": {"r": 1e309}}')
    answer = servers["general"].post(body)
    assert (answer.status, answer.codes) == (400, ["BAD_JSON"])
    assert shops_named(servers["general"], "Infinite") == 0


@pytest.mark.parametrize(("field", "value"), [("taxRate", "Infinity"), ("taxRate", "NaN"),
                                              ("income", "-Infinity"), ("income", "sNaN")])
def test_a_non_finite_decimal_is_refused(servers: dict[str, Server], field: str,
                                         value: str) -> None:
    server = servers["general"]
    for variables in (None, {"value": value}):
        sent = '"%s"' % value if variables is None else "$value"
        head = "" if variables is None else "($value: BigDecimal)"
        answer = server.gql('mutation%s { petShopMutation { create(data: {name: "Infinite", '
                            '%s: %s}) { id } } }' % (head, field, sent), variables)
        assert only_code(answer) == ("GRAPHQL_VALIDATION" if variables is None
                                     else "BAD_VARIABLES")
        assert "not a finite number" in answer.errors[0]["message"]
    assert shops_named(server, "Infinite") == 0


@pytest.mark.parametrize("rsql", ["rating==1e309", "rating=gt=-1e309", "taxRate==Infinity",
                                  "income=lt=NaN", "rating=in=(1,inf)"])
def test_a_non_finite_rsql_value_is_refused(servers: dict[str, Server], rsql: str) -> None:
    query = '{ petShopQuery { countByWrapper(queryWrapper: {rsql: "%s"}) } }' % rsql
    for answer in on_every_path(servers, query).values():
        assert only_code(answer) == "RSQL_BAD_VALUE"
        assert answer.errors[0]["extensions"]["model"] == "demo.PetShop"


@pytest.mark.parametrize("values", [{"rating": math.inf}, {"rating": -math.inf},
                                    {"rating": math.nan}, {"rating": "inf"},
                                    {"tax_rate": Decimal("Infinity")}, {"tax_rate": "NaN"},
                                    {"income": math.inf}, {"income": Decimal("-Infinity")}])
def test_the_python_api_refuses_non_finite_numbers(apps: dict[str, App],
                                                   values: dict[str, Any]) -> None:
    """Back-end code runs without CHECK: the field itself refuses the value."""
    app = apps["general"]
    [(field, value)] = values.items()
    with pytest.raises(ValidationFailed) as caught, app.transaction():
        PetShop(name="Infinite", **values).create()
    [error] = caught.value.errors
    assert (error["model"], error["field"], error["code"]) == (
        "demo.PetShop", field, "NOT_FINITE")
    assert error["message"].startswith("must be a finite number, not ")
    with pytest.raises(ValidationFailed), app.transaction():
        shop = PetShop.query_one(code="S002")
        setattr(shop, field, value)
        shop.update_by_id()
    with app.transaction():
        assert PetShop.count(name="Infinite") == 0
        assert PetShop.query_one(code="S002").rating == 4.0


def test_a_stored_infinity_reads_as_null_on_every_path(apps: dict[str, App],
                                                       servers: dict[str, Server],
                                                       backend: str) -> None:
    """Only other writers can store one (modelry refuses it): a read never fails on it.
    MariaDB cannot store one at all."""
    app = apps["general"]
    table = app.registry.model("demo.PetShop").table
    values = {"sqlite": ["9e999", "-9e999"], "postgresql": ["'Infinity'", "'-Infinity'",
                                                             "'NaN'"]}.get(backend)
    if values is None:
        with pytest.raises(sa.exc.DBAPIError), app.engine.begin() as connection:
            connection.exec_driver_sql(f"UPDATE {table} SET rating = 1e309 WHERE code = 'S003'")
        return
    query = ('{ petShopQuery { queryPage(page: {size: 3}) { content { code rating '
             'owner { shops { code rating } } } } } }')
    try:
        for value in values:
            with app.engine.begin() as connection:
                connection.exec_driver_sql(f"UPDATE {table} SET rating = {value} "
                                           "WHERE code = 'S003'")
            outcomes = compiled_outcomes([servers[p].uvicorn.config.app.state.executor.compiled
                                          for p in ("rows", "in database")])
            answers = {path: server.gql(query).ok() for path, server in servers.items()}
            assert outcomes == [None, None]  # the compiled paths answered themselves
            assert answers["rows"] == answers["in database"] == answers["general"]
            content = answers["general"]["petShopQuery"]["queryPage"]["content"]
            assert [(s["code"], s["rating"]) for s in content] == [
                ("S001", 3.5), ("S002", 4.0), ("S003", None)]
            assert {"code": "S003", "rating": None} in content[0]["owner"]["shops"] \
                or {"code": "S003", "rating": None} in content[2]["owner"]["shops"]
            with app.transaction():  # back-end code sees what the database holds
                held = PetShop.query_one(code="S003").rating
            assert math.isnan(held) if "NaN" in value else math.isinf(held)
    finally:
        with app.engine.begin() as connection:
            connection.exec_driver_sql(f"UPDATE {table} SET rating = 3 WHERE code = 'S003'")


# ── 7. every list obeys the page-size maximum ───────────────────────────────
def test_a_nested_list_size_over_the_maximum_is_refused(servers: dict[str, Server]) -> None:
    query = '{ petShopQuery { queryPage { content { id items(size: 1000000) { id } } } } }'
    for answer in on_every_path(servers, query).values():
        assert only_code(answer) == "PAGE_TOO_LARGE"
        assert answer.errors[0]["message"].startswith(
            "demo.PetShop.items: size 1000000 is over the maximum 3")


def test_an_unsized_nested_list_over_the_maximum_is_refused(
        servers: dict[str, Server]) -> None:
    query = '{ petShopQuery { queryPage { content { id items { id } } } } }'
    for answer in on_every_path(servers, query).values():
        assert only_code(answer) == "PAGE_TOO_LARGE"
        error = answer.errors[0]
        assert error["message"].startswith("demo.PetShop.items: more than 3 related records")
        assert (error["extensions"]["model"], error["extensions"]["field"]) == (
            "demo.PetShop", "items")


def test_lists_within_the_maximum_are_answered_by_every_path(
        servers: dict[str, Server]) -> None:
    query = ('{ petShopQuery { queryPage { content { code items(size: 3) { itemName } '
             'tags { name } } } } petOwnerQuery { queryListByWrapper { shops { code } } } }')
    outcomes = compiled_outcomes([servers[p].uvicorn.config.app.state.executor.compiled
                                  for p in ("rows", "in database")])
    answers = {path: server.gql(query).ok() for path, server in servers.items()}
    assert outcomes == [None, None]
    assert answers["rows"] == answers["in database"] == answers["general"]
    first = answers["general"]["petShopQuery"]["queryPage"]["content"][0]
    assert [i["itemName"] for i in first["items"]] == ["Item 1.1", "Item 1.2", "Item 1.3"]
    assert len(first["tags"]) == 2


def test_a_function_list_over_the_maximum_is_refused(servers: dict[str, Server]) -> None:
    server = servers["general"]
    answer = server.gql("{ petShopQuery { richest(limit: 2147483647) { id } } }")
    assert only_code(answer) == "PAGE_TOO_LARGE"
    assert "demo.PetShop.richest: returns 5 items, over the maximum 3" in \
        answer.errors[0]["message"]
    richest = server.gql("{ petShopQuery { richest(limit: 3) { code } } }").ok()
    assert [s["code"] for s in richest["petShopQuery"]["richest"]] == ["S005", "S004", "S003"]
