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
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB())
        return dialect.type_descriptor(sa.JSON())

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
