"""SQLite decimals an older modelry stored as numbers, rewritten as sortable text.

Before, SQLite held Decimal and Money values as REAL or INTEGER (about 15 significant
digits, and every number sorts before every text). The schema plan gets one step per
such column: each value is rewritten at its declared scale as `decimal_text` (exactly
what was stored: lost digits stay lost), so old and new rows compare and sort together.
INSTALL runs it (EXTEND too: no column changes), DDL prints it. Nothing to do on
PostgreSQL and MariaDB, nor once every value is text.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic.operations import Operations, ops

from modelry.core.schema.decimal_type import DecimalType

NUMBERS = ("integer", "real")


class RewriteDecimalsOp(ops.MigrateOperation):
    """UPDATEs rewriting one column's numbers, each applying only while its row still
    holds that number (a concurrent write wins)."""

    def __init__(self, table_name: str, column_name: str, updates: list[Any]) -> None:
        self.table_name, self.column_name, self.updates = table_name, column_name, updates


@Operations.implementation_for(RewriteDecimalsOp)
def _rewrite(operations: Operations, op: RewriteDecimalsOp) -> None:
    for update in op.updates:
        operations.execute(update)


def legacy_decimal_ops(connection: sa.Connection, metadata: sa.MetaData
                       ) -> list[RewriteDecimalsOp]:
    """A rewrite per decimal column of `metadata` holding numbers (SQLite only)."""
    if connection.dialect.name != "sqlite":
        return []
    inspector = sa.inspect(connection)
    live = set(inspector.get_table_names())
    found: list[RewriteDecimalsOp] = []
    for table in metadata.sorted_tables:
        if table.name not in live or "id" not in table.c:
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if isinstance(column.type, DecimalType) and column.name in present:
                updates = _updates(connection, table, column)
                if updates:
                    found.append(RewriteDecimalsOp(table.name, column.name, updates))
    return found


def _updates(connection: sa.Connection, table: sa.Table, column: sa.Column[Any]) -> list[Any]:
    stored = sa.type_coerce(column, sa.Float)  # the number as SQLite holds it
    rows = connection.execute(sa.select(table.c.id, stored).order_by(table.c.id)
                              .where(sa.func.typeof(column).in_(NUMBERS))).all()
    decimal_type: DecimalType = column.type  # type: ignore[assignment]
    return [table.update().where(table.c.id == id_, sa.func.typeof(column).in_(NUMBERS),
                                 stored == number)
            .values({column.name: decimal_type.at_scale(Decimal(str(number)))})
            for id_, number in rows]
