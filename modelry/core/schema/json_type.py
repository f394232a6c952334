"""A JSON column type that can also render literals (for DDL-mode scripts)."""
from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


class JsonType(sa.types.TypeDecorator):
    """JSON everywhere (JSONB on PostgreSQL), with literal rendering for printed scripts."""

    impl = sa.JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine:
        # none_as_null: a Python None is SQL NULL (so `=isnull=` finds it), not JSON 'null'
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(sa.JSON(none_as_null=True))

    def process_literal_param(self, value: Any, dialect: sa.Dialect) -> str:
        if value is None:
            return "NULL"
        text = json.dumps(value, sort_keys=True).replace("'", "''")
        if dialect.name == "mysql":
            text = text.replace("\\", "\\\\")
        return f"'{text}'"

    @property
    def python_type(self) -> type:
        return object
