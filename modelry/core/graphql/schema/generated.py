"""Assemble the GraphQL schema of a registry: `<name>Query` and `<name>Mutation` roots."""
from __future__ import annotations

from typing import Any

import strawberry
from strawberry.schema.config import StrawberryConfig

from modelry.core.graphql.calls.naming import type_name
from modelry.core.graphql.calls.reading import read_field
from modelry.core.graphql.scalars import SCALAR_MAP
from modelry.core.graphql.schema.builtins import Builtins, relation_resolver
from modelry.core.graphql.schema.functions import FunctionFields
from modelry.core.graphql.schema.namespace import Namespace
from modelry.core.graphql.schema.types import TypeFactory
from modelry.core.registry import Registry
from modelry.core.security.auth_graphql import auth_root_fields


class GeneratedSchema:
    """The strawberry schema plus what the executor needs to know about it."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.namespace = Namespace()
        self.types = TypeFactory(registry, self.namespace, relation_resolver)
        self.types.build()
        self.roots: dict[str, tuple[str, str]] = {}  # root field → (model code, kind)
        query, mutation = self._roots()
        self.own_transaction = self._own_transaction()
        self.strawberry = strawberry.Schema(
            query=query, mutation=mutation,
            config=StrawberryConfig(auto_camel_case=True, default_resolver=read_field,
                                    scalar_map=SCALAR_MAP))
        self.graphql = self.strawberry._schema

    def _functions_by_root(self) -> dict[tuple[str, str], dict[str, Any]]:
        """API functions grouped by (namespace, query|mutation) → field name → field."""
        builder = FunctionFields(self.registry, self.namespace, self.types)
        grouped: dict[tuple[str, str], dict[str, Any]] = {}
        for function in self.registry.behaviours.functions.values():
            if function.api:
                kind = "query" if function.fun_type == "QUERY" else "mutation"
                grouped.setdefault((function.namespace, kind), {})[function.fun] = \
                    builder.field(function)
        return grouped

    def _roots(self) -> tuple[Any, Any]:
        query_fields: dict[str, Any] = {}
        mutation_fields: dict[str, Any] = {}
        functions = self._functions_by_root()
        for meta in self.types.exposed():
            builtins = Builtins(self.registry, self.namespace, meta)
            name = type_name(meta)
            query_type = strawberry.type(self.namespace.make_class(
                f"{name}Query", {}, {**builtins.query_fields(),
                                     **functions.pop((meta.code, "query"), {})}),
                name=f"{name}Query")
            query_fields[f"{meta.name}Query"] = self._root_field(query_type)
            self.roots[f"{meta.name}Query"] = (meta.code, "query")
            own = functions.pop((meta.code, "mutation"), {})
            if meta.stored or own:
                mutation_type = strawberry.type(self.namespace.make_class(
                    f"{name}Mutation", {}, {**(builtins.mutation_fields() if meta.stored
                                               else {}), **own}), name=f"{name}Mutation")
                mutation_fields[f"{meta.name}Mutation"] = self._root_field(mutation_type)
                self.roots[f"{meta.name}Mutation"] = (meta.code, "mutation")
        for (space, kind), fields in functions.items():  # service namespaces
            suffix = "Query" if kind == "query" else "Mutation"
            name = space.split(".")[-1]
            root_type = strawberry.type(self.namespace.make_class(
                f"{name}{suffix}", {}, fields), name=f"{name}{suffix}")
            target = query_fields if kind == "query" else mutation_fields
            target[f"{name[:1].lower()}{name[1:]}{suffix}"] = self._root_field(root_type)
        mutation_fields.update(auth_root_fields(self))
        query = strawberry.type(self.namespace.make_class("Query", {}, query_fields))
        mutation = strawberry.type(self.namespace.make_class("Mutation", {}, mutation_fields))
        return query, mutation

    def _own_transaction(self) -> dict[str, set[str]]:
        """Mutation root field → its fields calling `own_transaction` functions."""
        by_code = {code: root for root, (code, kind) in self.roots.items()
                   if kind == "mutation"}
        found: dict[str, set[str]] = {}
        for function in self.registry.behaviours.functions.values():
            if not (function.api and function.own_transaction
                    and function.fun_type != "QUERY"):
                continue
            name = function.namespace.split(".")[-1]
            root = by_code.get(function.namespace, f"{name[:1].lower()}{name[1:]}Mutation")
            found.setdefault(root, set()).add(function.fun)
        return found

    def _root_field(self, root_type: Any) -> Any:
        def resolve() -> Any:
            return root_type()
        annotations = {"return": root_type}
        return strawberry.field(resolver=self.namespace.function(resolve, annotations),
                                name=None)

    def sdl(self) -> str:
        """The schema in GraphQL SDL."""
        return self.strawberry.as_str()
