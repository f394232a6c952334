"""A compiled write's arguments as its built-in reads them, without strawberry's conversion.

The write built-ins (calls/writes.py) read what a client sent by attribute, under Python
names, an absent field absent. strawberry's `convert_arguments` gives them that by building
its input classes: for `update(data: {id: …, stock: …})` a fifth of a compiled write's
Python time, mostly in naming every field of the input type. Here each input type gets a
reader once (GraphQL name → Python name, and the readers of its fields), and a request's
coerced arguments (compiled/arguments.py's templates) become attribute bags holding only
the fields sent. Leaves (scalars, enums) stay as graphql-core coerced them, as strawberry
leaves them; lists are copied, as strawberry copies them.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF
Reader = Callable[[Any], Any]


def _leaf(value: Any) -> Any:
    return value


class _ObjectReader:
    """Reads one input object type's coerced dict as an attribute bag."""

    __slots__ = ("fields",)

    def __init__(self) -> None:
        self.fields: dict[str, tuple[str, Reader]] = {}  # GraphQL name → (Python, reader)

    def __call__(self, value: Any) -> Any:
        if value is None:
            return None
        fields = self.fields
        bag = SimpleNamespace()
        slots = bag.__dict__
        for name, item in value.items():
            python, reader = fields[name]
            slots[python] = reader(item)
        return bag


class WriteArguments:
    """Readers of one schema's write arguments, built once per type."""

    def __init__(self) -> None:
        # by id(): GraphQL fields and wrapping types are not hashable; the schema keeps them
        self._readers: dict[int, Reader] = {}
        self._arguments: dict[int, dict[str, tuple[str, Reader]]] = {}

    def read(self, field: GraphQLField, values: dict[str, Any]) -> dict[str, Any]:
        """`values` (coerced arguments of `field`, by GraphQL name) by Python name, input
        objects as attribute bags."""
        readers = self._arguments.get(id(field))
        if readers is None:
            readers = self._arguments[id(field)] = {
                name: (argument.extensions[BACKREF].python_name, self.reader(argument.type))
                for name, argument in field.args.items()}
        return {readers[name][0]: readers[name][1](value) for name, value in values.items()}

    def reader(self, graphql_type: GraphQLInputType) -> Reader:
        """The reader of values of `graphql_type`."""
        if isinstance(graphql_type, GraphQLNonNull):
            return self.reader(graphql_type.of_type)
        found = self._readers.get(id(graphql_type))
        if found is not None:
            return found
        if isinstance(graphql_type, GraphQLList):
            item = self.reader(graphql_type.of_type)
            if item is _leaf:
                found = _copied
            else:
                def found(value: Any) -> Any:
                    return None if value is None else [item(entry) for entry in value]
            self._readers[id(graphql_type)] = found
        elif isinstance(graphql_type, GraphQLInputObjectType):
            reader = _ObjectReader()
            self._readers[id(graphql_type)] = found = reader  # before its fields: types recurse
            reader.fields = {
                name: (field.extensions[BACKREF].python_name, self.reader(field.type))
                for name, field in graphql_type.fields.items()}
        else:
            found = self._readers[id(graphql_type)] = _leaf
        return found


def _copied(value: Any) -> Any:
    return None if value is None else list(value)
