"""A synthetic Python module holding generated types, so string annotations resolve."""
from __future__ import annotations

import itertools
import sys
import types
import typing
from typing import Any, Callable

import strawberry

_counter = itertools.count(1)


class Namespace:
    """Generated classes and resolvers live here; annotations may name them as strings."""

    def __init__(self) -> None:
        self.name = f"modelry_graphql_types_{next(_counter)}"
        self.module = types.ModuleType(self.name)
        self.module.__dict__.update(Optional=typing.Optional, List=typing.List,
                                    strawberry=strawberry, Info=strawberry.Info)
        sys.modules[self.name] = self.module

    def add(self, name: str, value: Any) -> Any:
        """Publish `value` as `name` for string annotations."""
        setattr(self.module, name, value)
        return value

    def make_class(self, name: str, annotations: dict[str, Any],
                   members: dict[str, Any] | None = None) -> type:
        """A plain class with these annotations, to be decorated by strawberry."""
        body = {"__annotations__": annotations, "__module__": self.name, **(members or {})}
        return self.add(name, type(name, (), body))

    def function(self, fn: Callable[..., Any], annotations: dict[str, Any]) -> Callable[..., Any]:
        """`fn` with annotations resolved in this namespace."""
        fn.__annotations__ = annotations
        fn.__module__ = self.name
        return fn

    def close(self) -> None:
        """Forget the synthetic module."""
        sys.modules.pop(self.name, None)
