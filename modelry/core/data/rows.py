"""Turn rows into records; records read together share a batch for relation loading."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
    """Records for `rows`, all in one batch (relations then load once for all of them)."""
    batch: list[Any] = []
    for row in rows:
        to_record(meta, row, batch)
    return list(batch)


def refresh(meta: ModelMeta, record: Any, row: Any) -> None:
    """Copy a row's values (e.g. from RETURNING) into an existing record."""
    mapping = row._mapping
    for field in meta.columns:
        if field.column in mapping:
            record._values[field.column] = field.from_db(mapping[field.column])
