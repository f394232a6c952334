"""SQLAlchemy `MetaData` derived from the registry: tables, join tables, named constraints."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from modelry.core.fields import NOTHING, Field, ManyToMany, ManyToOne
from modelry.core.registry import ModelMeta, Registry
from modelry.core.schema.types import ID_TYPE, column_type

NAMING_CONVENTION = {
    "pk": "pk_%(table_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}


def build_metadata(registry: Registry) -> sa.MetaData:
    """One Table per stored model, plus generated ManyToMany join tables."""
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    stored = registry.stored_models()
    for meta in stored:
        _model_table(metadata, meta, registry)
    for meta in stored:
        for field in meta.to_many:
            if isinstance(field, ManyToMany) and not field.through and not field.inverse:
                _join_table(metadata, meta, field, registry)
    return metadata


def _model_table(metadata: sa.MetaData, meta: ModelMeta, registry: Registry) -> sa.Table:
    columns: list[Any] = []
    for field in meta.columns:
        if field.name == "id":
            columns.append(sa.Column("id", ID_TYPE, primary_key=True, autoincrement=True))
        elif isinstance(field, ManyToOne):
            target = registry.model(field.target)
            columns.append(sa.Column(
                field.column, sa.BigInteger(),
                sa.ForeignKey(f"{target.table}.id", ondelete=field.on_delete),
                nullable=not field.required, index=field.index and not field.unique,
                unique=field.unique or None))
        else:
            columns.append(_scalar_column(field))
    return sa.Table(meta.table, metadata, *columns, comment=meta.display_name)


def _scalar_column(field: Field) -> sa.Column:
    server_default = _server_default(field)
    return sa.Column(field.column, column_type(field), nullable=not field.required,
                     unique=field.unique or None, index=(field.index and not field.unique) or None,
                     server_default=server_default, comment=field.display_name)


def _server_default(field: Field) -> Any:
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
    return sa.text(str(value))


def _join_table(metadata: sa.MetaData, meta: ModelMeta, field: ManyToMany,
                registry: Registry) -> sa.Table:
    target = registry.model(field.target)
    return sa.Table(
        field.join_table, metadata,
        sa.Column(field.source_column, sa.BigInteger(),
                  sa.ForeignKey(f"{meta.table}.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(field.target_column, sa.BigInteger(),
                  sa.ForeignKey(f"{target.table}.id", ondelete="CASCADE"), primary_key=True,
                  index=True),
        comment=f"{meta.code}.{field.name}")
