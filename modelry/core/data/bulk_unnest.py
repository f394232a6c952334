"""PostgreSQL bulk inserts from arrays: `INSERT INTO t (a, b) SELECT * FROM
unnest(CAST(:a AS BIGINT[]), CAST(:b AS VARCHAR(64)[]))`.

One statement whatever the row count: its SQL is short and the same for every call with
these columns, so SQLAlchemy's compiled cache, psycopg's query cache and the server's
prepared plan all serve it, where a multi-row VALUES of 100 rows was compiled, parsed and
planned anew on every call (its SQL too long for any cache). unnest keeps the rows in
order. JSON columns go the multi-row way (`None` there is SQL NULL, not JSON null).
"""
from __future__ import annotations

import decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from modelry.core.lru import LRU

STATEMENTS = 64  # column sets kept per table
NUMBERS = frozenset({int, float, decimal.Decimal})


def unnest_insert(table: sa.Table, columns: tuple[str, ...]) -> sa.Insert | None:
    """The INSERT ... SELECT FROM unnest of `columns` (built once per table and column
    set, kept with the table), or None when a column's type cannot travel as an array."""
    built = table.info.get("modelry_unnest_inserts")
    if built is None:
        built = table.info.setdefault("modelry_unnest_inserts", LRU(STATEMENTS))
    statement = built.get(columns, built)
    if statement is built:
        statement = _build(table, columns)
        built.put(columns, statement)
    return statement  # type: ignore[no-any-return]


def unnest_params(rows: list[dict[str, Any]], columns: tuple[str, ...]
                  ) -> dict[str, Any] | None:
    """Column → the list of its values, in row order; None when a column mixes kinds of
    value psycopg cannot send as one array (mixed numbers become Decimals of the text
    psycopg would send for each)."""
    params = {}
    for column in columns:
        values = [row[column] for row in rows]
        kinds = {type(value) for value in values} - {type(None)}
        if len(kinds) > 1:
            if not kinds <= NUMBERS:
                return None
            values = [None if value is None else decimal.Decimal(
                str(value) if isinstance(value, float) else value) for value in values]
        params[column] = values
    return params


def _build(table: sa.Table, columns: tuple[str, ...]) -> sa.Insert | None:
    arrays = []
    for column in columns:
        element = _element(table.c[column].type)
        if element is None:
            return None
        arrays.append(sa.bindparam(column, type_=postgresql.ARRAY(element)))
    rows = sa.select(sa.literal_column("*")).select_from(sa.func.unnest(*arrays))
    return sa.insert(table).from_select(list(columns), rows, include_defaults=False)


def _element(kind: sa.types.TypeEngine[Any]) -> sa.types.TypeEngine[Any] | None:
    """The array's element type: the column's, without length or precision (an explicit
    cast to VARCHAR(n) would cut a longer text where the INSERT refuses it, and one to
    NUMERIC(p, s) is the INSERT's own work); None for JSON."""
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.JSON):
        return None
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return sa.Numeric()
    if isinstance(kind, sa.String):
        return sa.Text()
    return kind
