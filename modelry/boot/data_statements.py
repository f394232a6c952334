"""The SQL of a data plan: SQLAlchemy Core statements that INSTALL executes and DDL prints.

No statement names the id of a record it creates: the database gives it, and the very
next statement records it in the install registry (`base.ModelData.res_id`) with the
dialect's last-insert-id function (PostgreSQL `currval` of the table's sequence, MySQL
`LAST_INSERT_ID()`, SQLite `last_insert_rowid()`, all per session). A later statement
that needs that id reads it back from the registry by external id, in a subselect. So
the printed script is correct whatever ids the database hands out, sequences move on by
themselves, and no id is guessed. Records that exist already are named by their ids.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from modelry.boot.data_values import Target
from modelry.core.data.write import prepare_insert
from modelry.core.fields import ManyToMany, ManyToOne, OneToMany, Relation
from modelry.core.registry import ModelMeta

REGISTRY_MODEL = "base.ModelData"
STAND_IN_ID = 0  # lets CHECK validate a ManyToOne whose record the same plan creates


def utc_now() -> dt.datetime:
    """Naive UTC now (how modelry stores time)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def last_insert_id(dialect: str, table: sa.Table) -> Any:
    """The id the session's last INSERT into `table` was given."""
    if dialect == "postgresql":
        sequence = sa.func.pg_get_serial_sequence(sa.literal(table.name, sa.String),
                                                  sa.literal("id", sa.String))
        return sa.func.currval(sequence, type_=sa.BigInteger)
    if dialect == "mysql":
        return sa.func.last_insert_id(type_=sa.BigInteger)
    return sa.func.last_insert_rowid(type_=sa.BigInteger)


class DataStatements:
    """Builds the statements of data-file entries for `app`'s tables on `dialect`."""

    def __init__(self, app: Any, dialect: str) -> None:
        self.data = app.data
        self.registry = app.registry
        self.dialect = dialect
        self.registry_meta = app.registry.model(REGISTRY_MODEL)
        self.registry_table = app.data.table(self.registry_meta)

    def id_of(self, target: Target) -> Any:
        """`target`'s id: the number, or a subselect on the registry when it is created
        by the same plan."""
        if target.id is not None:
            return target.id
        registry = self.registry_table
        return sa.select(registry.c.res_id).where(
            registry.c.module == target.module,
            registry.c.external_id == target.external_id).scalar_subquery()

    # ── records ─────────────────────────────────────────────────────────────
    def insert(self, meta: ModelMeta, values: dict[str, Any]) -> Any:
        """INSERT a new record: defaults, CHECK and audit columns as the data manager fills
        them (`prepare_insert`); to-many values are left to `links`."""
        record = meta.cls()
        late: dict[str, Any] = {}
        for name, value in values.items():
            field = meta.fields[name]
            if isinstance(field, ManyToOne):
                if isinstance(value, Target) and value.id is None:
                    late[field.column] = self.id_of(value)
                    value = STAND_IN_ID
                elif isinstance(value, Target):
                    value = value.id
                setattr(record, name, value)
            elif not isinstance(field, Relation):
                setattr(record, name, value)
        row = {**prepare_insert(self.data, meta, record), **late}
        return sa.insert(self.data.table(meta)).values(row)

    def update(self, meta: ModelMeta, record_id: int, changes: dict[str, Any]) -> Any:
        """UPDATE the scalar and ManyToOne `changes` of a record; audit columns, and the
        version of a locked model, move on (the data files win: no held version)."""
        table = self.data.table(meta)
        row: dict[str, Any] = {}
        for name, value in changes.items():
            field = meta.fields[name]
            if isinstance(field, ManyToOne):
                row[field.column] = None if value is None else self.id_of(value)
            elif not isinstance(field, Relation):
                transform = self.data.write_transforms.get((meta.code, name))
                row[field.column] = field.to_db(transform(value) if transform else value)
        row.update(write_date=utc_now(), write_uid=self.data.user_id())
        if meta.optimistic_lock:
            row["opt_version"] = table.c.opt_version + 1
        return sa.update(table).where(table.c.id == record_id).values(row)

    # ── the install registry ────────────────────────────────────────────────
    def register(self, module: str, external_id: str, meta: ModelMeta,
                 noupdate: bool) -> Any:
        """INSERT the registry row of the record the previous statement inserted."""
        row = prepare_insert(self.data, self.registry_meta, self.registry_meta.cls(
            module=module, external_id=external_id, model=meta.code, res_id=STAND_IN_ID,
            noupdate=noupdate))
        row["res_id"] = last_insert_id(self.dialect, self.data.table(meta))
        return sa.insert(self.registry_table).values(row)

    def repoint(self, row_id: int, meta: ModelMeta) -> Any:
        """Point a registry row at the record the previous statement re-created."""
        return self._registry_update(row_id, res_id=last_insert_id(
            self.dialect, self.data.table(meta)))

    def mark_noupdate(self, row_id: int) -> Any:
        """Make a registry row no-update (a data file said so)."""
        return self._registry_update(row_id, noupdate=True)

    def _registry_update(self, row_id: int, **values: Any) -> Any:
        registry = self.registry_table
        return sa.update(registry).where(registry.c.id == row_id).values(
            **values, write_date=utc_now(), write_uid=self.data.user_id())

    # ── to-many links ───────────────────────────────────────────────────────
    def links(self, meta: ModelMeta, owner: Target, field: Relation,
              wanted: Iterable[Target], current: set[int]) -> list[Any]:
        """Make `owner`'s `field` link exactly `wanted`, given the ids it links now."""
        wanted = list(wanted)
        kept = {target.id for target in wanted if target.id is not None}
        removed = sorted(current - kept)
        added = [target for target in wanted if target.id is None or target.id not in current]
        if isinstance(field, ManyToMany):
            return self._many2many(field, owner, removed, added)
        assert isinstance(field, OneToMany)
        return self._one2many(field, owner, removed, added)

    def _many2many(self, field: ManyToMany, owner: Target, removed: list[int],
                   added: list[Target]) -> list[Any]:
        join = self.data.join_table(field)
        source, other = join.c[field.source_column], join.c[field.target_column]
        statements: list[Any] = []
        if removed:
            statements.append(sa.delete(join).where(source == self.id_of(owner),
                                                    other.in_(removed)))
        if added:
            statements.append(sa.insert(join).values([
                {field.source_column: self.id_of(owner), field.target_column: self.id_of(t)}
                for t in added]))
        return statements

    def _one2many(self, field: OneToMany, owner: Target, removed: list[int],
                  added: list[Target]) -> list[Any]:
        target = self.registry.model(field.target)
        inverse = target.field(field.inverse)
        table = self.data.table(target)
        statements: list[Any] = []
        if added:
            statements.append(sa.update(table).where(
                table.c.id.in_([self.id_of(child) for child in added])).values(
                {inverse.column: self.id_of(owner)}))
        if removed:
            unlinked = table.c.id.in_(removed)
            if inverse.required or inverse.on_delete == "CASCADE":
                statements.append(sa.delete(table).where(unlinked))  # no child without parent
            else:
                statements.append(sa.update(table).where(unlinked).values(
                    {inverse.column: None}))
        return statements
