"""Assemble the GraphQL schema of a registry: `<name>Query` and `<name>Mutation` roots."""
from __future__ import annotations

from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig

from modelry.core.graphql.builtins import Builtins, relation_resolver
from modelry.core.graphql.namespace import Namespace
from modelry.core.graphql.types import TypeFactory, type_name
from modelry.core.registry import Registry


class GeneratedSchema:
    """The strawberry schema plus what the executor needs to know about it."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.namespace = Namespace()
        self.types = TypeFactory(registry, self.namespace, relation_resolver)
        self.types.build()
        self.roots: dict[str, tuple[str, str]] = {}  # root field → (model code, kind)
        query, mutation = self._roots()
        self.strawberry = strawberry.Schema(
            query=query, mutation=mutation,
            config=StrawberryConfig(auto_camel_case=True))
        self.graphql = self.strawberry._schema

    def _roots(self) -> tuple[Any, Any]:
        query_fields: dict[str, Any] = {}
        mutation_fields: dict[str, Any] = {}
        for meta in self.types.exposed():
            builtins = Builtins(self.registry, self.namespace, meta)
            name = type_name(meta)
            query_type = strawberry.type(self.namespace.make_class(
                f"{name}Query", {}, builtins.query_fields()), name=f"{name}Query")
            query_fields[f"{meta.name}Query"] = self._root_field(query_type)
            self.roots[f"{meta.name}Query"] = (meta.code, "query")
            if meta.stored:
                mutation_type = strawberry.type(self.namespace.make_class(
                    f"{name}Mutation", {}, builtins.mutation_fields()), name=f"{name}Mutation")
                mutation_fields[f"{meta.name}Mutation"] = self._root_field(mutation_type)
                self.roots[f"{meta.name}Mutation"] = (meta.code, "mutation")
        query = strawberry.type(self.namespace.make_class("Query", {}, query_fields))
        mutation = strawberry.type(self.namespace.make_class("Mutation", {}, mutation_fields))
        return query, mutation

    def _root_field(self, root_type: Any) -> Any:
        def resolve() -> Any:
            return root_type()
        annotations = {"return": root_type}
        return strawberry.field(resolver=self.namespace.function(resolve, annotations),
                                name=None)

    def sdl(self) -> str:
        """The schema in GraphQL SDL."""
        return self.strawberry.as_str()
