"""Constraint and index names: explicit, readable, and within every dialect's length limit."""
from __future__ import annotations

from modelry.core.naming import bounded


def constraint_name(prefix: str, table: str, *columns: str) -> str:
    """`ix_demo_pet_item_shop_id`; long names keep a readable head plus a hash."""
    return bounded("_".join((prefix, table, *columns)))
