"""Read query plans: does a statement sort a table, or walk an index of it in order?

`sorted_without_index(connection, statement, parameters, table)` runs EXPLAIN on the
statement exactly as the application sent it (driver SQL and parameters, as captured by
`captured`) and lists what in the plan reads `table` without an index in ORDER BY order:
a PostgreSQL Sort over a sequential or bitmap scan of it, or no index scan of it at all;
MariaDB's "Using filesort"; SQLite's "USE TEMP B-TREE FOR ... ORDER BY".
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

PG_TABLE_SCANS = ("Seq Scan", "Bitmap Heap Scan")
PG_INDEX_SCANS = ("Index Scan", "Index Only Scan")


@contextlib.contextmanager
def captured(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """(driver SQL, parameters) of every statement `engine` sends inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def sorted_without_index(connection: sa.Connection, statement: str, parameters: Any,
                         table: str) -> list[str]:
    """What in the plan of `statement` orders rows of `table` without an index ([] if
    nothing does)."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return _postgresql(connection, statement, parameters, table)
    if dialect == "mysql":
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).mappings().all()
        return [f"{row['table']}: {row['Extra']}" for row in rows
                if "filesort" in (row["Extra"] or "").lower()]
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return [row[-1] for row in rows if "TEMP B-TREE" in row[-1] and "ORDER BY" in row[-1]]


def plan_text(connection: sa.Connection, statement: str, parameters: Any) -> str:
    """The plan of `statement` as the database prints it (for failure messages)."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        return "\n".join(row[-1] for row in rows)
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return "\n".join(" | ".join(str(value) for value in row) for row in rows)


def _postgresql(connection: sa.Connection, statement: str, parameters: Any,
                table: str) -> list[str]:
    (plan,), = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement,
                                          parameters).all()
    root = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    problems: list[str] = []
    walked: list[str] = []

    def visit(node: dict[str, Any], under_sort: bool) -> None:
        kind = node["Node Type"]
        if node.get("Relation Name") == table:
            if kind in PG_INDEX_SCANS:
                walked.append(node["Index Name"])
            elif kind in PG_TABLE_SCANS and under_sort:
                problems.append(f"Sort over {kind} on {table}")
        for child in node.get("Plans", []):
            visit(child, under_sort or kind == "Sort")

    visit(root, False)
    if not walked:
        problems.append(f"no index scan of {table}")
    return problems
