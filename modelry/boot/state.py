"""What the database holds: installed modules, persisted metadata, schema fingerprint."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from modelry.core.registry import Registry


@dataclass
class InstalledModule:
    """A row of base.ModuleDefinition."""

    id: int
    version: str
    state: str


@dataclass
class DatabaseState:
    """Persisted metadata read at boot (empty for a new database)."""

    tables: set[str] = field(default_factory=set)          # every table in the database
    modules: dict[str, InstalledModule] = field(default_factory=dict)
    models: dict[str, dict[str, Any]] = field(default_factory=dict)    # code → row
    fields: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    functions: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    fingerprint: str | None = None
    applied_at: dt.datetime | None = None

    @property
    def installed(self) -> bool:
        """True when modelry's metadata tables exist and hold a schema fingerprint."""
        return self.fingerprint is not None

    def known_tables(self) -> set[str]:
        """Tables modelry created before (from persisted metadata), present or not."""
        known = {row["table_name"] for row in self.models.values() if row.get("table_name")}
        for fields_of in self.fields.values():
            for row in fields_of.values():
                join = (row.get("description") or {}).get("join_table")
                if join:
                    known.add(join)
        return known


def read_state(connection: sa.Connection, registry: Registry, metadata: sa.MetaData
               ) -> DatabaseState:
    """Read the persisted metadata; tolerant of a database where none exists yet."""
    inspector = sa.inspect(connection)
    state = DatabaseState(tables=set(inspector.get_table_names()))
    names = {code: registry.model(code).table for code in (
        "base.ModuleDefinition", "base.ModelDefinition", "base.ModelField", "base.SchemaState")}
    if not set(names.values()) <= state.tables:
        return state
    modules = metadata.tables[names["base.ModuleDefinition"]]
    for row in connection.execute(sa.select(modules.c.id, modules.c.module, modules.c.version,
                                            modules.c.state)):
        state.modules[row.module] = InstalledModule(row.id, row.version, row.state)
    models = metadata.tables[names["base.ModelDefinition"]]
    # columns a newer modelry added are missing until a writing boot adds them
    live = {column["name"] for column in inspector.get_columns(models.name)}
    for row in connection.execute(sa.select(*(c for c in models.c if c.name in live))):
        state.models[row.model] = dict(row._mapping)
    fields_table = metadata.tables[names["base.ModelField"]]
    for row in connection.execute(sa.select(fields_table)):
        state.fields.setdefault(row.model, {})[row.field] = dict(row._mapping)
    functions_table = metadata.tables[registry.model("base.FunctionDefinition").table]
    if functions_table.name in state.tables:
        for row in connection.execute(sa.select(functions_table)):
            state.functions[(row.namespace, row.fun)] = dict(row._mapping)
    schema = metadata.tables[names["base.SchemaState"]]
    row = connection.execute(sa.select(schema).where(schema.c.key == "schema")).first()
    if row is not None:
        state.fingerprint, state.applied_at = row.fingerprint, row.applied_at
    return state
