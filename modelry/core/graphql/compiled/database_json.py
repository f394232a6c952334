"""The compiled path on PostgreSQL: the database builds the response JSON itself.

A record plan becomes one statement whose single value is the JSON text of the records,
nested relations included (`json_build_object`, `json_agg`, a correlated subquery per
relation): no rows travel to Python and no Python object is made per record. Every value
is rendered in SQL exactly as the general executor writes it (ids and decimals as text,
enums by name, times as Python's ISO 8601), so both paths answer alike. Plans with a
field kind or a size this cannot render keep the row-by-row compiled path.
"""
from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, Callable

import sqlalchemy as sa
from graphql.execution.values import get_argument_values
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.sql.visitors import iterate

from modelry.core import context
from modelry.core.data.counted import TOTAL, counting_column
from modelry.core.fields import Field, ManyToMany, OneToMany
from modelry.core.graphql.compiled.plan import BuiltinPlan, RecordPlan, Selected
from modelry.core.graphql.list_limits import nested_window
from modelry.core.lru import LRU
from modelry.core.rsql import compile_filter
from modelry.core.rsql.relations import read_rules
from modelry.errors import DataError

# json_build_object takes at most 100 arguments: 50 keys with their values
MAX_KEYS = 50
KINDS = frozenset({"string", "text", "integer", "biginteger", "float", "boolean", "decimal",
                   "money", "many2one", "enum", "date", "datetime", "json", "binary"})
EMPTY_LIST = sa.literal_column("'[]'::json")
NOT_FINITE = ("Infinity", "-Infinity", "NaN")  # PostgreSQL's NaN equals NaN


def renders(plan: RecordPlan | None) -> bool:
    """Whether every value `plan` selects (nested plans included) can be rendered in SQL."""
    if plan is None:
        return True
    if len(plan.selected) > MAX_KEYS:
        return False
    for item in plan.selected:
        if item.kind == "column" and _kind(item.field) not in KINDS:  # type: ignore[arg-type]
            return False
        if item.nested is not None and not renders(item.nested):
            return False
    return True


def _kind(field: Field) -> str:
    return "biginteger" if field.name == "id" else field.kind


def _text(value: Any) -> Any:
    return sa.cast(value, sa.Text)


def total_column(records: Any, counted: bool) -> list[Any]:
    """The page's column of how many match (every window row holds it), if `counted`."""
    return [sa.func.max(records.c[TOTAL])] if counted else []


def wire_value(field: Field, column: Any) -> Any:
    """`column` rendered as the general executor writes `field`'s values."""
    kind = _kind(field)
    if kind in ("biginteger", "many2one", "decimal", "money"):
        return _text(column)
    if kind == "enum":
        names = {member.value: member.name for member in field.enum_class}  # type: ignore
        return sa.case(*((column == value, sa.literal(name, sa.Text))
                         for value, name in names.items()), else_=sa.null())
    if kind == "date":
        return sa.func.to_char(column, "YYYY-MM-DD")
    if kind == "datetime":  # Python's isoformat(): microseconds only when there are some
        fraction = sa.cast(sa.extract("microseconds", column), sa.BigInteger) % 1000000
        seconds = sa.type_coerce(sa.func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS'), sa.Text)
        return seconds.concat(sa.case((fraction == 0, sa.literal("", sa.Text)),
                                      else_=sa.func.to_char(column, ".US")))  # NULL stays NULL
    if kind == "binary":  # base64 without PostgreSQL's line breaks
        return sa.func.translate(sa.func.encode(column, "base64"), "\n", "")
    if kind == "float":  # not finite: null, as scalars.finite_or_none (JSON has no NaN)
        return sa.case((column.in_([sa.literal_column(f"'{v}'::float8") for v in
                                    NOT_FINITE]), sa.null()), else_=column)
    return column


def _too_long(records: Any) -> Any:
    """A value PostgreSQL fails to compute (its text is not JSON), taken only for a nested
    list over the page-size maximum: the statement fails, the request then runs the
    general way, and that refuses the list with PAGE_TOO_LARGE (list_limits.py)."""
    return sa.cast(sa.cast(sa.func.count(records.c.id), sa.Text) + " records", sa.JSON)


def _key(name: str) -> Any:
    """A response key as an SQL string literal (GraphQL names are [_A-Za-z0-9]+)."""
    return sa.literal_column(f"'{name}'")


# the page window is bound at execution: one statement serves every page
WINDOW_LIMIT = sa.bindparam("window_limit", type_=sa.Integer)
WINDOW_OFFSET = sa.bindparam("window_offset", type_=sa.Integer)
# Built statements kept, all plans together, weighed by the length of their SQL: a
# statement's element tree holds 40-120 times its SQL in Python objects (50-160 KB for
# the benchmark's pages), so 128 KB of SQL is ~10 MB held at most.
STATEMENTS = 256
STATEMENT_SQL_BYTES = 128_000
MAX_STATEMENT_SQL_BYTES = 32_000  # a longer one is built for each request instead


@dataclass(frozen=True)
class Read:
    """A statement the compiled path needs the rows of, with its execution parameters:
    the compiled path's steps yield these, and whoever drives them (a worker thread on a
    SQLAlchemy connection, or the event loop on an async driver) sends back `Fetched`."""

    statement: Any
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Fetched:
    """The rows a `Read` returned, and how many warnings the database raised (MariaDB)."""

    rows: list[Any]
    warnings: int = 0


class DatabaseJson:
    """Statements whose one value is the JSON of a record plan's records.

    Building one costs more than running it, so each is kept, keyed by its plan's call
    and its shape: the call's RSQL and other arguments, the to-many arguments, the
    caller's rights (where every record rule comes from, also those of models a filter
    crosses) and, when a rule or filter names the current user, the user. They are kept
    in one cache bounded in entries and bytes (`STATEMENTS`, `STATEMENT_SQL_BYTES`).
    """

    def __init__(self, manager: Any, graphql_schema: Any, settings: Any) -> None:
        self.manager = manager
        self.graphql = graphql_schema
        self.settings = settings
        self.statements: LRU[tuple[Any, Any]] = LRU(
            STATEMENTS, STATEMENT_SQL_BYTES, MAX_STATEMENT_SQL_BYTES)

    def shape(self, call: BuiltinPlan, variables: Any, *arguments: Any) -> tuple[Any, ...]:
        """The key of `call`'s statements for this request."""
        related = tuple(self._relation_arguments(call.records, variables))
        rights = self.manager.rights_in_force()
        key = (call.builtin, arguments, related, id(rights))
        if (rights is not None and rights.rules) or "$#{" in repr(arguments) + repr(related):
            key += (context.current_user_id(),)
        return key

    def renders(self, plan: RecordPlan | None) -> bool:
        """Whether every value `plan` selects (nested plans included) renders in SQL."""
        return renders(plan)

    def read_page(self, statement: Any, parameters: dict[str, Any]
                  ) -> Generator[Read, Fetched, tuple[str, int, int | None]]:
        """(JSON list of the records in the window, how many, how many match: None when
        the page did not count them or its window is empty), from the page's one row."""
        fetched = yield Read(statement, parameters)
        row, = fetched.rows
        return row[0], row[1], row[2] if len(row) > 2 else None

    def read_one(self, statement: Any, parameters: dict[str, Any]
                 ) -> Generator[Read, Fetched, list[str]]:
        """The JSON object of each record a `one` statement selects."""
        fetched = yield Read(statement, parameters)
        return [row[0] for row in fetched.rows]

    def statement(self, call: BuiltinPlan, key: tuple[Any, ...],
                  build: Callable[[], Any]) -> Any:
        """The statement of `call` for `key`, built once per rights object (the key holds
        its id; the entry keeps the object, so a new one with a reused id misses)."""
        rights = self.manager.rights_in_force()
        found = self.statements.get((call.serial, key), None)
        if found is not None and found[0] is rights:
            return found[1]
        statement = build()
        sql = str(statement.compile(dialect=self.manager.engine.dialect))
        self.statements.put((call.serial, key), (rights, statement), len(sql))
        return statement

    def _relation_arguments(self, plan: RecordPlan | None, variables: Any
                            ) -> list[tuple[Any, Any]]:
        """(size, rsql) of every to-many list of `plan`, depth first."""
        found: list[tuple[Any, Any]] = []
        for item in plan.selected if plan is not None else ():
            if item.kind == "tomany":
                arguments = self._list_arguments(plan, item, variables)
                found.append((arguments.get("size"), arguments.get("rsql")))
            if item.nested is not None:
                found += self._relation_arguments(item.nested, variables)
        return found

    def _list_arguments(self, plan: RecordPlan, item: Selected, variables: Any
                        ) -> dict[str, Any]:
        owner_type = self.graphql.get_type(plan.type_name)
        arguments = get_argument_values(owner_type.fields[item.node.name.value],  # type: ignore
                                        item.node, variables)
        size = arguments.get("size")
        if size is not None and size < 0:
            raise DataError(f"{plan.type_name}.{item.key}: size must not be negative",
                            code="BAD_PAGE", model=plan.meta.code)
        nested_window(plan.meta.code, item.field.name, size, self.settings)  # size ≤ maximum
        return arguments

    def page(self, plan: RecordPlan, where: list[Any], order: list[Any], variables: Any,
             counted: bool = False) -> sa.Select:
        """SELECT (JSON list of the records, how many[, how many match]) in the window bound
        at execution (`window_limit`, `window_offset`). The window is ordered and cut as it
        is (so a sort on an index walks it, and any other sort keeps only the window's rows
        while it sorts); the list orders its objects again by the same order. `counted`:
        the matches are counted in the same scan (None when the window is empty)."""
        records = self.window(plan, where, order, counted)
        objects = self._object(plan, records, variables)
        listed = sa.func.json_agg(aggregate_order_by(
            objects, *(self._adapt(records, clause) for clause in order))) \
            if order else sa.func.json_agg(objects)
        return sa.select(_text(sa.func.coalesce(listed, EMPTY_LIST)), sa.func.count(),
                         *total_column(records, counted)).select_from(records)

    def window(self, plan: RecordPlan, where: list[Any], order: list[Any],
               counted: bool = False) -> Any:
        """The page's records as a derived table `records`: the columns `plan` selects and
        those `order` reads, in the window bound at execution; `counted`: and every
        match's count, computed before the window is cut (`TOTAL`)."""
        table = self.manager.table(plan.meta)
        wanted = plan.columns()
        for clause in order:
            wanted += [c.name for c in iterate(clause) if isinstance(c, sa.Column)
                       and c.table is table and c.name not in wanted]
        columns = [table.c[c] for c in wanted]
        if counted:
            columns.append(counting_column())
        return sa.select(*columns).where(*where).order_by(*order) \
            .limit(WINDOW_LIMIT).offset(WINDOW_OFFSET).subquery("records")

    def one(self, plan: RecordPlan, where: list[Any], variables: Any) -> sa.Select:
        """SELECT the JSON object of each matching record (at most two)."""
        table = self.manager.table(plan.meta)
        records = sa.select(*(table.c[c] for c in plan.columns())).where(*where) \
            .limit(2).subquery("records")
        return sa.select(_text(self._object(plan, records, variables))).select_from(records)

    # ── one record ─────────────────────────────────────────────────────────
    def _object(self, plan: RecordPlan, source: Any, variables: Any) -> Any:
        pairs: list[Any] = []
        for item in plan.selected:
            pairs += [_key(item.key), self._value(plan, item, source, variables)]
        return self._build_object(pairs)

    @staticmethod
    def _build_object(pairs: list[Any]) -> Any:
        """The JSON object of (key, value, key, value, ...)."""
        return sa.func.json_build_object(*pairs)

    @staticmethod
    def _wire_value(field: Field, column: Any) -> Any:
        """`column` rendered as the general executor writes `field`'s values."""
        return wire_value(field, column)

    def _value(self, plan: RecordPlan, item: Selected, source: Any, variables: Any) -> Any:
        if item.kind == "column":
            return self._wire_value(item.field, source.c[item.column])  # type: ignore[arg-type]
        if item.kind == "typename":
            return _key(item.type_name)
        nested: RecordPlan = item.nested  # type: ignore[assignment]
        target = self.manager.table(nested.meta).alias()
        if item.kind == "many2one":
            return sa.select(self._object(nested, target, variables)) \
                .where(target.c.id == source.c[item.column],
                       *read_rules(self.manager, nested.meta, target)).scalar_subquery()
        return self._to_many(plan, item, nested, target, source, variables)

    def _to_many(self, plan: RecordPlan, item: Selected, nested: RecordPlan, target: Any,
                 source: Any, variables: Any) -> Any:
        arguments = self._list_arguments(plan, item, variables)
        size, rsql = arguments.get("size"), arguments.get("rsql")
        window = nested_window(plan.meta.code, item.field.name, size, self.settings)
        query = self._related(item.field, nested, target, source, rsql,  # type: ignore
                              *(target.c[c] for c in nested.columns()))
        records = query.order_by(target.c.id).limit(window).correlate(source) \
            .lateral("related")
        listed = sa.func.coalesce(sa.func.json_agg(aggregate_order_by(
            self._object(nested, records, variables), records.c.id)), EMPTY_LIST)
        if size is None:  # a list over the maximum fails the statement (see _too_long)
            listed = sa.case((sa.func.count() >= window, _too_long(records)), else_=listed)
        return sa.select(listed).select_from(records).scalar_subquery()

    def _related(self, relation: Field, nested: RecordPlan, target: Any, source: Any,
                 rsql: Any, *columns: Any) -> sa.Select:
        """SELECT `columns` FROM the records (`target`) of `source`'s to-many `relation`
        that the caller may read and `rsql` matches."""
        query = sa.select(*columns).select_from(target)
        if isinstance(relation, OneToMany):
            inverse = nested.meta.field(relation.inverse).column
            query = query.where(target.c[inverse] == source.c.id)
        elif isinstance(relation, ManyToMany):
            link = self.manager.join_table(relation).alias()
            query = query.join(link, link.c[relation.target_column] == target.c.id) \
                .where(link.c[relation.source_column] == source.c.id)
        else:  # pragma: no cover - the planner knows no other to-many kind
            raise DataError(f"relation kind of {relation.name}", code="NOT_COMPILABLE")
        query = query.where(*read_rules(self.manager, nested.meta, target))
        if rsql:
            query = query.where(self._adapt(target, compile_filter(
                rsql, nested.meta, self.manager, self.manager.placeholders())))
        return query

    @staticmethod
    def _adapt(alias: Any, clause: Any) -> Any:
        adapt: Callable[[Any], Any] = ClauseAdapter(alias).traverse
        return adapt(clause)
