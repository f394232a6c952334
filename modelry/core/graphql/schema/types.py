"""GraphQL types generated from the registry: `<Name>`, `<Name>Input`, `<Name>Page`, enums."""
from __future__ import annotations

import enum
from typing import Any, List, Optional

import strawberry

from modelry.core.fields import Field, ManyToOne, Relation
from modelry.core.graphql.calls.naming import type_name
from modelry.core.graphql.scalars import SCALARS, Long
from modelry.core.graphql.schema.namespace import Namespace
from modelry.core.registry import ModelMeta, Registry


@strawberry.enum(name="Direction")
class Direction(enum.Enum):
    """Sort direction."""

    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(name="Order")
class Order:
    """One sort key: a field (camelCase or snake_case, dotted paths allowed) and a direction."""

    field: str
    direction: Optional[Direction] = Direction.ASC


@strawberry.input(name="Sort")
class Sort:
    """Sort keys in order."""

    orders: Optional[List[Order]] = None


@strawberry.input(name="Pagination")
class Pagination:
    """`currentPage` is 1-based."""

    current_page: Optional[int] = 1
    size: Optional[int] = None
    sort: Optional[Sort] = None


@strawberry.input(name="QueryWrapper")
class QueryWrapper:
    """An RSQL filter."""

    rsql: Optional[str] = None


class TypeFactory:
    """Builds and remembers the strawberry types of one registry."""

    def __init__(self, registry: Registry, namespace: Namespace,
                 relation_resolver: Any) -> None:
        self.registry = registry
        self.namespace = namespace
        self.relation_resolver = relation_resolver
        self.enums: dict[type, Any] = {}
        self.objects: dict[str, Any] = {}
        self.inputs: dict[str, Any] = {}
        self.pages: dict[str, Any] = {}

    def exposed(self) -> list[ModelMeta]:
        """Models with GraphQL types (all but abstract ones)."""
        return [m for m in self.registry.models.values() if m.kind != "abstract"]

    def build(self) -> None:
        """Create every type (string annotations tie the cycles)."""
        for meta in self.exposed():
            self.objects[meta.code] = self._object(meta)
            self.inputs[meta.code] = self._input(meta)
            self.pages[meta.code] = self._page(meta)

    def scalar(self, field: Field) -> Any:
        """The GraphQL type of a scalar field."""
        if field.kind == "enum":
            return self._enum(field.enum_class)  # type: ignore[attr-defined]
        if field.name == "id":
            return Long
        return SCALARS[field.kind]

    def _enum(self, enum_class: type[enum.Enum]) -> Any:
        if enum_class not in self.enums:
            name = enum_class.__name__
            taken = {getattr(e, "__strawberry_name__", None) for e in self.enums.values()}
            if name in taken:
                name = f"{name}{len(self.enums)}"
            self.enums[enum_class] = strawberry.enum(enum_class, name=name)
            self.enums[enum_class].__strawberry_name__ = name
        return self.enums[enum_class]

    def _object(self, meta: ModelMeta) -> Any:
        annotations: dict[str, Any] = {}
        members: dict[str, Any] = {}
        for field in meta.fields.values():
            if field.write_only:
                continue  # e.g. password hashes: written through inputs, never returned
            if not isinstance(field, Relation):
                annotations[field.name] = Optional[self.scalar(field)]
                continue
            target = type_name(self.registry.model(field.target))
            if isinstance(field, ManyToOne):
                annotations[field.name] = Optional[target]
                annotations[f"{field.name}_id"] = Optional[Long]
            else:
                members[field.name] = strawberry.field(
                    resolver=self.relation_resolver(self.namespace, field, target),
                    description=field.help)
        name = type_name(meta)
        cls = self.namespace.make_class(name, annotations, members)
        return strawberry.type(cls, name=name, description=meta.display_name)

    def _input(self, meta: ModelMeta) -> Any:
        annotations: dict[str, Any] = {}
        members: dict[str, Any] = {}
        for field in meta.fields.values():
            if isinstance(field, Relation):
                target = f"{type_name(self.registry.model(field.target))}Input"
                if isinstance(field, ManyToOne):
                    annotations[field.name] = Optional[target]
                    annotations[f"{field.name}_id"] = Optional[Long]
                    members[f"{field.name}_id"] = strawberry.UNSET
                else:
                    annotations[field.name] = Optional[List[target]]  # type: ignore[valid-type]
            else:
                annotations[field.name] = Optional[self.scalar(field)]
            members[field.name] = strawberry.UNSET
        name = f"{type_name(meta)}Input"
        cls = self.namespace.make_class(name, annotations, members)
        return strawberry.input(cls, name=name)

    def _page(self, meta: ModelMeta) -> Any:
        name = f"{type_name(meta)}Page"
        annotations = {"content": List[type_name(meta)],  # type: ignore[valid-type]
                       "total_elements": int, "total_pages": int, "current_page": int,
                       "size": int}
        return strawberry.type(self.namespace.make_class(name, annotations), name=name)
