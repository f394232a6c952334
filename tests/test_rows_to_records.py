"""Rows into records, on every database: `to_records` (fields read by position, looked up
once per result) gives the records `to_record` gives row by row, values of every kind
converted alike, NULLs kept, only the columns the rows hold, all in one batch; mappings
go row by row."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from modelry import directives
from modelry.boot import App
from modelry.core.data.rows import to_record, to_records
from modelry.modules.demo.models import PetShop, ShopStatus


@pytest.fixture(autouse=True)
def _backend_directives() -> Iterator[None]:
    with directives.backend_scope():
        yield


def test_records_by_position_equal_records_by_name(app: App) -> None:
    with app.transaction():
        PetShop(name="a", status=ShopStatus.CLOSED, employees=3, rating=1.5,
                income=Decimal("12345678901234.5678"), opened_on=dt.date(2026, 1, 2),
                last_visit=dt.datetime(2026, 1, 3, 4, 5, 6)).create()
        PetShop(name="b").create()
    meta = app.registry.model("demo.PetShop")
    table = app.data.table(meta)
    with app.engine.connect() as connection:
        rows = connection.execute(sa.select(table).order_by(table.c.id)).all()
        some = connection.execute(sa.select(table.c.id, table.c.name, table.c.status)
                                  .order_by(table.c.id)).all()
    by_position = to_records(meta, rows)
    by_name = [to_record(meta, row) for row in rows]
    assert [r._values for r in by_position] == [r._values for r in by_name]
    assert [list(r._values) for r in by_position] == [list(r._values) for r in by_name]
    first, second = by_position
    assert (first.status, first.income, first.opened_on, first.last_visit) == \
        (ShopStatus.CLOSED, Decimal("12345678901234.5678"), dt.date(2026, 1, 2),
         dt.datetime(2026, 1, 3, 4, 5, 6))
    assert second.rating is None and second.opened_on is None
    assert first._batch is second._batch and first._batch == by_position
    partial = to_records(meta, some)
    assert [sorted(r._values) for r in partial] == [["id", "name", "status"]] * 2
    assert [r._values for r in to_records(meta, [row._mapping for row in rows])] == \
        [r._values for r in by_name]
