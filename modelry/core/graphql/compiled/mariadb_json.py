"""The compiled path on MariaDB: the database builds the response JSON itself.

As on PostgreSQL (compiled/database_json.py), a record plan becomes one statement whose
text is spliced into the response unparsed. MariaDB 10.11 has no LATERAL, so each
relation is a correlated scalar subquery: a ManyToOne is the `JSON_OBJECT(...)` of its
record, a to-many list `JSON_ARRAYAGG(JSON_OBJECT(...) ORDER BY id LIMIT n)` (10.11 takes
ORDER BY and LIMIT there). A nested JSON value stays JSON, not a quoted string, through
scalar subqueries, COALESCE and CASE as long as every branch is JSON. A page is one
JSON_ARRAYAGG over a derived table of its window, ordered again by the page's order.
JSON_ARRAYAGG stops at `group_concat_max_len` (1 MB by default) with a warning: a page
that long is read again one record per row (one more statement), and a warning there
(a nested list that long) fails the call, which then runs the general way.

The bytes are the general executor's: ids and decimals as text, booleans true/false,
enums by name, dates and times as Python's ISO 8601, bytes as base64, JSON_COMPACT drops
the spaces MariaDB writes after `:` and `,`, and `\\u001B` escapes are written in lower
case as orjson writes them. Floats and Json fields keep the row path: MariaDB writes 3.0
as 3 and 1.5e-07 as 0.00000015, and a Json field's stored text is not orjson's.

Why this rather than a faster row decoder: measured in process (bench/graphql's Q1-Q4 on
its seeded data, least CPU per request of 5-7 interleaved rounds, MariaDB 10.11, a loaded
2-CPU machine), as the hand-written endpoint's CPU over ours (above 1: cheaper), Q1..Q4.
On pymysql the row path is at 0.53 / 0.79 / 0.58 / 0.57, this path at 0.89 / 1.16 / 3.35
/ 0.89 (0.81 / 1.01 / 2.17 / 2.68 ms). A C driver (mysqlclient) makes every Python row
cheaper, the hand-written endpoint's as much as the row path's: the row path is then at
0.48 / 0.47 / 0.48 / 0.49, this path at 0.94 / 0.91 / 2.42 / 0.84. The row path's cost
is its Python dicts, not the driver.
"""
from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass
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
    total_column,
    DatabaseJson,
    Fetched,
    Read,
)
from modelry.core.graphql.compiled.plan import RecordPlan, Selected
from modelry.core.graphql.list_limits import nested_window
from modelry.errors import DataError

MARIADB_KINDS = KINDS - {"float", "json"}
UPPER_ESCAPE = re.compile(r"(\\+)u00([0-9A-F]{2})")
LAST_ID = sa.literal_column(str(2 ** 63 - 1))  # no BIGINT id is above it


class ArrayAgg(sa.sql.expression.ColumnElement[Any]):
    """`JSON_ARRAYAGG(value ORDER BY order [LIMIT limit])` (SQLAlchemy has no MariaDB form)."""

    __visit_name__ = "mariadb_json_arrayagg"
    inherit_cache = True
    _traverse_internals = [("value", InternalTraversal.dp_clauseelement),
                           ("order", InternalTraversal.dp_clauseelement),
                           ("limit", InternalTraversal.dp_plain_obj)]

    def __init__(self, value: Any, order: list[Any], limit: int | None = None) -> None:
        self.value, self.order, self.limit = value, sa.sql.expression.ClauseList(*order), limit
        self.type = sa.JSON()


@compiles(ArrayAgg)
def _array_agg(element: ArrayAgg, compiler: Any, **kw: Any) -> str:
    limit = "" if element.limit is None else f" LIMIT {int(element.limit)}"
    return (f"JSON_ARRAYAGG({compiler.process(element.value, **kw)} ORDER BY "
            f"{compiler.process(element.order, **kw)}{limit})")


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


@dataclass(frozen=True)
class PageStatements:
    """A page's statement, and the one reading a record per row for a list too long."""

    whole: sa.Select
    each: sa.Select

    def compile(self, dialect: Any) -> str:
        """Both statements' SQL (the built-statement cache weighs entries by it)."""
        return f"{self.whole.compile(dialect=dialect)};\n{self.each.compile(dialect=dialect)}"


def _refuse_warnings(fetched: Fetched) -> None:
    """An error when the statement warned: its JSON may be cut."""
    if fetched.warnings:
        raise DataError(f"MariaDB warned while writing JSON ({fetched.warnings})",
                        code="NOT_COMPILABLE")


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

    def page(self, plan: RecordPlan, where: list[Any], order: list[Any], variables: Any,
             counted: bool = False) -> PageStatements:
        """SELECT the JSON list of the records in the window bound at execution
        (`window_limit`, `window_offset`), how many, and (`counted`) how many match;
        SELECT each one's JSON object.

        The window is a derived table of the selected columns and those the order reads;
        JSON_ARRAYAGG orders its objects again by the same order on that table. The
        second statement serves a page too long for JSON_ARRAYAGG."""
        table = self.manager.table(plan.meta)
        each = sa.select(self._compact(plan, table, variables)).select_from(table) \
            .where(*where).order_by(*order).limit(WINDOW_LIMIT).offset(WINDOW_OFFSET)
        records = self.window(plan, where, order, counted)
        listed = ArrayAgg(self._object(plan, records, variables),
                          [self._adapt(records, clause) for clause in order])
        return PageStatements(sa.select(
            sa.func.json_compact(sa.func.coalesce(listed, sa.func.json_array()),
                                 type_=sa.String), sa.func.count(),
            *total_column(records, counted)).select_from(records), each)

    def one(self, plan: RecordPlan, where: list[Any], variables: Any) -> sa.Select:
        """SELECT the JSON object of each matching record (at most two)."""
        table = self.manager.table(plan.meta)
        return sa.select(self._compact(plan, table, variables)).select_from(table) \
            .where(*where).limit(2)

    def read_page(self, statements: PageStatements, parameters: dict[str, Any]
                  ) -> Generator[Read, Fetched, tuple[str, int, int | None]]:
        """(JSON list of the records in the window, how many, how many match or None):
        one statement, or a second one reading a record per row when the list passed
        group_concat_max_len (the first one's count of matches stands)."""
        fetched = yield Read(statements.whole, parameters)
        row, = fetched.rows
        total = row[2] if len(row) > 2 else None
        if not fetched.warnings:
            return lower_escapes(row[0]), row[1], total
        found = yield from self.read_one(statements.each, parameters)
        return f"[{','.join(found)}]", len(found), total

    def read_one(self, statement: Any, parameters: dict[str, Any]
                 ) -> Generator[Read, Fetched, list[str]]:
        """The JSON object of each record `statement` selects; a warning (a nested list
        cut at group_concat_max_len, say) is an error, so the general path answers."""
        fetched = yield Read(statement, parameters)
        _refuse_warnings(fetched)
        return [lower_escapes(row[0]) for row in fetched.rows]

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
                                           [target.c.id], window), sa.func.json_array())
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
