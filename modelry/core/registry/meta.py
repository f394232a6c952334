"""Metadata of one model as the registry holds it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelry.core.fields import Field, ManyToMany, ManyToOne, OneToMany, Relation
from modelry.errors import DataError


@dataclass
class ModelMeta:
    """A model in the registry: its code, owner module, table and bound fields."""

    code: str
    module: str
    kind: str
    cls: type
    name: str                  # technical name, also the GraphQL name: petShop
    table: str | None          # None for abstract and transient models
    fields: dict[str, Field] = field(default_factory=dict)
    optimistic_lock: bool = False
    display_name: str | None = None
    proxy_of: str | None = None
    extended_by: list[str] = field(default_factory=list)
    members: dict[str, Any] = field(default_factory=dict)  # methods extensions add, by name
    unique: list[tuple[str, ...]] = field(default_factory=list)  # field sets unique together
    indexes: list[tuple[str, ...]] = field(default_factory=list)  # indexes over several fields
    archived: str | None = None  # the Boolean field marking records archived (hidden)
    # the field lists below, worked out once the registry is built (`seal`); before, the
    # build still adds and replaces fields, and each is worked out when asked for
    _derived: dict[str, list[Any]] | None = field(default=None, repr=False, compare=False)

    def seal(self) -> None:
        """Keep the field lists from now on: the fields are final (the registry is built)."""
        self._derived = {}

    def _fields_where(self, name: str, wanted: Any) -> list[Any]:
        derived = self._derived
        found = None if derived is None else derived.get(name)
        if found is None:
            found = [f for f in self.fields.values() if wanted(f)]
            if derived is not None:
                derived[name] = found
        return found

    @property
    def stored(self) -> bool:
        """True when records live in a table (store and proxy models)."""
        return self.table is not None

    def field(self, name: str) -> Field:
        """The field called `name`; a DataError naming model and field otherwise."""
        found = self.fields.get(name)
        if found is None:
            raise DataError(f"{self.code}: unknown field {name!r}", code="UNKNOWN_FIELD",
                            model=self.code, field=name)
        return found

    @property
    def columns(self) -> list[Field]:
        """Fields with a column in this model's table, in declaration order."""
        return self._fields_where("columns", _stored)

    @property
    def relations(self) -> list[Relation]:
        """Relation fields."""
        return self._fields_where("relations", _relation)

    @property
    def many2ones(self) -> list[ManyToOne]:
        """ManyToOne fields."""
        return self._fields_where("many2ones", _many_to_one)

    @property
    def to_many(self) -> list[OneToMany | ManyToMany]:
        """OneToMany and ManyToMany fields."""
        return self._fields_where("to_many", _to_many)

    @property
    def unique_fields(self) -> list[Field]:
        """Stored fields declared unique."""
        return [f for f in self.columns if f.unique and f.name != "id"]

    def unique_columns(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The columns of a unique set (a many-to-one's is `<field>_id`)."""
        return tuple(self.fields[name].column for name in names)

    def describe(self) -> dict[str, Any]:
        """Schema-relevant metadata, stable across runs (for the fingerprint)."""
        described = {"code": self.code, "module": self.module, "kind": self.kind,
                     "table": self.table, "optimistic_lock": self.optimistic_lock,
                     "proxy_of": self.proxy_of,
                     "fields": [f.describe() for f in self.fields.values()]}
        if self.unique:  # only when declared: other models keep the fingerprints they had
            described["unique"] = [list(names) for names in self.unique]
        if self.indexes:
            described["indexes"] = [list(names) for names in self.indexes]
        return described


def _stored(field: Field) -> bool:
    return field.stored


def _relation(field: Field) -> bool:
    return isinstance(field, Relation)


def _many_to_one(field: Field) -> bool:
    return isinstance(field, ManyToOne)


def _to_many(field: Field) -> bool:
    return isinstance(field, (OneToMany, ManyToMany))
