"""The compiled path, part 1: turn a validated operation into a plan (cached per document).

A query plan covers operations made only of model built-ins that read (`queryPage`,
`queryOne`, `queryOneByWrapper`, `queryListByWrapper`, `countByWrapper`) selecting
scalar fields, ManyToOne objects and to-many lists (with `rsql`/`size`). A mutation plan
covers operations made only of the write built-ins (`create`, `update`, `delete`)
selecting scalar fields and keys (writes.py). Anything else — API functions,
@include/@skip, relations under a write, unknown shapes — has no plan and runs the
general way.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
)
from strawberry.utils.str_converters import to_camel_case

from modelry.core.fields import Field, ManyToOne, Relation
from modelry.core.graphql.scalars import finite_or_none, to_wire
from modelry.core.registry import ModelMeta, Registry

READ_BUILTINS = ("queryPage", "queryOne", "queryOneByWrapper", "queryListByWrapper",
                 "countByWrapper")
WRITE_BUILTINS = ("create", "update", "delete")
PAGE_KEYS = {"content", "totalElements", "totalPages", "currentPage", "size"}


class NotCompilable(Exception):
    """The operation needs the general executor."""


@dataclass
class Selected:
    """One selected key of a record: a column, a ManyToOne, a to-many list, or __typename."""

    key: str
    kind: str                      # column | many2one | tomany | typename
    field: Field | None = None
    column: str | None = None
    convert: Callable[[Any], Any] | None = None
    nested: "RecordPlan | None" = None
    node: FieldNode | None = None  # for arguments of to-many lists
    type_name: str = ""


@dataclass
class RecordPlan:
    """What to read and emit for records of one model."""

    meta: ModelMeta
    type_name: str
    selected: list[Selected] = field(default_factory=list)
    attributes: list[tuple[str, str, str]] | None = None  # writes.py's, made once

    def columns(self) -> list[str]:
        """Columns to SELECT: id, the selected ones and the ManyToOne keys."""
        wanted = ["id"]
        for item in self.selected:
            if item.column and item.column not in wanted:
                wanted.append(item.column)
        return wanted


@dataclass
class BuiltinPlan:
    """One built-in call under a `<name>Query` root field."""

    key: str
    builtin: str
    meta: ModelMeta
    node: FieldNode
    records: RecordPlan | None = None
    in_database: bool = False  # PostgreSQL builds the records' JSON (compiled/database_json.py)
    # names this call in caches of its statements (database_json.py): no id() reused by a
    # later plan, and no reference from the cache keeping an evicted plan alive
    serial: int = field(default_factory=itertools.count().__next__)
    page_keys: list[tuple[str, str]] = field(default_factory=list)  # (response key, name)
    arguments: Any = None  # its coerced arguments' template (compiled/arguments.py)
    record_codes: tuple[str, ...] | None = None  # the models its records are of, when known


@dataclass
class RootPlan:
    """A `<name>Query` root field and the built-ins selected under it."""

    key: str
    root_field: str
    calls: list[BuiltinPlan]


@dataclass
class OperationPlan:
    """Everything a compilable operation reads (a query) or writes (a mutation)."""

    roots: list[RootPlan]
    mutation: bool = False


def converter(field: Field) -> Callable[[Any], Any]:
    """Raw column value → wire value, exactly as the general executor emits it."""
    kind = "biginteger" if field.name == "id" else field.kind
    from_db = field.from_db
    if kind in ("string", "text", "integer", "json"):
        return _same
    if kind == "float":
        return finite_or_none
    if kind in ("biginteger", "many2one"):
        return str_id
    if kind in ("decimal", "money"):
        return lambda v: None if v is None else format(
            v if type(v) is Decimal else from_db(v), "f")
    if kind == "enum":
        names = {member.value: member.name for member in field.enum_class}  # type: ignore
        return lambda v: None if v is None else names[v]
    if kind in ("date", "datetime", "time"):
        return lambda v: None if v is None else v.isoformat()
    return lambda value: None if value is None else to_wire(kind, from_db(value))


def _same(value: Any) -> Any:
    return value


class Planner:
    """Builds plans for one generated schema."""

    def __init__(self, registry: Registry, roots: dict[str, tuple[str, str]],
                 type_names: dict[str, str]) -> None:
        self.registry = registry
        self.roots = roots                     # root field → (model code, kind)
        self.type_names = type_names           # model code → GraphQL type name
        self.wire_names: dict[str, dict[str, tuple[str, Field]]] = {}

    def fields_of(self, meta: ModelMeta) -> dict[str, tuple[str, Field]]:
        """GraphQL field name → (role, field); role is column, many2one, fk or tomany."""
        if meta.code not in self.wire_names:
            names: dict[str, tuple[str, Field]] = {}
            for item in meta.fields.values():
                if isinstance(item, ManyToOne):
                    names[to_camel_case(item.name)] = ("many2one", item)
                    names[to_camel_case(f"{item.name}_id")] = ("fk", item)
                elif isinstance(item, Relation):
                    names[to_camel_case(item.name)] = ("tomany", item)
                else:
                    names[to_camel_case(item.name)] = ("column", item)
            self.wire_names[meta.code] = names
        return self.wire_names[meta.code]

    def plan(self, document: Any, operation: OperationDefinitionNode) -> OperationPlan:
        """The plan, or NotCompilable."""
        if operation.operation not in (OperationType.QUERY, OperationType.MUTATION):
            raise NotCompilable("a subscription")
        mutation = operation.operation is OperationType.MUTATION
        kind, builtin = ("mutation", self._write) if mutation else ("query", self._builtin)
        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        roots = []
        for node in self._fields(operation.selection_set, fragments):
            name = node.name.value
            if name not in self.roots or self.roots[name][1] != kind:
                raise NotCompilable(f"root field {name}")
            meta = self.registry.model(self.roots[name][0])
            calls = [builtin(call, meta, fragments)
                     for call in self._fields(node.selection_set, fragments)]
            roots.append(RootPlan(_key(node), name, calls))
        return OperationPlan(roots, mutation)

    def _write(self, node: FieldNode, meta: ModelMeta, fragments: dict[str, Any]
               ) -> BuiltinPlan:
        """A write built-in whose selection its own record answers: columns, keys and
        __typename (relations would need reads: the general way)."""
        name = node.name.value
        if name not in WRITE_BUILTINS:
            raise NotCompilable(f"mutation field {name}")
        records = self._records(meta, node.selection_set, fragments)
        if any(item.kind not in ("column", "typename") for item in records.selected):
            raise NotCompilable("a write selecting relations")
        return BuiltinPlan(_key(node), name, meta, node, records)

    def _fields(self, selection_set: Any, fragments: dict[str, Any]) -> list[FieldNode]:
        found: list[FieldNode] = []
        for selection in selection_set.selections if selection_set else ():
            if selection.directives:
                raise NotCompilable("directives")
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                found.extend(self._fields(selection.selection_set, fragments))
            elif isinstance(selection, FragmentSpreadNode):
                found.extend(self._fields(fragments[selection.name.value].selection_set,
                                          fragments))
        keys = [_key(f) for f in found]
        if len(keys) != len(set(keys)):
            raise NotCompilable("a response key appears twice")
        return found

    def _builtin(self, node: FieldNode, meta: ModelMeta, fragments: dict[str, Any]
                 ) -> BuiltinPlan:
        name = node.name.value
        if name not in READ_BUILTINS:
            raise NotCompilable(f"built-in {name}")
        plan = BuiltinPlan(_key(node), name, meta, node)
        if name == "queryPage":
            for child in self._fields(node.selection_set, fragments):
                child_name = child.name.value
                if child_name not in PAGE_KEYS:
                    raise NotCompilable(f"page field {child_name}")
                plan.page_keys.append((_key(child), child_name))
                if child_name == "content":
                    plan.records = self._records(meta, child.selection_set, fragments)
        elif name != "countByWrapper":
            plan.records = self._records(meta, node.selection_set, fragments)
        return plan

    def _records(self, meta: ModelMeta, selection_set: Any, fragments: dict[str, Any]
                 ) -> RecordPlan:
        type_name = self.type_names[meta.code]
        plan = RecordPlan(meta, type_name)
        wire = self.fields_of(meta)
        for node in self._fields(selection_set, fragments):
            name = node.name.value
            if name == "__typename":
                plan.selected.append(Selected(_key(node), "typename", type_name=type_name))
                continue
            role, item = wire[name]
            if role == "column":
                plan.selected.append(Selected(_key(node), "column", item, item.column,
                                              converter(item)))
            elif role == "fk":
                plan.selected.append(Selected(_key(node), "column", item, item.column, str_id))
            elif role == "many2one":
                target = self.registry.model(item.target)  # type: ignore[attr-defined]
                plan.selected.append(Selected(
                    _key(node), "many2one", item, item.column,
                    nested=self._records(target, node.selection_set, fragments)))
            else:
                target = self.registry.model(item.target)  # type: ignore[attr-defined]
                plan.selected.append(Selected(
                    _key(node), "tomany", item, node=node,
                    nested=self._records(target, node.selection_set, fragments)))
        return plan


def record_plans(plan: RecordPlan | None) -> list[RecordPlan]:
    """`plan` and every nested record plan, depth first."""
    if plan is None:
        return []
    found = [plan]
    for item in plan.selected:
        found += record_plans(item.nested)
    return found


def str_id(value: Any) -> Any:
    """A key column on the wire."""
    return None if value is None else str(value)


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value
