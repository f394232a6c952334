"""The compiled path on MariaDB: the database builds the response JSON itself.

As on PostgreSQL (compiled/database_json.py), a record plan becomes one statement whose
text is spliced into the response unparsed. MariaDB 10.11 has no LATERAL, so each
relation is a correlated scalar subquery: a ManyToOne is the `JSON_OBJECT(...)` of its
record, a to-many list `JSON_ARRAYAGG(JSON_OBJECT(...) ORDER BY id LIMIT n)` (10.11 takes
ORDER BY and LIMIT there). A nested JSON value stays JSON, not a quoted string, through
scalar subqueries, COALESCE and CASE as long as every branch is JSON. The top level
comes back one row per record, joined in Python, so a page never meets
`group_concat_max_len` (JSON_ARRAYAGG's bound, 1 MB by default); a nested list that does
warns, and any warning fails the call, which then runs the general way.

The bytes are the general executor's: ids and decimals as text, booleans true/false,
enums by name, dates and times as Python's ISO 8601, bytes as base64, JSON_COMPACT drops
the spaces MariaDB writes after `:` and `,`, and `\\u001B` escapes are written in lower
case as orjson writes them. Floats and Json fields keep the row path: MariaDB writes 3.0
as 3 and 1.5e-07 as 0.00000015, and a Json field's stored text is not orjson's.

Why this rather than a faster row decoder: measured in process (bench/graphql's Q1-Q4,
the hand-written endpoint on the same engine, CPU per request, MariaDB 10.11, pymysql),
the row path spent 0.46-0.60x the hand-written endpoint's CPU (it decodes every cell in
Python, then makes dicts); this path 0.8-1.1x on Q1, Q2 and Q4 and 2.3-2.9x on Q3. A C
driver (mysqlclient) speeds the hand-written endpoint as much as the row path, whose
dicts remain, and does not move the ratio.
"""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from modelry.core.fields import Field
from modelry.core.graphql.compiled.database_json import (
    KINDS,
    MAX_KEYS,
    WINDOW_LIMIT,
    WINDOW_OFFSET,
    DatabaseJson,
)
from modelry.core.graphql.compiled.plan import RecordPlan, Selected
from modelry.core.graphql.list_limits import nested_window
from modelry.errors import DataError

MARIADB_KINDS = KINDS - {"float", "json"}
UPPER_ESCAPE = re.compile(r"(\\+)u00([0-9A-F]{2})")
LAST_ID = sa.literal_column(str(2 ** 63 - 1))  # no BIGINT id is above it


class ArrayAgg(sa.sql.expression.ColumnElement[Any]):
    """`JSON_ARRAYAGG(value ORDER BY order LIMIT limit)` (SQLAlchemy has no MariaDB form)."""

    __visit_name__ = "mariadb_json_arrayagg"
    inherit_cache = True
    _traverse_internals = [("value", InternalTraversal.dp_clauseelement),
                           ("order", InternalTraversal.dp_clauseelement),
                           ("limit", InternalTraversal.dp_plain_obj)]

    def __init__(self, value: Any, order: Any, limit: int) -> None:
        self.value, self.order, self.limit = value, order, int(limit)
        self.type = sa.JSON()


@compiles(ArrayAgg)
def _array_agg(element: ArrayAgg, compiler: Any, **kw: Any) -> str:
    return (f"JSON_ARRAYAGG({compiler.process(element.value, **kw)} ORDER BY "
            f"{compiler.process(element.order, **kw)} LIMIT {element.limit})")


def _kind(field: Field) -> str:
    return "biginteger" if field.name == "id" else field.kind


def _text(value: Any) -> Any:
    return sa.cast(value, sa.String)  # CAST(... AS CHAR)


def wire_value(field: Field, column: Any) -> Any:
    """`column` rendered as the general executor writes `field`'s values."""
    kind = _kind(field)
    if kind in ("biginteger", "many2one", "decimal", "money"):
        return _text(column)
    if kind == "boolean":  # a comparison is JSON true/false; TINYINT would be 1/0
        return column != 0
    if kind == "enum":
        if not field.int_values:  # type: ignore[attr-defined]
            column = column.collate("utf8mb4_bin")  # 'a' and 'A' are different values
        return sa.case(*((column == member.value, sa.literal(member.name, sa.String))
                         for member in field.enum_class), else_=sa.null())  # type: ignore
    if kind == "date":
        return sa.func.date_format(column, "%Y-%m-%d")
    if kind == "datetime":  # Python's isoformat(): microseconds only when there are some
        fraction = sa.case((sa.func.microsecond(column) == 0, sa.literal("", sa.String)),
                           else_=sa.func.date_format(column, ".%f"))
        return sa.func.concat(sa.func.date_format(column, "%Y-%m-%dT%H:%i:%s"), fraction)
    if kind == "json":
        return sa.func.json_extract(column, "$")
    if kind == "binary":  # base64 without TO_BASE64's line breaks
        return sa.func.replace(sa.func.to_base64(column), "\n", "")
    return column


def _key(name: str) -> Any:
    """A response key as an SQL string literal (GraphQL names are [_A-Za-z0-9]+)."""
    return sa.literal_column(f"'{name}'")


def _fails() -> Any:
    """A value MariaDB fails to compute (a scalar subquery of two rows), taken only for a
    nested list over the page-size maximum: the statement fails, the request then runs
    the general way, and that refuses the list with PAGE_TOO_LARGE (list_limits.py)."""
    one, two = (sa.select(sa.literal_column(str(n))) for n in (1, 2))
    return sa.func.json_array(sa.union_all(one, two).scalar_subquery())  # JSON, as the
    # other branch: a CASE with a non-JSON branch makes the list a quoted string


def lower_escapes(text: str) -> str:
    """MariaDB's `\\u001B` escapes written `\\u001b`, as orjson and the general path do."""
    if "\\u00" not in text:
        return text
    return UPPER_ESCAPE.sub(
        lambda m: m.group(0) if len(m.group(1)) % 2 == 0 else
        f"{m.group(1)}u00{m.group(2).lower()}", text)


class MariaDbJson(DatabaseJson):
    """Statements whose values are the JSON of a record plan's records, on MariaDB."""

    def renders(self, plan: RecordPlan | None) -> bool:
        """Whether every value `plan` selects (nested plans included) renders in SQL."""
        if plan is None:
            return True
        if len(plan.selected) > MAX_KEYS:
            return False
        for item in plan.selected:
            if item.kind == "column" and _kind(item.field) not in MARIADB_KINDS:  # type: ignore
                return False
            if item.nested is not None and not self.renders(item.nested):
                return False
        return True

    def page(self, plan: RecordPlan, where: list[Any], order: list[Any], variables: Any
             ) -> sa.Select:
        """SELECT the JSON object of each record in the window bound at execution
        (`window_limit`, `window_offset`), in order."""
        table = self.manager.table(plan.meta)
        return sa.select(self._compact(plan, table, variables)).select_from(table) \
            .where(*where).order_by(*order).limit(WINDOW_LIMIT).offset(WINDOW_OFFSET)

    def one(self, plan: RecordPlan, where: list[Any], variables: Any) -> sa.Select:
        """SELECT the JSON object of each matching record (at most two)."""
        table = self.manager.table(plan.meta)
        return sa.select(self._compact(plan, table, variables)).select_from(table) \
            .where(*where).limit(2)

    def read_page(self, connection: sa.Connection, statement: Any,
                  parameters: dict[str, Any]) -> tuple[str, int]:
        """(JSON list of the records in the window, how many)."""
        found = self.read_one(connection, statement, parameters)
        return f"[{','.join(found)}]", len(found)

    def read_one(self, connection: sa.Connection, statement: Any,
                 parameters: dict[str, Any]) -> list[str]:
        """The JSON object of each record `statement` selects; a warning (a nested list
        cut at group_concat_max_len, say) is an error, so the general path answers."""
        result = connection.execute(statement, parameters)
        cursor = result.cursor
        found = result.scalars().all()
        if getattr(cursor, "warning_count", 0):
            raise DataError(f"MariaDB warned while writing JSON ({cursor.warning_count})",
                            code="NOT_COMPILABLE")
        return [lower_escapes(text) for text in found]

    # ── one record ─────────────────────────────────────────────────────────
    def _compact(self, plan: RecordPlan, source: Any, variables: Any) -> Any:
        """A top-level record's JSON without the spaces MariaDB writes after `:` and `,`."""
        return sa.func.json_compact(self._object(plan, source, variables), type_=sa.String)

    @staticmethod
    def _build_object(pairs: list[Any]) -> Any:
        """The JSON object of (key, value, key, value, ...)."""
        return sa.func.json_object(*pairs, type_=sa.String)

    @staticmethod
    def _wire_value(field: Field, column: Any) -> Any:
        """`column` rendered as the general executor writes `field`'s values."""
        return wire_value(field, column)

    def _to_many(self, plan: RecordPlan, item: Selected, nested: RecordPlan, target: Any,
                 source: Any, variables: Any) -> Any:
        arguments = self._list_arguments(plan, item, variables)
        size, rsql = arguments.get("size"), arguments.get("rsql")
        window = nested_window(plan.meta.code, item.field.name, size, self.settings)
        listed = sa.func.coalesce(ArrayAgg(self._object(nested, target, variables),
                                           target.c.id, window), sa.func.json_array())
        if size is None:  # a list over the maximum fails the statement (see _fails)
            listed = sa.case((sa.func.count() >= window, _fails()), else_=listed)
        # correlated to `source` however deep it sits (auto-correlation looks one level up)
        query = self._related(item.field, nested, target, source, rsql,  # type: ignore
                              listed).correlate(source)
        if size:  # JSON_ARRAYAGG makes every object before its LIMIT: read only `size`
            probe = self.manager.table(nested.meta).alias()
            last = self._related(item.field, nested, probe, source, rsql,  # type: ignore
                                 probe.c.id).correlate(source).order_by(probe.c.id) \
                .limit(1).offset(window - 1).scalar_subquery()
            query = query.where(target.c.id <= sa.func.coalesce(last, LAST_ID))
        return query.scalar_subquery()
