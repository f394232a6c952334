"""`column IN values`, written the way the database binds a long list cheapest."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from modelry.core.schema.pg_arrays import array_text


def among(column: sa.ColumnElement[Any], values: list[Any], dialect: str
          ) -> sa.ColumnElement[bool]:
    """`column IN values`; on PostgreSQL, for an integer or text column, `column =
    ANY(CAST(:values AS BIGINT[] | TEXT[]))` with the values as one array text: the
    statement is the same whatever their number (compiled and prepared once), and a
    thousand values bind as one parameter. The array's element type has no length, so a
    value longer than the column never matches a row by its prefix; NULLs and negation
    behave as with IN."""
    kind = column.type
    if dialect == "postgresql" and isinstance(kind, sa.Integer | sa.String) and \
            not isinstance(kind, sa.Enum):
        text = array_text(list(values))
        if text is not None:
            element = sa.BigInteger() if isinstance(kind, sa.Integer) else sa.Text()
            return column == sa.any_(sa.cast(sa.bindparam(None, text, type_=sa.Text()),
                                             postgresql.ARRAY(element)))
    return column.in_(values)
