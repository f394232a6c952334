"""Commands for writing to-many relations: assign a list to replace, or one of these."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RelationCommand:
    """`op` is "add", "remove" or "replace"; items are records, dicts or ids."""

    op: str
    items: tuple[Any, ...]


def add(*items: Any) -> RelationCommand:
    """Link these records (ids, records, or dicts for new ones) and keep the others."""
    return RelationCommand("add", items)


def remove(*items: Any) -> RelationCommand:
    """Unlink these records (OneToMany: the inverse is cleared, or the row deleted if required)."""
    return RelationCommand("remove", items)


def replace(*items: Any) -> RelationCommand:
    """Link exactly these records (the same as assigning a list)."""
    return RelationCommand("replace", items)
