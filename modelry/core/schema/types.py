"""Column types per field kind, correct on SQLite, PostgreSQL and MySQL/MariaDB."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from modelry.core.fields import Field
from modelry.core.schema.decimal_type import DecimalType
from modelry.core.schema.json_type import JsonType

MYSQL = ("mysql", "mariadb")

ID_TYPE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite rowid autoincrement


def _mysql(base: sa.types.TypeEngine, variant: sa.types.TypeEngine) -> sa.types.TypeEngine:
    return base.with_variant(variant, *MYSQL)


def column_type(field: Field) -> sa.types.TypeEngine:
    """The SQLAlchemy type storing `field`."""
    kind = field.kind
    if kind == "string":
        return sa.String(field.size)  # type: ignore[attr-defined]
    if kind == "text":
        return _mysql(sa.Text(), mysql.LONGTEXT())
    if kind == "integer":
        return sa.Integer()
    if kind in ("biginteger", "many2one"):
        return sa.BigInteger()
    if kind == "float":
        return sa.Double()
    if kind in ("decimal", "money"):
        return DecimalType(field.precision, field.scale)  # type: ignore[attr-defined]
    if kind == "boolean":
        return sa.Boolean(create_constraint=False)
    if kind == "date":
        return sa.Date()
    if kind == "datetime":
        return _mysql(sa.DateTime(), mysql.DATETIME(fsp=6))
    if kind == "time":
        return _mysql(sa.Time(), mysql.TIME(fsp=6))
    if kind == "enum":
        return sa.Integer() if field.int_values else sa.String(field.size)  # type: ignore
    if kind == "json":
        return JsonType()
    if kind == "binary":
        return _mysql(sa.LargeBinary(), mysql.LONGBLOB())
    raise TypeError(f"no column type for field kind {kind!r} ({field!r})")
