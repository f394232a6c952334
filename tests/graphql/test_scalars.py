"""Each scalar type's wire format, both ways: the value sent in a create, the value read back.

Each test creates its own shop and reads it by id, so the tables are emptied once.
"""
from __future__ import annotations

from typing import Any

import pytest

from tests.graphql.conftest import Server


@pytest.fixture
def server(module_server: Server) -> Server:
    return module_server



@pytest.mark.parametrize(("field", "value", "wire"), [
    ("income", "0.0001", "0.0001"),
    ("income", "-12", "-12.0000"),
    ("visits", "-9223372036854775808", "-9223372036854775808"),
    ("visits", 42, "42"),                  # Long accepts a JSON number too
    ("taxRate", "12.3456", "12.3456"),
    ("rating", -0.5, -0.5),
    ("employees", -2147483648, -2147483648),
    ("settings", "just a string", "just a string"),
    ("settings", [], []),
    ("logo", "", ""),
    ("lastVisit", "2024-12-31T23:59:59Z", "2024-12-31T23:59:59"),
    ("openedOn", "1999-01-01", "1999-01-01"),
    ("opensAt", "23:59:59", "23:59:59"),
])
def test_scalar_round_trips(server: Server, field: str, value: Any, wire: Any) -> None:
    created = server.gql(f"mutation($data: PetShopInput!) {{ petShopMutation {{ "
                         f"create(data: $data) {{ id {field} }} }} }}",
                         {"data": {"name": "Scalars", field: value}}).ok()
    assert created["petShopMutation"]["create"][field] == wire
    read = server.gql(f"query($id: Long) {{ petShopQuery {{ queryOne(query: {{id: $id}}) "
                      f"{{ {field} }} }} }}", {"id": created["petShopMutation"]["create"]["id"]})
    assert read.ok()["petShopQuery"]["queryOne"][field] == wire
