"""Read relations for a whole batch at once, and write to-many relations."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from modelry.core.data.rows import to_record
from modelry.core.fields import ManyToMany, ManyToOne, OneToMany, Relation
from modelry.core.fields.commands import RelationCommand
from modelry.errors import DataError

CHUNK = 900  # ids per IN list


def _chunks(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def load(manager: Any, connection: sa.Connection, record: Any, name: str,
         rsql: str | None = None, size: int | None = None) -> Any:
    """Load relation `name` for every record in `record`'s batch; return `record`'s value.

    `rsql`/`size` narrow a to-many relation; the result is cached per (name, rsql, size).
    """
    meta = manager.registry.model(type(record))
    field = meta.field(name)
    key = name if rsql is None and size is None else f"{name}?{rsql or ''}&{size}"
    batch = [r for r in (record._batch or [record]) if key not in r._related]
    if record not in batch and key not in record._related:
        batch.append(record)
    if not batch:
        return record._related[key]
    target = manager.registry.model(field.target)
    loaded: list[Any] = []
    if isinstance(field, ManyToOne):
        by_id = _load_by_ids(manager, connection, target,
                             {r._values.get(field.column) for r in batch} - {None}, loaded)
        for owner in batch:
            owner._related[key] = by_id.get(owner._values.get(field.column))
        return record._related[key]
    narrowing = Narrowing(manager, target, rsql, size)
    owner_ids = [r.id for r in batch if r.id is not None]
    if isinstance(field, OneToMany):
        inverse = target.field(field.inverse)  # type: ignore[arg-type]
        groups = _load_children(manager, connection, target, inverse.column, owner_ids,
                                loaded, narrowing)
    else:
        groups = _load_linked(manager, connection, target, field, owner_ids, loaded, narrowing)
    for owner in batch:
        owner._related[key] = groups.get(owner.id, [])
    return record._related[key]


def ids_in(column: Any, ids: list[Any], dialect: str) -> Any:
    """`column IN ids`; on PostgreSQL `= ANY(array)`, one parameter: the SQL text stays the
    same whatever the number of ids, so the driver can prepare it once."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(ids),
                                              type_=postgresql.ARRAY(sa.BigInteger())))
    return column.in_(ids)


class Narrowing:
    """An optional RSQL filter and a per-owner row limit for to-many loads."""

    def __init__(self, manager: Any, target: Any, rsql: str | None, size: int | None) -> None:
        self.manager, self.target, self.rsql, self.size = manager, target, rsql, size

    def apply(self, query: Any, table: sa.Table, owner_column: Any) -> Any:
        """Filter `query`; keep the first `size` rows (by id) per owner with ROW_NUMBER."""
        if self.rsql:
            from modelry.core.rsql import compile_filter
            query = query.where(compile_filter(self.rsql, self.target, self.manager,
                                               self.manager.placeholders()))
        if self.size is None:
            return query.order_by(table.c.id)
        ranked = query.add_columns(sa.func.row_number().over(
            partition_by=owner_column, order_by=table.c.id).label("__rank")).subquery()
        return sa.select(ranked).where(ranked.c["__rank"] <= self.size).order_by(ranked.c.id)


def _read_rule(manager: Any, target: Any) -> list[Any]:
    """The caller's record rule for reading `target` (related records obey it too)."""
    rule = manager.row_rule(target, "read")
    return [] if rule is None else [rule]


def _load_by_ids(manager: Any, connection: sa.Connection, target: Any, ids: set[Any],
                 batch: list[Any]) -> dict[Any, Any]:
    table = manager.table(target)
    found: dict[Any, Any] = {}
    for chunk in _chunks(sorted(ids)):
        for row in connection.execute(sa.select(table).where(table.c.id.in_(chunk),
                                                             *_read_rule(manager, target))):
            record = to_record(target, row, batch)
            found[record.id] = record
    return found


def _load_children(manager: Any, connection: sa.Connection, target: Any, column: str,
                   owner_ids: list[Any], batch: list[Any],
                   narrowing: Narrowing) -> dict[Any, list[Any]]:
    table = manager.table(target)
    groups: dict[Any, list[Any]] = defaultdict(list)
    for chunk in _chunks(owner_ids):
        query = narrowing.apply(sa.select(table).where(table.c[column].in_(chunk),
                                                       *_read_rule(manager, target)),
                                table, table.c[column])
        for row in connection.execute(query):
            groups[row._mapping[column]].append(to_record(target, row, batch))
    return groups


def _load_linked(manager: Any, connection: sa.Connection, target: Any, field: ManyToMany,
                 owner_ids: list[Any], batch: list[Any],
                 narrowing: Narrowing) -> dict[Any, list[Any]]:
    table, join = manager.table(target), manager.join_table(field)
    owner = join.c[field.source_column]
    groups: dict[Any, list[Any]] = defaultdict(list)
    shared: dict[Any, Any] = {}
    for chunk in _chunks(owner_ids):
        query = narrowing.apply(
            sa.select(table, owner.label("__owner_id"))
            .join(join, join.c[field.target_column] == table.c.id)
            .where(owner.in_(chunk), *_read_rule(manager, target)), table, owner)
        for row in connection.execute(query):
            record = shared.get(row._mapping["id"]) or to_record(target, row, batch)
            shared[record.id] = record
            groups[row._mapping["__owner_id"]].append(record)
    return groups


# ── writing ─────────────────────────────────────────────────────────────────
def write(manager: Any, connection: sa.Connection, record: Any, field: Relation,
          value: Any) -> None:
    """Apply a list (replace) or a RelationCommand to a saved record's to-many field."""
    command = value if isinstance(value, RelationCommand) else RelationCommand(
        "replace", tuple(value or ()))
    if command.op not in ("add", "remove", "replace"):
        raise DataError(f"{field.model}.{field.name}: unknown relation command {command.op!r}",
                        code="BAD_RELATION", model=field.model, field=field.name)
    if isinstance(field, OneToMany):
        _write_one2many(manager, connection, record, field, command)
    elif isinstance(field, ManyToMany):
        _write_many2many(manager, connection, record, field, command)
    record._related.pop(field.name, None)


def _item_ids(manager: Any, target: Any, items: Iterable[Any], field: Relation,
              prepare: Any = None) -> list[Any]:
    """Ids of the items; new records (or dicts) are created first."""
    ids = []
    for item in items:
        if isinstance(item, dict):
            item = target.cls(**item)
        if hasattr(item, "_values"):
            if item.id is None:
                if prepare is not None:
                    prepare(item)
                manager.create(item)
            ids.append(item.id)
        elif isinstance(item, (int, str)) and not isinstance(item, bool):
            ids.append(int(item))
        else:
            raise DataError(f"{field.model}.{field.name}: cannot link {item!r}",
                            code="BAD_RELATION", model=field.model, field=field.name)
    return ids


def _write_one2many(manager: Any, connection: sa.Connection, record: Any, field: OneToMany,
                    command: RelationCommand) -> None:
    target = manager.registry.model(field.target)
    inverse = target.field(field.inverse)
    table, column = manager.table(target), inverse.column
    mine = table.c[column] == record.id
    if command.op == "remove":
        ids = _item_ids(manager, target, command.items, field)
        _unlink(connection, table, inverse, sa.and_(mine, table.c.id.in_(ids)))
        return
    ids = _item_ids(manager, target, command.items, field,
                    prepare=lambda child: setattr(child, inverse.name, record.id))
    if ids:
        connection.execute(sa.update(table).where(table.c.id.in_(ids)).values({column: record.id}))
    if command.op == "replace":
        _unlink(connection, table, inverse, sa.and_(mine, table.c.id.not_in(ids)) if ids else mine)


def _unlink(connection: sa.Connection, table: sa.Table, inverse: ManyToOne, where: Any) -> None:
    if inverse.required or inverse.on_delete == "CASCADE":
        connection.execute(sa.delete(table).where(where))  # a child cannot live without a parent
    else:
        connection.execute(sa.update(table).where(where).values({inverse.column: None}))


def _write_many2many(manager: Any, connection: sa.Connection, record: Any, field: ManyToMany,
                     command: RelationCommand) -> None:
    target = manager.registry.model(field.target)
    join = manager.join_table(field)
    source, other = join.c[field.source_column], join.c[field.target_column]
    ids = list(dict.fromkeys(_item_ids(manager, target, command.items, field)))
    if command.op == "remove":
        if ids:
            connection.execute(sa.delete(join).where(source == record.id, other.in_(ids)))
        return
    if command.op == "replace":
        stale = sa.delete(join).where(source == record.id)
        connection.execute(stale.where(other.not_in(ids)) if ids else stale)
    present = set(connection.scalars(sa.select(other).where(source == record.id)))
    missing = [i for i in ids if i not in present]
    if missing:
        connection.execute(sa.insert(join), [
            {field.source_column: record.id, field.target_column: i} for i in missing])
