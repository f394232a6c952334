"""schemathesis fuzzes the demo schema over HTTP (SQLite only): whatever valid documents it
builds, the server never answers 5xx, never hits an unhandled exception (INTERNAL_ERROR, or
"unexpected error" in its log), never leaks a stack trace, and never breaks its own schema
(a null for a non-null field). Domain errors (validation, RSQL, access) are expected.

Generation dominates the cost (~0.1 s per document), so the shop roots get most examples
and the other demo roots a few each; derandomized, so every run sends the same documents.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from modelry.boot import App, boot
from modelry.core.security.grants import grant_module
from tests.graphql.conftest import Server, load_sample

EXAMPLES = {"Query.petShopQuery": 30, "Mutation.petShopMutation": 30}
OTHERS = 5
DEMO_ROOTS = r"^(Query|Mutation)\.(pet\w+|award|shopAward|openShop|shopReport|shopService)\w+$"


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, Any]]]:
    """The demo on its own SQLite file (the fuzzer writes and deletes at will), sample data,
    and the schema's demo operations by label."""
    database = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    app: App = boot(database=f"sqlite:///{database}", modules=["demo"], lifecycle="install")
    load_sample(app)
    grant_module(app, "demo")
    server = Server(app.asgi)
    schema = schemathesis.graphql.from_url(f"{server.url}/graphql").include(
        name_regex=DEMO_ROOTS)
    operations = {result.ok().label: result.ok() for result in schema.get_all_operations()}
    yield server, operations
    server.stop()
    app.close()


def check(response: Any) -> dict[str, Any]:
    """What every fuzzed response must satisfy; returns the body."""
    text = response.text
    assert response.status_code < 500, text
    assert "Traceback" not in text and 'File "' not in text, text
    body = json.loads(text)
    assert isinstance(body, dict) and set(body) <= {"data", "errors", "extensions"}, body
    errors = body.get("errors") or []
    codes = [e.get("extensions", {}).get("code") for e in errors]
    assert "INTERNAL_ERROR" not in codes, body
    assert all(codes), body                              # every error carries a code
    assert not any("Cannot return null for non-nullable field" in e["message"]
                   for e in errors), body
    assert body["extensions"]["success"] is (not errors), body
    assert all(m["code"] for m in body["extensions"]["messages"]), body
    return body


DEMO_OPERATIONS = sorted({
    f"{kind}.{model}{kind}" for kind in ("Query", "Mutation")
    for model in ("petOwner", "petShop", "petItem", "petBreed", "petTag", "shopAward",
                  "award", "openShop")} | {"Query.shopReportQuery", "Query.shopServiceQuery",
                                           "Mutation.shopServiceMutation"})


def test_every_demo_root_is_fuzzed(fuzzed: tuple[Server, dict[str, Any]]) -> None:
    _, operations = fuzzed
    assert set(operations) == set(DEMO_OPERATIONS)


@pytest.mark.parametrize("label", DEMO_OPERATIONS)
def test_fuzz(fuzzed: tuple[Server, dict[str, Any]], label: str,
              caplog: pytest.LogCaptureFixture) -> None:
    server, operations = fuzzed
    outcomes: list[bool] = []

    @settings(max_examples=EXAMPLES.get(label, OTHERS), derandomize=True, deadline=None,
              database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(operations[label].as_strategy())
    def run(case: Any) -> None:
        response = case.call()
        try:
            body = check(response)
        except AssertionError:
            print("fuzzed document:", case.body)
            raise
        outcomes.append(not body.get("errors"))

    run()
    assert outcomes
    assert not [r.getMessage() for r in caplog.records if "unexpected error" in r.getMessage()]
    assert server.client.get("/health").status_code == 200
