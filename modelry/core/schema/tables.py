"""SQLAlchemy `MetaData` derived from the registry: tables, join tables, named constraints."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from modelry.core.fields import NOTHING, Field, ManyToMany, ManyToOne
from modelry.core.registry import ModelMeta, Registry
from modelry.core.schema import decimal_text
from modelry.core.schema.names import constraint_name
from modelry.core.schema.types import ID_TYPE, column_type

DECIMAL_KINDS = ("decimal", "money")
NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


def build_metadata(registry: Registry, dialect: str | None = None) -> sa.MetaData:
    """One Table per stored model, plus generated ManyToMany join tables.

    `dialect` (the database's backend name) shapes what only that database needs: on
    PostgreSQL, indexes of nullable columns keep NULLs first (see `index_key`); on SQLite,
    decimal defaults are sortable text (see `decimal_type`).
    """
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    stored = registry.stored_models()
    for meta in stored:
        _model_table(metadata, meta, registry, dialect)
    for meta in stored:
        for field in meta.to_many:
            if isinstance(field, ManyToMany) and not field.through and not field.inverse:
                _join_table(metadata, meta, field, registry)
    return metadata


def _model_table(metadata: sa.MetaData, meta: ModelMeta, registry: Registry,
                 dialect: str | None) -> sa.Table:
    table_name = meta.table
    items: list[Any] = []
    indexed: list[str] = []
    unique: list[tuple[str, ...]] = []
    for field in meta.columns:
        if field.name == "id":
            items.append(sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True))
            continue
        info = {"renamed_from": field.previous_column} if field.renamed_from else {}
        if isinstance(field, ManyToOne):
            target = registry.model(field.target)
            items.append(sa.Column(field.column, sa.BigInteger(), nullable=not field.required,
                                   info=info))
            if field.constraint:  # else checked by the data manager (core/data/references.py)
                items.append(sa.ForeignKeyConstraint(
                    [field.column], [f"{target.table}.id"], ondelete=field.on_delete,
                    name=constraint_name("fk", table_name, field.column)))
        else:
            items.append(sa.Column(field.column, column_type(field), nullable=not field.required,
                                   server_default=_server_default(field, dialect),
                                   default=_sqlite_decimal_default(field, dialect), info=info))
        if field.unique:
            unique.append((field.column,))
        elif field.index:
            indexed.append(field.column)
    for names in meta.unique:  # declared on the model: unique=[("ledger", "code")]
        unique.append(tuple(meta.unique_columns(names)))
    items.append(sa.PrimaryKeyConstraint("id", name=constraint_name("pk", table_name)))
    table = sa.Table(table_name, metadata, *items)
    for columns in unique:
        _unique(table, columns, dialect)
    for column in indexed:
        sa.Index(constraint_name("ix", table_name, column), index_key(table.c[column], dialect))
    for names in meta.indexes:  # declared on the model: indexes=[("merchant", "finished_at")]
        columns = meta.unique_columns(names)
        sa.Index(constraint_name("ix", table_name, *columns),
                 *(index_key(table.c[column], dialect) for column in columns))
    return table


def index_key(column: sa.Column[Any], dialect: str | None) -> Any:
    """What an index on `column` holds. Sorts put NULL first ascending on every database
    (`modelry.core.rsql.sort`); PostgreSQL's indexes put it last unless told otherwise, so
    a nullable column's index there is `NULLS FIRST`, and a backward walk serves DESC."""
    if dialect == "postgresql" and column.nullable:
        return column.asc().nulls_first()
    return column


def _unique(table: sa.Table, columns: tuple[str, ...], dialect: str | None) -> None:
    """`columns` unique: a constraint, or for one nullable column on PostgreSQL a unique
    index keeping NULLs first (`index_key`) under the constraint's name, since the index
    of a constraint there keeps them last and a sort on the column could not walk it (a
    constraint's index cannot be told otherwise). Sets of columns stay constraints."""
    name = constraint_name("uq", table.name, *columns)
    if dialect == "postgresql" and len(columns) == 1 and table.c[columns[0]].nullable:
        sa.Index(name, index_key(table.c[columns[0]], dialect), unique=True)
    else:
        table.append_constraint(sa.UniqueConstraint(*columns, name=name))


def _server_default(field: Field, dialect: str | None) -> Any:
    """Constant defaults also become column defaults, so a DBA's INSERT gets them too."""
    if field.system and field.name != "opt_version":
        return None
    value = field.static_default()
    if value is NOTHING or value is None or field.kind in ("text", "json", "binary"):
        return None
    if isinstance(value, bool):
        return sa.true() if value else sa.false()
    if isinstance(value, str):
        return sa.text("'" + value.replace("'", "''") + "'")
    if dialect == "sqlite" and field.kind in DECIMAL_KINDS:  # its sortable text
        return sa.text(f"'{decimal_text.encode(column_type(field).at_scale(value))}'")
    if isinstance(value, (dt.date, dt.time)):  # a quoted ISO literal (naive UTC for times)
        value = field.to_db(value)
        text = value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
        return sa.text(f"'{text}'")
    return sa.text(str(value))


def _sqlite_decimal_default(field: Field, dialect: str | None) -> Any:
    """On SQLite, a decimal's constant default is also sent by SQLAlchemy itself: a table an
    older modelry made still has the number as its column default."""
    if dialect != "sqlite" or field.kind not in DECIMAL_KINDS or field.system:
        return None
    value = field.static_default()
    return None if value is NOTHING else value


def _join_table(metadata: sa.MetaData, meta: ModelMeta, field: ManyToMany,
                registry: Registry) -> sa.Table:
    target = registry.model(field.target)
    name, source, other = field.join_table, field.source_column, field.target_column
    return sa.Table(
        name, metadata,
        sa.Column(source, sa.BigInteger(), nullable=False),
        sa.Column(other, sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(source, other, name=constraint_name("pk", name)),
        sa.ForeignKeyConstraint([source], [f"{meta.table}.id"], ondelete="CASCADE",
                                name=constraint_name("fk", name, source)),
        sa.ForeignKeyConstraint([other], [f"{target.table}.id"], ondelete="CASCADE",
                                name=constraint_name("fk", name, other)),
        sa.Index(constraint_name("ix", name, other), other))
