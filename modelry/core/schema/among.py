"""`column IN values`, written the way the database binds a long list cheapest."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


def among(column: sa.ColumnElement[Any], values: list[Any], dialect: str
          ) -> sa.ColumnElement[bool]:
    """`column IN values`; on PostgreSQL, for an integer or text column, `column =
    ANY(:values)` with one array parameter: the statement is the same whatever the number
    of values (compiled and prepared once), and a thousand values bind as one parameter,
    not a thousand. NULLs and negation behave as with IN."""
    kind = column.type
    if dialect == "postgresql" and isinstance(kind, sa.Integer | sa.String) and \
            not isinstance(kind, sa.Enum):
        return column == sa.any_(sa.bindparam(None, list(values),
                                              type_=postgresql.ARRAY(kind)))
    return column.in_(values)
