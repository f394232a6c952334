"""Turn rows into records; records read together share a batch for relation loading."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from modelry.core.registry import ModelMeta


def to_record(meta: ModelMeta, row: Any, batch: list[Any] | None = None) -> Any:
    """A record of `meta` holding the row's values (keyed by column)."""
    record = meta.cls()
    mapping = row._mapping if hasattr(row, "_mapping") else row
    values = record._values
    for field in meta.columns:
        if field.column in mapping:
            values[field.column] = field.from_db(mapping[field.column])
    if batch is not None:
        object.__setattr__(record, "_batch", batch)
        batch.append(record)
    return record


def to_records(meta: ModelMeta, rows: Iterable[Any]) -> list[Any]:
    """Records for `rows`, all in one batch (relations then load once for all of them).

    Rows of one result share their columns: where each field's value sits is looked up
    once, from the first row, and read by position from every row (what `to_record` does
    by name, row by row, at a third of the cost)."""
    batch: list[Any] = []
    reading: list[tuple[int, str, Callable[[Any], Any]]] | None = None
    for row in rows:
        if not isinstance(row, sa.Row):             # a mapping, not a result's row
            to_record(meta, row, batch)
            continue
        if reading is None:
            position = {key: index for index, key in enumerate(row._fields)}
            reading = [(position[field.column], field.column, field.from_db)
                       for field in meta.columns if field.column in position]
        record = meta.cls()
        values = record._values
        for index, column, from_db in reading:
            values[column] = from_db(row[index])
        object.__setattr__(record, "_batch", batch)
        batch.append(record)
    return list(batch)


def refresh(meta: ModelMeta, record: Any, row: Any) -> None:
    """Copy a row's values (e.g. from RETURNING) into an existing record, which then holds
    its stored row (see `as_stored`)."""
    mapping = row._mapping
    for field in meta.columns:
        if field.column in mapping:
            record._values[field.column] = field.from_db(mapping[field.column])
    object.__setattr__(record, "_as_stored", len(mapping) >= len(meta.columns))


def as_stored(meta: ModelMeta, record: Any) -> Any:
    """A new record holding what the write of `record` stored (its RETURNING row), its
    relations unread; None when `record` does not hold its whole stored row or was changed
    since (the caller reads it again)."""
    if not getattr(record, "_as_stored", False) or record._changed:
        return None
    stored = meta.cls()
    stored._values.update(record._values)
    return stored
