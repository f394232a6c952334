"""Field types for model declarations: `from modelry import fields`."""
from modelry.core.fields.base import NOTHING, Field
from modelry.core.fields.relational import ManyToMany, ManyToOne, OneToMany, Relation
from modelry.core.fields.scalar import (
    BigInteger,
    Binary,
    Boolean,
    Date,
    DateTime,
    Decimal,
    Enum,
    Float,
    Integer,
    Json,
    Money,
    Secret,
    String,
    Text,
    Time,
)

__all__ = [
    "NOTHING",
    "BigInteger",
    "Binary",
    "Boolean",
    "Date",
    "DateTime",
    "Decimal",
    "Enum",
    "Field",
    "Float",
    "Integer",
    "Json",
    "ManyToMany",
    "ManyToOne",
    "Money",
    "Secret",
    "OneToMany",
    "Relation",
    "String",
    "Text",
    "Time",
]
