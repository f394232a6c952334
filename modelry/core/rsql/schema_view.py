"""What the compiler needs from the schema: the registry and the tables of models."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import sqlalchemy as sa

from modelry.core.fields import ManyToMany
from modelry.core.registry import ModelMeta, Registry


@runtime_checkable
class SchemaView(Protocol):
    """The registry plus a way to find each model's table and each join table."""

    registry: Registry

    def table(self, model: ModelMeta) -> sa.Table:
        """The table holding `model`'s records."""
        ...

    def join_table(self, field: ManyToMany) -> sa.Table:
        """The table linking the two sides of a ManyToMany."""
        ...


@dataclass
class MetadataSchemaView:
    """A SchemaView over a `MetaData` built by `modelry.core.schema.build_metadata`."""

    registry: Registry
    metadata: sa.MetaData

    def table(self, model: ModelMeta) -> sa.Table:
        """The table named by the model's metadata."""
        return self.metadata.tables[model.table or ""]

    def join_table(self, field: ManyToMany) -> sa.Table:
        """The join table named by the field (generated, shared, or a `through` model's)."""
        return self.metadata.tables[field.join_table]
