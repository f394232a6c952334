"""Constraint and index names: explicit, readable, and within every dialect's length limit."""
from __future__ import annotations

import hashlib

MAX_NAME = 60  # PostgreSQL allows 63, MySQL 64


def constraint_name(prefix: str, table: str, *columns: str) -> str:
    """`ix_demo_pet_item_shop_id`; long names keep a readable head plus a hash."""
    name = "_".join((prefix, table, *columns))
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:MAX_NAME - 9]}_{digest}"
