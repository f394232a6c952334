"""The compiled path, part 2: run a plan with a fixed number of statements, emit dicts.

Per level of the selection one statement loads every record of that level (plus one
for totals), and rows become response dicts in one pass, with the same wire values as
the general executor. On PostgreSQL and MariaDB a call whose values SQL can render is one
statement that returns its JSON (compiled/database_json.py, compiled/mariadb_json.py),
spliced into the response as it is. Any exception makes the caller fall back to the
general executor, which then reports errors exactly as usual.
"""
from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Generator
from typing import Any

import orjson
import sqlalchemy as sa
from graphql import GraphQLNonNull, OperationDefinitionNode, get_named_type
from graphql.execution.values import get_argument_values
from strawberry.utils.str_converters import to_camel_case

from modelry.core.data.counted import TOTAL, counting_column, counts_in_page
from modelry.core.data.query import keyword_filter
from modelry.core.data.relations import CHUNK, Narrowing, ids_in
from modelry.core.fields import ManyToMany, OneToMany
from modelry.core.graphql.calls.inputs import UNSET, equality_filters, sent
from modelry.core.graphql.calls.naming import type_name
from modelry.core.graphql.calls.pages import page_arguments
from modelry.core.graphql.compiled.arguments import Variables, argument_values, coerce_variables
from modelry.core.graphql.compiled.database_json import DatabaseJson, Fetched, Read
from modelry.core.graphql.compiled.mariadb_json import MariaDbJson
from modelry.core.graphql.compiled.writes import CompiledWrites
from modelry.core.graphql.compiled.plan import (
    BuiltinPlan,
    NotCompilable,
    OperationPlan,
    Planner,
    RecordPlan,
    record_plans,
)
from modelry.core.graphql.documents import weight_of
from modelry.core.graphql.list_limits import check_nested, nested_window
from modelry.core.lru import LRU, MISSING
from modelry.core.rsql.relations import read_rules
from modelry.core.security import authorization
from modelry.errors import DataError


Steps = Generator[Read, Fetched, Any]  # yields reads, is sent what they fetched, returns
_camel = functools.lru_cache(maxsize=4096)(to_camel_case)  # argument names: a few hundred


class Arguments:
    """Coerced GraphQL arguments (camelCase dicts) read like strawberry inputs (snake_case)."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        value = self._values.get(_camel(name), UNSET)
        if isinstance(value, dict):
            return Arguments(value)
        if isinstance(value, list):
            return [Arguments(v) if isinstance(v, dict) else v for v in value]
        return value

    def get(self, name: str) -> Any:
        """The argument, None when absent."""
        value = getattr(self, name)
        return None if value is UNSET else value


class CompiledPath:
    """Plans (cached by document text and operation) and runs them."""

    def __init__(self, app: Any, schema: Any, settings: Any, capacity: int = 512) -> None:
        self.app = app
        self.manager = app.data
        self.schema = schema
        self.settings = settings
        self.dialect = app.engine.dialect.name
        self.planner = Planner(app.registry, schema.roots,
                               {m.code: type_name(m) for m in schema.types.exposed()})
        self.capacity = capacity
        builder = DatabaseJson if self.dialect == "postgresql" else MariaDbJson \
            if getattr(app.engine.dialect, "is_mariadb", False) else None  # MySQL: rows
        self.database_json = builder(self.manager, schema.graphql, settings) \
            if builder is not None and settings.json_in_database else None
        self.writes = CompiledWrites(app, schema)
        self._counted_sorts: LRU[bool] = LRU(capacity)  # (model, sort) → counts_in_page
        self._plans: LRU[OperationPlan | None] = LRU(
            capacity, settings.document_cache_bytes, settings.max_cached_document_bytes)

    def plan(self, document_key: Any, document: Any, operation: OperationDefinitionNode
             ) -> OperationPlan | None:
        """The cached plan of this operation (`document_key`: the query text, or the shape
        of a templated document), or None when it must run the general way."""
        key = (document_key, operation.name.value if operation.name else None)
        found = self._plans.get(key)
        if found is not MISSING:
            return found
        try:
            plan: OperationPlan | None = self.planner.plan(document, operation)
            if not plan.mutation:  # a write's hooks run in its built-in (writes.py)
                self._refuse_behaviours(plan)
            for root in plan.roots:
                for call in root.calls:
                    call.in_database = not plan.mutation and self.database_json is not None \
                        and self.database_json.renders(call.records)
        except (NotCompilable, KeyError):
            plan = None
        self._plans.put(key, plan, weight_of(document_key))
        return plan

    def _refuse_behaviours(self, plan: OperationPlan) -> None:
        """Built-ins with hooks or extension points of modules run the general way."""
        behaviours = self.app.registry.behaviours
        for root in plan.roots:
            for call in root.calls:
                code = call.meta.code
                hooks = [h for h in behaviours.hooks_for("before", code, call.builtin, "QUERY",
                                                         call.meta.module)
                         + behaviours.hooks_for("after", code, call.builtin, "QUERY",
                                                call.meta.module)
                         if h.callable is not authorization.authorize]
                points = [p for p in ("Before", "Override", "After")
                          if behaviours.implementations(code, f"{call.builtin}{p}")]
                if hooks or points:
                    raise NotCompilable(f"{code}.{call.builtin} has hooks or extensions")

    def _authorize(self, plan: OperationPlan) -> None:
        """The permission hook's checks, for client calls of non-admins; field rules send
        the request the general way."""
        rights = authorization.rights_in_force()
        if rights is None:
            return
        for root in plan.roots:
            for call in root.calls:
                authorization.check_rights(rights, call.meta.code, call.builtin, builtin=True)
                codes = call.record_codes
                if codes is None:
                    codes = call.record_codes = tuple(
                        record_plan.meta.code for record_plan in record_plans(call.records))
                if any(authorization.hidden_by(rights, code) for code in codes):
                    raise NotCompilable("field rules apply")

    def run(self, plan: OperationPlan, operation: OperationDefinitionNode,
            variables: Variables, connection: sa.Connection) -> dict[str, Any]:
        """The `data` of the response, its statements run on `connection`."""
        steps = self.steps(plan, operation, variables, connection)
        try:
            read = next(steps)
            while True:
                try:
                    result = connection.execute(read.statement, read.parameters)
                    cursor = result.cursor  # (MariaDB's warning count stays on it)
                    fetched = Fetched(result.all(), getattr(cursor, "warning_count", 0))
                except Exception as error:  # noqa: BLE001 - raised where the read was asked
                    read = steps.throw(error)
                else:
                    read = steps.send(fetched)
        except StopIteration as done:
            return done.value

    def steps(self, plan: OperationPlan, operation: OperationDefinitionNode,
              variables: Variables, connection: sa.Connection | None
              ) -> Generator[Read, Fetched, dict[str, Any]]:
        """The `data` of the response, as a generator that yields the PostgreSQL JSON
        statements it needs (`Read`) and is sent their rows, so the caller may run them on
        any connection (http/direct/ runs them in the event loop); other statements run on
        `connection` (None: there is none, and such a plan fails)."""
        self._authorize(plan)
        coerced = coerce_variables(self.schema.graphql, operation, variables)
        if isinstance(coerced, list):
            raise NotCompilable("variables need the general executor's errors")
        query_type = self.schema.graphql.query_type
        data: dict[str, Any] = {}
        for root in plan.roots:
            root_type = get_named_type(query_type.fields[root.root_field].type)
            values = data[root.key] = {}
            for call in root.calls:
                arguments = Arguments(argument_values(root_type.fields[call.builtin],
                                                      call.node, coerced, call))
                values[call.key] = yield from self._call(call, arguments, coerced, connection)
        return data

    # ── built-ins ──────────────────────────────────────────────────────────
    def _call(self, call: BuiltinPlan, arguments: Arguments, variables: Any,
              connection: sa.Connection | None) -> Steps:
        meta = call.meta
        wrapper = arguments.get("query_wrapper")
        rsql = wrapper.rsql if wrapper is not None else None
        if call.builtin == "countByWrapper":
            return (yield from self._count(call, rsql, variables, connection))
        if call.builtin == "queryPage":
            return (yield from self._page(call, arguments, rsql, variables, connection))
        if call.builtin == "queryOne":
            return (yield from self._query_one(call, arguments.query, variables, connection))
        if call.builtin == "queryOneByWrapper":
            return (yield from self._one(call, (rsql,),
                                         lambda: self.manager._where(meta, rsql, None), {},
                                         variables, connection))
        limit = self.settings.max_page_size
        if call.in_database:
            listed, count, _ = yield from self._json_page(call, rsql, None, limit + 1, 0,
                                                          variables, connection)
        else:
            rows = self._rows(call.records, self._listed(meta, rsql),  # type: ignore
                              self.manager._order(meta, None), limit + 1, None, connection)
            count = len(rows)
        if count > limit:
            raise DataError(f"{meta.code}: more than {limit} records match; use queryPage",
                            code="PAGE_TOO_LARGE", model=meta.code)
        if call.in_database:
            return orjson.Fragment(listed)
        return self._emit(call.records, rows, variables, connection)  # type: ignore[arg-type]

    def _page(self, call: BuiltinPlan, arguments: Arguments, rsql: Any, variables: Any,
              connection: sa.Connection | None) -> Steps:
        meta = call.meta
        current, size, sort = page_arguments(meta, arguments.get("page"), self.settings)
        offset = (current - 1) * size
        counted = bool({name for _, name in call.page_keys} & {"totalElements", "totalPages"})
        in_page = counted and call.records is not None and self._counts_in_page(meta, sort)
        total = (yield from self._count(call, rsql, variables, connection)) \
            if counted and not in_page else None
        if total is None and call.records is None:  # no SQL runs: refuse a bad filter anyway
            self._listed(meta, rsql)
        content: Any = []
        if call.records is not None and total != 0:
            content, counted_total = yield from self._page_content(
                call, rsql, sort, size, offset, variables, connection, in_page)
            total = counted_total if in_page else total
        if in_page and total is None:  # an empty page: past the last one, or none at all
            total = (yield from self._count(call, rsql, variables, connection)) if offset else 0
        values = {"content": content, "totalElements": total,
                  "totalPages": math.ceil(total / size) if total is not None else None,
                  "currentPage": current, "size": size}
        return {key: values[name] for key, name in call.page_keys}

    def _page_content(self, call: BuiltinPlan, rsql: Any, sort: Any, size: int, offset: int,
                      variables: Any, connection: sa.Connection | None, in_page: bool
                      ) -> Steps:
        """(the page's records, how many match when `in_page` and any is on the page):
        JSON the database builds, or rows emitted here."""
        if call.in_database:
            listed, _, total = yield from self._json_page(call, rsql, sort, size, offset,
                                                          variables, connection, in_page)
            return orjson.Fragment(listed), total
        rows = self._rows(call.records, self._listed(call.meta, rsql),  # type: ignore
                          self.manager._order(call.meta, sort), size, offset,
                          connection, in_page)  # type: ignore[arg-type]
        return (self._emit(call.records, rows, variables, connection),  # type: ignore
                rows[0][TOTAL] if in_page and rows else None)

    def _counts_in_page(self, meta: Any, sort: Any) -> bool:
        """Whether a page of `meta` in `sort` counts its matches in its own statement
        (data/counted.py), decided once per model and sort."""
        key = (meta.code, _sort_key(sort))
        found = self._counted_sorts.get(key, None)
        if found is None:
            found = counts_in_page(self.manager.engine.dialect, self.manager.table(meta),
                                   self.manager._order(meta, sort))
            self._counted_sorts.put(key, found, 1)
        return found  # type: ignore[no-any-return]

    def _json_page(self, call: BuiltinPlan, rsql: Any, sort: Any, limit: int, offset: int,
                   variables: Any, connection: sa.Connection | None, counted: bool = False
                   ) -> Steps:
        """(JSON of the records in the window, how many, how many match when `counted`
        and the window holds any), built by the database."""
        meta, json = call.meta, self.database_json
        statement = json.statement(  # type: ignore[union-attr]
            call, json.shape(call, variables, "page", rsql, _sort_key(sort), counted),  # type: ignore
            lambda: json.page(call.records, self._listed(meta, rsql),  # type: ignore
                              self.manager._order(meta, sort), variables, counted))
        return (yield from json.read_page(  # type: ignore[union-attr]
            statement, {"window_limit": limit, "window_offset": offset}))

    def _query_one(self, call: BuiltinPlan, query: Any, variables: Any,
                   connection: sa.Connection | None) -> Steps:
        meta, table = call.meta, self.manager.table(call.meta)
        identifier = sent(query, "id")
        if identifier is not UNSET and identifier is not None:  # the id is bound: one shape
            value = int(identifier)
            bound = sa.bindparam("record_id", value if not call.in_database else None,
                                 type_=sa.BigInteger)
            return (yield from self._one(call, ("id",), lambda: [
                table.c.id == bound, *self.manager._where(meta, None, None)],
                {"record_id": value}, variables, connection))
        filters = equality_filters(meta, query)
        return (yield from self._one(call, ("filters", repr(sorted(filters.items()))), lambda: [
            *keyword_filter(meta, table, filters, self.manager.dialect_name),
            *self.manager._where(meta, None, None)], {},
            variables, connection))

    def _one(self, call: BuiltinPlan, arguments: tuple[Any, ...], where: Any,
             parameters: dict[str, Any], variables: Any, connection: sa.Connection | None
             ) -> Steps:
        """The one record matching `where()` (None when none; an error when several)."""
        if call.in_database:
            json = self.database_json
            statement = json.statement(  # type: ignore[union-attr]
                call, json.shape(call, variables, *arguments),  # type: ignore[union-attr]
                lambda: json.one(call.records, where(), variables))  # type: ignore
            found = yield from json.read_one(statement, parameters)  # type: ignore
        else:
            found = self._rows(call.records, where(), [], 2, None, connection)  # type: ignore
        if len(found) > 1:
            raise DataError(f"{call.meta.code}: several records match", code="MULTIPLE_RESULTS",
                            model=call.meta.code)
        if call.in_database:
            return orjson.Fragment(found[0]) if found else None
        emitted = self._emit(call.records, found, variables, connection)  # type: ignore
        return emitted[0] if emitted else None

    def _listed(self, meta: Any, rsql: Any) -> list[Any]:
        """The WHERE of a list built-in: the filter, read rules, archived records hidden."""
        return self.manager._where(meta, rsql, None, hide_archived=True)

    def _rule(self, meta: Any) -> list[Any]:
        """The caller's read rule on related records of `meta` (as a WHERE list)."""
        rule = self.manager.row_rule(meta, "read")
        return [] if rule is None else [rule]

    def _count(self, call: BuiltinPlan, rsql: Any, variables: Any,
               connection: sa.Connection | None) -> Steps:
        meta, table = call.meta, self.manager.table(call.meta)

        def build() -> Any:
            return sa.select(sa.func.count()).select_from(table).where(
                *self._listed(meta, rsql))
        json = self.database_json
        if json is None:
            return int(connection.scalar(build()) or 0)  # type: ignore[union-attr]
        fetched = yield Read(json.statement(call, json.shape(call, variables, "count", rsql),
                                            build), {})
        return int(fetched.rows[0][0] or 0)

    def _rows(self, plan: RecordPlan, where: list[Any], order: list[Any], limit: int | None,
              offset: int | None, connection: sa.Connection, counted: bool = False
              ) -> list[Any]:
        """The top level's rows; a ManyToOne selecting only columns comes along by a LEFT
        JOIN (its read rule in the ON clause), its columns labelled `<key>.<column>`;
        `counted`: each row holds how many match (`TOTAL`, data/counted.py)."""
        table = self.manager.table(plan.meta)
        columns = [table.c[c] for c in plan.columns()]
        if counted:
            columns.append(counting_column())
        source: Any = table
        for item in plan.selected:
            if item.kind != "many2one" or not _flat(item.nested):  # type: ignore[arg-type]
                continue
            target_table = self.manager.table(item.nested.meta)  # type: ignore[union-attr]
            target = target_table.alias() if target_table is table else target_table
            rules = read_rules(self.manager, item.nested.meta, target)  # type: ignore
            source = source.outerjoin(target, sa.and_(
                target.c.id == table.c[item.column], *rules))
            columns += [target.c[c].label(f"{item.key}.{c}")
                        for c in item.nested.columns()]  # type: ignore[union-attr]
        query = sa.select(*columns).select_from(source).where(*where).order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        return connection.execute(query).mappings().all()

    # ── one level of records ───────────────────────────────────────────────
    def _emit(self, plan: RecordPlan, rows: list[Any], variables: Any,
              connection: sa.Connection) -> list[dict[str, Any]]:
        related: dict[str, dict[Any, Any]] = {}
        joined = {item.key for item in plan.selected if item.kind == "many2one"
                  and rows and f"{item.key}.id" in rows[0]}
        for item in plan.selected:
            if item.kind == "many2one" and item.key not in joined:
                related[item.key] = self._many2one(item, rows, variables, connection)
            elif item.kind == "tomany":
                related[item.key] = self._to_many(plan, item, rows, variables, connection)
        emitted = []
        for row in rows:
            out: dict[str, Any] = {}
            for item in plan.selected:
                if item.kind == "column":
                    out[item.key] = item.convert(row[item.column])  # type: ignore[misc]
                elif item.key in joined:
                    out[item.key] = _joined_record(item.nested, row, item.key)  # type: ignore
                elif item.kind == "many2one":
                    out[item.key] = related[item.key].get(row[item.column])
                elif item.kind == "tomany":
                    out[item.key] = related[item.key].get(row["id"], [])
                else:
                    out[item.key] = item.type_name
            emitted.append(out)
        return emitted

    def _many2one(self, item: Any, rows: list[Any], variables: Any,
                  connection: sa.Connection) -> dict[Any, Any]:
        ids = sorted({row[item.column] for row in rows} - {None})
        nested: RecordPlan = item.nested
        table = self.manager.table(nested.meta)
        found: list[Any] = []
        for start in range(0, len(ids), CHUNK):
            found += connection.execute(sa.select(*(table.c[c] for c in nested.columns()))
                                        .where(ids_in(table.c.id, ids[start:start + CHUNK],
                                                      self.dialect), *self._rule(nested.meta))
                                        ).mappings().all()
        emitted = self._emit(nested, found, variables, connection)
        return {row["id"]: out for row, out in zip(found, emitted)}

    def _to_many(self, plan: RecordPlan, item: Any, rows: list[Any], variables: Any,
                 connection: sa.Connection) -> dict[Any, list[Any]]:
        owner_type = self.schema.graphql.get_type(plan.type_name)
        arguments = get_argument_values(owner_type.fields[item.node.name.value], item.node,
                                        variables)
        size = arguments.get("size")
        if size is not None and size < 0:
            raise DataError("negative size", code="BAD_PAGE")
        nested: RecordPlan = item.nested
        target = nested.meta
        table = self.manager.table(target)
        window = nested_window(plan.meta.code, item.field.name, size, self.settings)
        narrowing = Narrowing(self.manager, target, arguments.get("rsql"), window)
        columns = [table.c[c] for c in nested.columns()]
        if isinstance(item.field, OneToMany):
            owner = table.c[target.field(item.field.inverse).column]
            base = sa.select(*columns, owner.label("__owner_id"))
        elif isinstance(item.field, ManyToMany):
            join = self.manager.join_table(item.field)
            owner = join.c[item.field.source_column]
            base = sa.select(*columns, owner.label("__owner_id")).join(
                join, join.c[item.field.target_column] == table.c.id)
        else:
            raise NotCompilable("relation kind")
        base = base.where(*self._rule(target))
        owner_ids = [row["id"] for row in rows]
        found: list[Any] = []
        for start in range(0, len(owner_ids), CHUNK):
            query = narrowing.apply(
                base.where(ids_in(owner, owner_ids[start:start + CHUNK], self.dialect)),
                table, owner)
            found += connection.execute(query).mappings().all()
        emitted = self._emit(nested, found, variables, connection)
        groups: dict[Any, list[Any]] = defaultdict(list)
        for row, out in zip(found, emitted):
            groups[row["__owner_id"]].append(out)
        for group in groups.values():
            check_nested(plan.meta.code, item.field.name, group, size, self.settings)
        return groups


def _flat(plan: RecordPlan) -> bool:
    """Whether `plan` selects only columns (and __typename): no relation of its own."""
    return all(item.kind in ("column", "typename") for item in plan.selected)


def _joined_record(plan: RecordPlan, row: Any, key: str) -> dict[str, Any] | None:
    """The ManyToOne record `key` read from a joined row, as `_emit` would emit it."""
    if row[f"{key}.id"] is None:
        return None
    return {item.key: item.convert(row[f"{key}.{item.column}"])  # type: ignore[misc]
            if item.kind == "column" else item.type_name for item in plan.selected}


def _sort_key(sort: Any) -> Any:
    """`sort` ([{field, direction}] or None) as a hashable key."""
    return None if sort is None else tuple(tuple(sorted(o.items())) for o in sort)


__all__ = ["CompiledPath", "GraphQLNonNull"]

