"""PostgreSQL bulk inserts from arrays: `INSERT INTO t (a, b) SELECT * FROM
unnest(CAST(:a AS BIGINT[]), CAST(:b AS VARCHAR(64)[]))`.

One statement whatever the row count: its SQL is short and the same for every call with
these columns, so SQLAlchemy's compiled cache, psycopg's query cache and the server's
prepared plan all serve it, where a multi-row VALUES of 100 rows was compiled, parsed and
planned anew on every call (its SQL too long for any cache). unnest keeps the rows in
order.

Each array travels as one text parameter in PostgreSQL's array syntax (`{1,NULL,"a\\"b"}`),
written here with a join per column and cast by the server (`CAST(:a AS BIGINT[])`):
psycopg's list dumper checks every element with a regular expression, which cost more
than the INSERT itself at a hundred rows. Values that have no plain text form here
(bytes, datetimes with a time zone) keep psycopg's lists. A JSON column travels the same
way, each document serialized as the column's bind would (`None` is SQL NULL, as there)
into a `JSONB[]` (`JSON[]` for a plain JSON column); a document the serializer refuses
sends the rows the multi-row way, whose bind reports it.
"""
from __future__ import annotations

import decimal
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from modelry.core.lru import LRU
from modelry.core.schema.pg_arrays import NUMBERS, array_text

STATEMENTS = 64  # column sets kept per table
_POSTGRESQL = postgresql.base.PGDialect()


def unnest_statement(table: sa.Table, rows: list[dict[str, Any]],
                     json_serializer: Callable[[Any], str] | None = None
                     ) -> tuple[sa.Insert, dict[str, Any]] | None:
    """The INSERT ... SELECT FROM unnest for `rows` (which share their columns) and its
    parameters; None when a column cannot travel as an array (values of mixed kinds that
    are not all numbers, a document `json_serializer` (default `json.dumps`) refuses). A
    column holding one value in every row (audit fields, flags, a ledger) is sent once,
    beside the arrays; a JSON column always as an array."""
    columns = tuple(rows[0])
    texts: dict[str, str] = {}
    constants: dict[str, Any] = {}
    for column in columns:
        values = [row[column] for row in rows]
        if _json_element(table.c[column].type) is not None:
            text = json_array_text(values, json_serializer or json.dumps)
            if text is None:
                return None
            texts[column] = text
            continue
        if _constant(values):
            constants[column] = values[0]
            continue
        text = array_text(values)
        if text is None:
            break
        texts[column] = text
    else:
        if not texts:  # every column constant: one array still gives the row count
            first = columns[0]
            texts[first] = array_text([row[first] for row in rows])  # type: ignore[assignment]
            del constants[first]
        if None not in texts.values():
            statement = unnest_insert(table, tuple(texts), as_text=True,
                                      constants=tuple(constants))
            if statement is not None:
                return statement, {**texts, **{f"{column}__all": value
                                                for column, value in constants.items()}}
    statement = unnest_insert(table, columns, as_text=False)
    params = None if statement is None else unnest_params(rows, columns)
    return None if statement is None or params is None else (statement, params)


def _constant(values: list[Any]) -> bool:
    """Whether every value is the first one, of the same type (1 and True differ)."""
    first = values[0]
    kind = type(first)
    return values.count(first) == len(values) and all(type(v) is kind for v in values)


def unnest_insert(table: sa.Table, columns: tuple[str, ...], as_text: bool = True,
                  constants: tuple[str, ...] = ()) -> sa.Insert | None:
    """The INSERT ... SELECT FROM unnest of `columns`, its arrays sent as text or as lists,
    and `constants` sent once each (built once per table, column sets and form, kept with
    the table), or None when a column's type cannot travel as an array."""
    built = table.info.get("modelry_unnest_inserts")
    if built is None:
        built = table.info.setdefault("modelry_unnest_inserts", LRU(STATEMENTS))
    key = (columns, as_text, constants)
    statement = built.get(key, built)
    if statement is built:
        statement = _build(table, columns, as_text, constants)
        built.put(key, statement)
    return statement  # type: ignore[no-any-return]


def json_array_text(values: list[Any], serializer: Callable[[Any], str]) -> str | None:
    """JSON documents in PostgreSQL's array syntax (each serialized, then quoted; None is
    NULL), or None when `serializer` refuses one."""
    try:
        texts = [None if v is None else serializer(v) for v in values]
    except (TypeError, ValueError):
        return None
    return "{" + ",".join(["NULL" if t is None else '"' + t.replace(
        "\\", "\\\\").replace('"', '\\"') + '"' for t in texts]) + "}"


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


def _build(table: sa.Table, columns: tuple[str, ...], as_text: bool,
           constants: tuple[str, ...] = ()) -> sa.Insert | None:
    arrays: list[Any] = []
    for column in columns:
        element = _element(table.c[column].type)
        if element is None and as_text:
            element = _json_element(table.c[column].type)
        if element is None:
            return None
        if as_text:
            arrays.append(sa.cast(sa.bindparam(column, type_=sa.Text()),
                                  postgresql.ARRAY(element)))
        else:
            arrays.append(sa.bindparam(column, type_=postgresql.ARRAY(element)))
    once = []
    for column in constants:
        element = _element(table.c[column].type)
        if element is None:
            return None
        once.append(sa.cast(sa.bindparam(f"{column}__all", type_=element), element))
    rows = sa.select(sa.literal_column("*"), *once).select_from(sa.func.unnest(*arrays))
    return postgresql.insert(table).from_select([*columns, *constants], rows,
                                                include_defaults=False)


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


def _json_element(kind: sa.types.TypeEngine[Any]) -> sa.types.TypeEngine[Any] | None:
    """JSONB for a column PostgreSQL keeps as JSONB (modelry's JSON fields), JSON for a
    plain JSON column, None for any other column."""
    if isinstance(kind, sa.types.TypeDecorator):
        if not isinstance(kind.impl_instance, sa.JSON):
            return None
        kind = kind.load_dialect_impl(_POSTGRESQL)
    elif not isinstance(kind, sa.JSON):
        return None
    return postgresql.JSONB() if isinstance(kind, postgresql.JSONB) else postgresql.JSON()
