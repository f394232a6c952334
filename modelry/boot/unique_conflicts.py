"""Rows a unique constraint the plan adds would refuse, found before anything changes.

Adding `unique=True` to a field, or `unique=[(...)]` to a model, over a table that already
holds duplicates fails half way on the database (on SQLite inside the table rebuild, on
MySQL/MariaDB after earlier DDL has committed). A writing boot asks first and refuses,
naming the model, the fields and the values to fix; a DDL script says which statement
will fail. NULLs never conflict: every supported database treats them as distinct.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.operations import ops

from modelry.boot.schema_plan import SchemaPlan
from modelry.core.registry import Registry

EXAMPLES = 3


def unique_conflicts(connection: sa.Connection, plan: SchemaPlan,
                     registry: Registry) -> list[str]:
    """One line per unique constraint of `plan` that existing rows already break."""
    created = {s.table for s in plan.steps if isinstance(s.operation, ops.CreateTableOp)}
    adding = [(s.table, _unique_columns(s.operation)) for s in plan.steps
              if s.table not in created and _unique_columns(s.operation)]
    if not adding:
        return []
    inspector = sa.inspect(connection)
    live_tables = set(inspector.get_table_names())
    problems = []
    for table, columns in adding:
        if table not in live_tables:
            continue
        live = {c["name"] for c in inspector.get_columns(table)}
        if not set(columns) <= live:
            continue  # a column the plan adds (or renames): it holds no values yet
        groups, examples = _duplicates(connection, table, columns)
        if groups:
            problems.append(_describe(registry, table, columns, groups, examples))
    return problems


def _unique_columns(operation: Any) -> tuple[str, ...]:
    """The columns a unique constraint (or unique index: MySQL's spelling, and
    PostgreSQL's keeping NULLs first, `col ASC NULLS FIRST`) will cover."""
    if isinstance(operation, ops.CreateUniqueConstraintOp):
        return tuple(operation.columns)
    if isinstance(operation, ops.CreateIndexOp) and operation.unique:
        names = [getattr(_ordered(column), "name", column) for column in operation.columns]
        return tuple(names) if all(isinstance(n, str) for n in names) else ()
    return ()


def _ordered(key: Any) -> Any:
    """The column under an index key's ordering (`ASC`, `NULLS FIRST`)."""
    while isinstance(key, sa.sql.elements.UnaryExpression):
        key = key.element
    return key


def _duplicates(connection: sa.Connection, table_name: str, columns: tuple[str, ...]
                ) -> tuple[int, list[tuple[Any, ...]]]:
    """How many value groups are held by more than one row, and the first few of them."""
    table = sa.table(table_name, *(sa.column(name) for name in columns))
    keys = [table.c[name] for name in columns]
    grouped = (sa.select(*keys, sa.func.count().label("copies"))
               .where(*(key.is_not(None) for key in keys))
               .group_by(*keys).having(sa.func.count() > 1))
    examples = [tuple(row) for row in connection.execute(
        grouped.order_by(*keys).limit(EXAMPLES))]
    if len(examples) < EXAMPLES:
        return len(examples), examples
    total = connection.scalar(sa.select(sa.func.count()).select_from(grouped.subquery()))
    return int(total or 0), examples


def _describe(registry: Registry, table: str, columns: tuple[str, ...], groups: int,
              examples: list[tuple[Any, ...]]) -> str:
    """`account.Account (ledger, code): 2 rows share ledger=1, code='A' ...` in the model's
    words (the table's, for a table no loaded model stores)."""
    meta = next((m for m in registry.models.values()
                 if m.table == table and m.kind == "store"), None)
    by_column = {f.column: f.name for f in meta.columns} if meta is not None else {}
    names = [by_column.get(column, column) for column in columns]
    shown = "; ".join(
        f"{row[-1]} rows share " + ", ".join(f"{n}={v!r}" for n, v in zip(names, row))
        for row in examples)
    more = f" (and {groups - len(examples)} more value(s))" if groups > len(examples) else ""
    subject = meta.code if meta is not None else table
    return (f"{subject} ({', '.join(names)}): existing rows break the unique constraint the "
            f"code adds: {shown}{more}; change or remove them, then boot again")
