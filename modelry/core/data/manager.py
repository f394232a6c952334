"""The data manager: the Python API behind record methods and the GraphQL built-ins."""
from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa

from modelry import directives
from modelry.core import context
from modelry.core.data import (bulk, conditional, deletes, increments, locks, relations,
                               totals, write)
from modelry.core.data.archived import unarchived
from modelry.core.data.conditions import Condition
from modelry.core.data.counted import TOTAL, counting_column, counts_in_page
from modelry.core.data.integrity import Explainer
from modelry.core.data.page import Page
from modelry.core.data.query import keyword_filter
from modelry.core.data.rows import to_record, to_records
from modelry.core.data.transaction import open_transaction, use_connection
from modelry.core.data.writable import require_right
from modelry.core.fields import ManyToMany
from modelry.core.registry import ModelMeta, Registry
from modelry.core.rsql import compile_filter
from modelry.core.rsql.sort import compile_stable_sort
from modelry.directives import Directive
from modelry.errors import DataError, OptimisticLockError

T = TypeVar("T")


MYSQL_NO_DEFAULT = 1364  # a NOT NULL column left out: MySQL reports an OperationalError


def _is_integrity(error: sa.exc.DBAPIError) -> bool:
    if isinstance(error, sa.exc.IntegrityError):
        return True
    return (isinstance(error, sa.exc.OperationalError)
            and getattr(error.orig, "args", (None,))[:1] == (MYSQL_NO_DEFAULT,))


def _integrity(method: Callable[..., T]) -> Callable[..., T]:
    """Writes the database refuses become IntegrityViolation (constraints: unique, foreign
    key, not null, each with its code, naming the model and field) or DataError (a value
    the column cannot hold), on every dialect."""
    operation = "delete" if method.__name__.startswith("delete") else "write"

    @functools.wraps(method)
    def wrapper(self: DataManager, subject: Any, *args: Any, **kwargs: Any) -> T:
        try:
            result = method(self, subject, *args, **kwargs)
        except (sa.exc.IntegrityError, sa.exc.DataError, sa.exc.OperationalError) as error:
            integrity = _is_integrity(error)
            if not integrity and not isinstance(error, sa.exc.DataError):
                raise
            code = subject if isinstance(subject, str) else subject._model_code
            if integrity:
                record = None if isinstance(subject, str) else subject
                raise self.integrity.error(error, code, record, operation) from error
            detail = str(error.orig).strip().splitlines()[0][:300]
            raise DataError(f"{code}: the database refused a value: {detail}",
                            code="INVALID_VALUE", model=code) from error
        written = subject if isinstance(subject, str) else subject._model_code
        for listener in self.on_write:
            listener(written)
        return result
    return wrapper


class DataManager:
    """Reads and writes records of one registry through one engine."""

    def __init__(self, registry: Registry, metadata: sa.MetaData, engine: sa.Engine) -> None:
        self.registry = registry
        self.metadata = metadata
        self.engine = engine
        self.on_write: list[Callable[[str], None]] = []  # told the model code of each write
        # (model code, field) → value transform applied before every write (e.g. hashing)
        self.write_transforms: dict[tuple[str, str], Callable[[Any], Any]] = {}
        self.integrity = Explainer(registry, metadata, self._exists)

    # ── plumbing ────────────────────────────────────────────────────────────
    def transaction(self, readonly: bool = False
                    ) -> contextlib.AbstractContextManager[sa.Connection]:
        """Open a transaction (a savepoint when nested) that data calls in this task use."""
        return open_transaction(self, self.engine, readonly)

    def connection(self) -> contextlib.AbstractContextManager[sa.Connection]:
        """The open transaction's connection, or a transaction for this one call."""
        return use_connection(self, self.engine)

    @property
    def dialect_name(self) -> str:
        """The database's dialect: `postgresql`, `mysql` or `sqlite`."""
        return self.engine.dialect.name

    def table(self, meta: ModelMeta) -> sa.Table:
        """The table storing `meta`'s records."""
        if meta.table is None:
            raise DataError(f"{meta.code} is a {meta.kind} model: it has no table",
                            code="NOT_STORED", model=meta.code)
        return self.metadata.tables[meta.table]

    def join_table(self, field: ManyToMany) -> sa.Table:
        """The join table of a ManyToMany field."""
        return self.metadata.tables[field.join_table]

    def user_id(self) -> Any:
        """The acting user's id for audit fields."""
        return context.current_user_id()

    def _meta(self, subject: Any) -> ModelMeta:
        if isinstance(subject, str):
            return self.registry.model(subject)
        return self.registry.model(type(subject))

    def _exists(self, meta: ModelMeta, key: Any) -> bool:
        """Whether a record of `meta` has id `key` (as this task's transaction sees it)."""
        table = self.table(meta)
        with self.connection() as connection:
            return connection.execute(
                sa.select(table.c.id).where(table.c.id == key)).first() is not None

    def _stored(self, subject: Any) -> ModelMeta:
        meta = self._meta(subject)
        self.table(meta)
        return meta

    # ── writes ──────────────────────────────────────────────────────────────
    @_integrity
    def create(self, record: Any) -> Any:
        """Insert `record`."""
        meta = self._stored(record)
        with self.connection() as connection:
            return write.insert(self, connection, meta, record)

    @_integrity
    def create_batch(self, code: str, records: list[Any]) -> list[Any]:
        """Insert `records` (multi-row statements)."""
        meta = self._stored(code)
        records = [meta.cls(**r) if isinstance(r, dict) else r for r in records]
        with self.connection() as connection:
            return write.insert_many(self, connection, meta, records)

    @_integrity
    def update_by_id(self, record: Any) -> int:
        """Update `record`'s changed fields; 0 when stale or gone."""
        meta = self._stored(record)
        with self.connection() as connection:
            return write.update(self, connection, meta, record)

    @_integrity
    def update_batch(self, code: str, records: list[Any]) -> int:
        """Update all or none of `records`."""
        meta = self._stored(code)
        with self.connection() as connection:
            return write.update_many(self, connection, meta, records)

    @_integrity
    def delete_by_id(self, record: Any) -> int:
        """Delete `record` by id; 0 when gone, or when the version it holds is stale."""
        meta = self._stored(record)
        with self.connection() as connection:
            try:
                return deletes.delete(self, connection, meta, [record])
            except OptimisticLockError:
                return 0

    @_integrity
    def delete_batch(self, code: str, records: list[Any]) -> int:
        """Delete records (or ids), each once; all or none when versions are held
        (OptimisticLockError names the stale ids)."""
        meta = self._stored(code)
        with self.connection() as connection:
            return deletes.delete(self, connection, meta, records)

    @_integrity
    def save(self, record: Any) -> Any:
        """Insert or update: by id under USE_PK_STRATEGY, else by unique fields (or a unique
        set whose values are all given), then id."""
        meta = self._stored(record)
        with self.connection() as connection:
            if not directives.is_set(Directive.USE_PK_STRATEGY) and record.id is None:
                existing = self._find_by_unique(connection, meta, record)
                if existing is not None:
                    record._values["id"] = existing
            if record.id is None:
                return write.insert(self, connection, meta, record)
            if write.update(self, connection, meta, record):
                return record
            table = self.table(meta)
            if connection.execute(sa.select(table.c.id).where(table.c.id == record.id)).first():
                raise OptimisticLockError(f"{meta.code}: record {record.id} was changed since "
                                          "it was read", model=meta.code, stale_ids=[record.id])
            return write.insert(self, connection, meta, record)

    def _find_by_unique(self, connection: sa.Connection, meta: ModelMeta, record: Any) -> Any:
        table = self.table(meta)
        values = record._values
        keys = [[f] for f in meta.unique_fields if values.get(f.column) is not None]
        keys += [fields for fields in ([meta.fields[n] for n in names] for names in meta.unique)
                 if all(values.get(f.column) is not None for f in fields)]
        if not keys:
            return None
        where = sa.or_(*(sa.and_(*(table.c[f.column] == f.to_db(values[f.column]) for f in key))
                         for key in keys))
        return connection.scalar(sa.select(table.c.id).where(where).limit(1))

    # ── locks, increments, conditional and bulk writes (core/data/locks.py, ...) ──
    def lock(self, code: str, ids: Iterable[Any]) -> list[Any]:
        """Lock the records with `ids` in id order until the open transaction ends; their
        records, by id (TRANSACTION_REQUIRED when no transaction is open)."""
        meta = self._stored(code)
        require_right(meta, "update")
        return locks.lock(self, locks.open_write_transaction(self, meta, "lock"), meta, ids)

    @_integrity
    def increment(self, code: str, id: Any, guard: Condition = None,
                  deltas: Mapping[str, Any] | None = None) -> int:
        """Add `deltas` to record `id` if it meets `guard`: 1, else 0."""
        meta = self._stored(code)
        require_right(meta, "update")
        with self.connection() as connection:
            return increments.increment(self, connection, meta, id, guard, deltas or {})

    @_integrity
    def increment_batch(self, code: str, changes: Mapping[Any, Mapping[str, Any]],
                        guard: Condition = None) -> int:
        """Add each record's deltas, all or none (ConditionFailed)."""
        meta = self._stored(code)
        require_right(meta, "update")
        with self.connection() as connection:
            return increments.increment_batch(self, connection, meta, changes, guard)

    @_integrity
    def update_where(self, code: str, condition: Condition, values: Mapping[str, Any]) -> int:
        """Set `values` on the records meeting `condition`; how many were updated."""
        meta = self._stored(code)
        require_right(meta, "update")
        with self.connection() as connection:
            return conditional.update_where(self, connection, meta, condition, values)

    @_integrity
    def insert_bulk(self, code: str, rows: Sequence[Mapping[str, Any]],
                    returning_ids: bool = False, skip_existing: Sequence[str] | None = None
                    ) -> int | list[int | None]:
        """Insert plain dicts without building records; their count, or their ids (None
        for a row skipped because its `skip_existing` key is stored)."""
        meta = self._stored(code)
        require_right(meta, "create")
        with self.connection() as connection:
            return bulk.insert_bulk(self, connection, meta, list(rows), returning_ids,
                                    skip_existing)

    # ── reads ───────────────────────────────────────────────────────────────
    row_policy: Callable[[ModelMeta, str], Any] | None = None  # set by security
    rights_policy: Callable[[], Any] | None = None               # set by security
    rights_cache: Any = None                                     # set by security

    def row_rule(self, meta: ModelMeta, operation: str) -> Any:
        """The WHERE clause record rules add for `operation` (read, update, delete), or None."""
        if self.row_policy is None:
            return None
        return self.row_policy(meta, operation)

    def rights_in_force(self) -> Any:
        """The object the caller's record rules come from (None when none apply): equal
        objects and users, equal rules (a key for caches of compiled statements)."""
        return None if self.rights_policy is None else self.rights_policy()

    def placeholders(self) -> dict[str, Any]:
        """Values for RSQL placeholders such as `$#{currentUserId}`."""
        user = context.current_user_id()
        # no user: an id no row holds, so `createUid==$#{currentUserId}` matches nothing
        return {"currentUserId": -1 if user is None else user}

    def _where(self, meta: ModelMeta, rsql: Any, filters: Mapping[str, Any] | None,
               hide_archived: bool = False) -> list[Any]:
        table = self.table(meta)
        conditions = keyword_filter(meta, table, filters or {}, self.dialect_name)
        if rsql is not None and rsql != "":
            conditions.append(compile_filter(rsql, meta, self, self.placeholders()))
        if hide_archived:
            conditions += unarchived(meta, table, rsql, filters)
        rule = self.row_rule(meta, "read")
        if rule is not None:
            conditions.append(rule)
        return conditions

    def _select(self, meta: ModelMeta, rsql: Any, filters: Mapping[str, Any] | None,
                hide_archived: bool = False) -> Any:
        return sa.select(self.table(meta)).where(*self._where(meta, rsql, filters,
                                                              hide_archived))

    def query_by_id(self, code: str, id: Any) -> Any:
        """The record with `id`, or None."""
        meta = self._stored(code)
        if id is None:
            return None
        with self.connection() as connection:
            row = connection.execute(
                self._select(meta, None, None).where(self.table(meta).c.id == int(id))).first()
        return None if row is None else to_record(meta, row, [])

    def query_one(self, code: str, rsql: Any = None, filters: Mapping[str, Any] | None = None
                  ) -> Any:
        """The single matching record, None when none; an error when several match."""
        meta = self._stored(code)
        with self.connection() as connection:
            rows = connection.execute(self._select(meta, rsql, filters).limit(2)).all()
        if len(rows) > 1:
            raise DataError(f"{meta.code}: query_one matched more than one record",
                            code="MULTIPLE_RESULTS", model=meta.code)
        return to_records(meta, rows)[0] if rows else None

    def query_list(self, code: str, rsql: Any = None, filters: Mapping[str, Any] | None = None,
                   sort: str | None = None, limit: int | None = None,
                   offset: int | None = None, hide_archived: bool = False) -> list[Any]:
        """Matching records in `sort` order (`hide_archived`: see core/data/archived.py)."""
        meta = self._stored(code)
        if limit is not None and limit < 0 or offset is not None and offset < 0:
            raise DataError(f"{code}: limit and offset must not be negative",
                            code="BAD_PAGE", model=code)
        query = self._window(meta, rsql, filters, hide_archived, self._order(meta, sort),
                             limit, offset)
        with self.connection() as connection:
            return to_records(meta, connection.execute(query))

    def _window(self, meta: ModelMeta, rsql: Any, filters: Mapping[str, Any] | None,
                hide_archived: bool, order: list[Any], limit: int | None,
                offset: int | None) -> Any:
        """SELECT the matching rows in `order`, cut to `limit` rows from `offset`."""
        query = self._select(meta, rsql, filters, hide_archived).order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        return query.offset(offset) if offset else query

    def _order(self, meta: ModelMeta, sort: Any) -> list[Any]:
        """ORDER BY for `"name,-income"` or `[{field, direction}]`, made total by id."""
        return list(compile_stable_sort(sort, meta, self))

    def query_page(self, code: str, rsql: Any = None, filters: Mapping[str, Any] | None = None,
                   page: int = 1, size: int = 20, sort: str | None = None,
                   totals: bool = True, hide_archived: bool = False) -> Page:
        """One page (1-based) of matching records with totals (without them, and without
        the COUNT, when `totals` is False)."""
        if page < 1 or size < 1:
            raise DataError(f"{code}: page must be ≥ 1 and size ≥ 1 (got page={page}, "
                            f"size={size})", code="BAD_PAGE", model=code)
        if not totals:
            content = self.query_list(code, rsql, filters, sort=sort, limit=size,
                                      offset=(page - 1) * size, hide_archived=hide_archived)
            return Page(content, None, None, page, size)
        meta = self._stored(code)
        order = self._order(meta, sort)
        with self.connection() as connection:
            if counts_in_page(self.engine.dialect, self.table(meta), order):  # counted.py
                rows = connection.execute(self._window(
                    meta, rsql, filters, hide_archived, order, size, (page - 1) * size)
                    .add_columns(counting_column())).all()
                total = rows[0]._mapping[TOTAL] if rows else 0 if page == 1 else \
                    self.count(code, rsql, filters, hide_archived)
                content = to_records(meta, rows)
            else:
                total = self.count(code, rsql, filters, hide_archived)
                content = self.query_list(code, rsql, filters, sort=sort, limit=size,
                                          offset=(page - 1) * size,
                                          hide_archived=hide_archived) if total else []
        return Page(content, total, math.ceil(total / size), page, size)

    def count(self, code: str, rsql: Any = None, filters: Mapping[str, Any] | None = None,
              hide_archived: bool = False) -> int:
        """How many records match."""
        meta = self._stored(code)
        query = sa.select(sa.func.count()).select_from(self.table(meta)).where(
            *self._where(meta, rsql, filters, hide_archived))
        with self.connection() as connection:
            return int(connection.scalar(query) or 0)

    def group_totals(self, code: str, group_by: str | Sequence[str], sums: Sequence[str],
                     rsql: Any = None, filters: Mapping[str, Any] | None = None,
                     maxes: Sequence[str] = (), mins: Sequence[str] = ()
                     ) -> list[dict[str, Any]]:
        """Totals of `sums`, extremes of `maxes` / `mins` and a `count` per value of
        `group_by`, over matching records."""
        meta = self._stored(code)
        where = self._where(meta, rsql, filters)
        with self.connection() as connection:
            return totals.group_totals(connection, self.table(meta), meta, where, group_by,
                                       sums, maxes, mins)

    def construct(self, code: str, values: Mapping[str, Any] | None = None) -> Any:
        """A new unsaved record with every default filled, then `values` applied."""
        meta = self._meta(code)
        record = meta.cls()
        write.fill_defaults(meta, record)
        for name, value in (values or {}).items():
            setattr(record, name, value)
        return record

    def load_relation(self, record: Any, name: str, rsql: str | None = None,
                      size: int | None = None) -> Any:
        """Load relation `name` for `record` and the rest of its batch (one statement).

        For to-many relations, `rsql` filters the related records and `size` keeps the
        first `size` of each owner (by id).
        """
        with self.connection() as connection:
            return relations.load(self, connection, record, name, rsql=rsql, size=size)

    @contextlib.contextmanager
    def acting_as(self, user_id: Any) -> Iterator[None]:
        """Audit fields name `user_id` inside the block."""
        token = context.set_user_id(user_id)
        try:
            yield
        finally:
            context.reset_user_id(token)
