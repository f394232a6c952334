"""`ownership.Owners`: the lowest-id subscription alive in a window owns its usage, per plan
for a plan's charges, of any kind for the charges without a plan."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from modelry.modules.billing.ownership import Owners

D = dt.date


def _sub(id: int, plan: int | None, starts: dt.date, ends: dt.date | None = None) -> object:
    return SimpleNamespace(id=id, customer_id=1, plan_id=plan, starts_on=starts, ends_on=ends)


def test_the_lowest_alive_subscription_owns_the_window() -> None:
    owners = Owners.of([_sub(3, 7, D(2026, 2, 1)), _sub(2, 7, D(2026, 1, 1), D(2026, 2, 1)),
                        _sub(5, None, D(2026, 1, 1)), _sub(4, 8, D(2026, 1, 1))])
    january, february = (D(2026, 1, 1), D(2026, 2, 1)), (D(2026, 2, 1), D(2026, 3, 1))
    assert owners.owner(1, 7, *january) == 2 and owners.owner(1, 7, *february) == 3
    assert owners.owner(1, None, *january) == 2 and owners.owner(1, None, *february) == 3
    assert owners.owner(1, 8, *february) == 4 and owners.owner(1, 9, *january) is None
    assert owners.owner(2, None, *january) is None
