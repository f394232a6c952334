"""schemathesis fuzzes the demo schema over HTTP on every test database: whatever valid
documents it builds, the server never answers 5xx, never hits an unhandled exception
(INTERNAL_ERROR, or "unexpected error" in its log), never leaks a stack trace, and never
breaks its own schema (a null for a non-null field). Domain errors are expected.

Each generated document goes four ways: as built; as `text/plain` (refused with 415
before anything runs); hostile, with huge numbers and long relation paths (refused
cleanly; fuzz_hostile.py); and as its valid twin, which must succeed (fuzz_twin.py), so
every root's writes and reads really run. Queries go to a server on the compiled path
and to one on general execution over the same database, and must answer alike; the
compiled path may decline a document, never fail on it unnoticed.

Generation dominates the cost (~0.1 s per document), so the shop roots get most examples
and the other demo roots a few each; derandomized, so every run sends the same documents.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from modelry import directives
from modelry.core.graphql.compiled.plan import NotCompilable
from modelry.core.graphql.calls.naming import type_name
from modelry.core.security.grants import grant_module
from modelry.errors import ModelryError
from tests.graphql.conftest import Server, boot_demo, compiled_outcomes, load_sample
from tests.graphql.fuzz_hostile import hostile, scalars
from tests.graphql.fuzz_twin import Twin, fresh_record

EXAMPLES = {"Query.petShopQuery": 30, "Mutation.petShopMutation": 30}
OTHERS = 5
DEMO_ROOTS = r"^(Query|Mutation)\.(pet\w+|award|shopAward|openShop|shopReport|shopService)\w+$"
CLEAN_REFUSALS = ("RSQL_PATH_TOO_LONG",)  # long paths: refused before any SQL is built

for scalar_name, strategy in scalars().items():
    schemathesis.graphql.scalar(scalar_name, strategy)


@dataclass
class Fuzzed:
    """The demo served twice over one database, its operations, and their twins."""

    compiled: Server
    general: Server
    operations: dict[str, Any]
    twin: Twin
    outcomes: list[Exception | None]  # of the compiled path's runs


@pytest.fixture(scope="module")
def fuzzed(database_url: str) -> Iterator[Fuzzed]:
    """The demo with sample data on the test database (the fuzzer writes and deletes at
    will), served on the compiled path and by general execution."""
    compiled_app = boot_demo(database_url)
    general_app = boot_demo(database_url, empty=False, compiled=False)
    load_sample(compiled_app)
    grant_module(compiled_app, "demo")
    compiled, general = Server(compiled_app.asgi), Server(general_app.asgi)
    executor = compiled_app.asgi.state.executor
    schema = schemathesis.graphql.from_url(f"{compiled.url}/graphql").include(
        name_regex=DEMO_ROOTS)
    operations = {result.ok().label: result.ok() for result in schema.get_all_operations()}

    def fresh(meta: Any) -> dict[str, str]:
        """A new record of `meta` (as back-end code): its id and version."""
        with directives.scope(), compiled_app.transaction():
            return fresh_record(compiled_app.registry, meta)

    models = {f"{type_name(meta)}Input": meta for meta in executor.schema.types.exposed()}
    twin = Twin(executor.schema.graphql, models, fresh)
    yield Fuzzed(compiled, general, operations, twin, compiled_outcomes([executor.compiled]))
    compiled.stop()
    general.stop()
    compiled_app.close()
    general_app.close()


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


def post(server: Server, query: str, variables: dict[str, Any] | None = None) -> Any:
    return server.client.post("/graphql", json={"query": query, "variables": variables})


def alike(fuzzed: Fuzzed, query: str, variables: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    """The compiled server's body, after checking the general one answers the same."""
    body = check(post(fuzzed.compiled, query, variables))
    general = check(post(fuzzed.general, query, variables))
    assert body.get("data") == general.get("data"), (body, general)
    assert [e["extensions"]["code"] for e in body.get("errors") or []] == \
        [e["extensions"]["code"] for e in general.get("errors") or []], (body, general)
    return body


def refused_as_text(server: Server, query: str) -> None:
    response = server.client.post("/graphql", content=json.dumps({"query": query}),
                                  headers={"content-type": "text/plain"})
    assert response.status_code == 415, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


DEMO_OPERATIONS = sorted({
    f"{kind}.{model}{kind}" for kind in ("Query", "Mutation")
    for model in ("petOwner", "petShop", "petItem", "petBreed", "petTag", "shopAward",
                  "award", "openShop")} | {"Query.shopReportQuery", "Query.shopServiceQuery",
                                           "Mutation.shopServiceMutation"})


def test_every_demo_root_is_fuzzed(fuzzed: Fuzzed) -> None:
    assert set(fuzzed.operations) == set(DEMO_OPERATIONS)


@pytest.mark.parametrize("label", DEMO_OPERATIONS)
def test_fuzz(fuzzed: Fuzzed, label: str, caplog: pytest.LogCaptureFixture) -> None:
    server, query = fuzzed.compiled, label.startswith("Query.")
    twins: list[dict[str, Any]] = []

    @settings(max_examples=EXAMPLES.get(label, OTHERS), derandomize=True, deadline=None,
              database=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=fuzzed.operations[label].as_strategy(), data=st.data())
    def run(case: Any, data: st.DataObject) -> None:
        document = case.body
        try:
            (alike(fuzzed, document) if query else check(post(server, document)))
            refused_as_text(server, document)
            check(post(server, hostile(document, data.draw)))
            twin, variables = fuzzed.twin.of(document, data.draw)
            body = alike(fuzzed, twin, variables) if query else \
                check(post(server, twin, variables))
            assert not body.get("errors"), body
            twins.append(body["data"])
        except AssertionError:
            print("fuzzed document:", document)
            raise

    run()
    assert len(twins) == EXAMPLES.get(label, OTHERS)  # every twin succeeded
    unexpected = [o for o in fuzzed.outcomes
                  if o is not None and not isinstance(o, (NotCompilable, ModelryError))]
    assert not unexpected, unexpected  # the compiled path declined, or answered
    assert not [r.getMessage() for r in caplog.records if "unexpected error" in r.getMessage()]
    assert server.client.get("/health").status_code == 200


def test_long_relation_paths_were_sent_and_refused(fuzzed: Fuzzed) -> None:
    """The hostile variants did reach the path-length check (CLEAN_REFUSALS)."""
    query = "query($r: String) { petShopQuery { countByWrapper(queryWrapper: {rsql: $r}) } }"
    path = ".".join(["owner", "shops"] * 10) + ".id==1"
    body = check(post(fuzzed.compiled, query, {"r": path}))
    assert [e["extensions"]["code"] for e in body["errors"]] == list(CLEAN_REFUSALS)
