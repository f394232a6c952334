"""`group_totals` for a client caller: its record rules narrow the rows totalled, and a field
hidden from it is refused as an unknown field is (nothing to probe). Roles as in
tests/security/test_bulk_rights.py."""
from __future__ import annotations

from decimal import Decimal

import pytest

from modelry import DataError
from tests.security.permmodule import fixtures
from tests.security.permmodule.fixtures import World
from tests.security.test_bulk_rights import client

perm_app, world = fixtures.perm_app, fixtures.world


def test_record_rules_narrow_the_totals(world: World) -> None:
    with client(world, "ruled") as Memo:   # ann sees only the memo she created
        assert Memo.group_totals(sums=["salary"]) == [{"salary": Decimal(10), "count": 1}]
    with client(world, "full") as Memo:
        assert Memo.group_totals(sums=["salary"]) == [{"salary": Decimal(30), "count": 2}]


def test_a_hidden_field_is_refused_as_an_unknown_one(world: World) -> None:
    with client(world, "hider") as Memo:
        for group_by, sums in (((), ["salary"]), ("salary", ["salary"])):
            with pytest.raises(DataError) as hidden:
                Memo.group_totals(group_by, sums)
            assert (hidden.value.code, hidden.value.field) == ("UNKNOWN_FIELD", "salary")
        with pytest.raises(DataError) as unknown:
            Memo.group_totals(sums=["wages"])
        assert hidden.value.message == unknown.value.message.replace("wages", "salary")
