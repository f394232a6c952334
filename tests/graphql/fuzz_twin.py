"""The valid twin of a fuzzed document: the same selections, valid arguments.

schemathesis builds documents that are valid GraphQL but rarely valid requests: it fills
audit and read-only fields, random ids, nulls for required values, garbage filters. So
the fuzz test sends each document twice: as built (the server must refuse it cleanly) and
as its twin, which keeps every selection but replaces the arguments: a built-in's input
becomes a record a client may send (fuzz_values.py), ids those of records made for it,
and optional arguments go. Every twin must succeed, so every root's write and read paths
really run, with random values and random selections.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from graphql import (
    ArgumentNode, DocumentNode, FieldNode, GraphQLInputObjectType, GraphQLNonNull,
    GraphQLObjectType, GraphQLSchema, NameNode, OperationDefinitionNode, OperationType,
    SelectionSetNode, VariableDefinitionNode, VariableNode, get_named_type, parse, parse_type,
    print_ast)
from hypothesis import strategies as st
from strawberry.utils.str_converters import to_camel_case

from modelry.core.fields import ManyToOne, Relation, String, Text
from tests.graphql.fuzz_values import value_of

Draw = Callable[[st.SearchStrategy[Any]], Any]
Fresh = Callable[[Any], dict[str, str]]  # model meta → {"id": ..., "optVersion": ...}
SCALARS = {"Int": st.integers(1, 5), "Long": st.integers(1, 5).map(str), "Boolean": st.booleans(),
           "String": st.just("x"), "Float": st.floats(0, 10), "BigDecimal": st.just("1.5")}


class Twin:
    """Builds valid twins of documents against one schema and registry."""

    def __init__(self, schema: GraphQLSchema, models: dict[str, Any], fresh: Fresh) -> None:
        self.schema = schema
        self.models = models  # GraphQL input type name → model meta
        self.inputs = {meta.code: name for name, meta in models.items()}
        self.fresh = fresh

    def of(self, text: str, draw: Draw) -> tuple[str, dict[str, Any]]:
        """(document, variables) of `text`'s twin."""
        document = parse(text)
        [operation] = document.definitions
        assert isinstance(operation, OperationDefinitionNode)
        root = self.schema.mutation_type if operation.operation is OperationType.MUTATION \
            else self.schema.query_type
        building = _Building(self, draw, operation.operation is OperationType.MUTATION)
        selections = building.selections(operation.selection_set, root, depth=0)
        twin = OperationDefinitionNode(
            operation=operation.operation, name=operation.name, directives=(),
            selection_set=selections, variable_definitions=tuple(building.definitions))
        return print_ast(DocumentNode(definitions=(twin,))), building.variables


class _Building:
    """One twin under construction: its variables."""

    def __init__(self, twin: Twin, draw: Draw, mutation: bool) -> None:
        self.twin, self.draw, self.mutation = twin, draw, mutation
        self.definitions: list[VariableDefinitionNode] = []
        self.variables: dict[str, Any] = {}
        self.names = (f"fuzz{n}" for n in itertools.count())

    def selections(self, selection_set: SelectionSetNode | None, parent: Any, depth: int
                   ) -> SelectionSetNode | None:
        if selection_set is None:
            return None
        fields = []
        for node in selection_set.selections:
            assert isinstance(node, FieldNode), node  # hypothesis-graphql makes no fragments
            if node.name.value == "__typename":
                fields.append(node)
                continue
            definition = parent.fields[node.name.value]
            arguments = self.arguments(node.name.value, definition) if depth == 1 else ()
            fields.append(FieldNode(
                alias=node.alias, name=node.name, directives=(), arguments=arguments,
                selection_set=self.selections(node.selection_set,
                                              get_named_type(definition.type), depth + 1)))
        return SelectionSetNode(selections=tuple(fields))

    def arguments(self, field: str, definition: Any) -> tuple[Any, ...]:
        """A built-in's or a function's arguments: the required ones, valid."""
        arguments = []
        answered = self.twin.models.get(f"{get_named_type(definition.type).name}Input")
        for name, argument in definition.args.items():
            value = self.value(field, argument.type, answered)
            if value is None:
                continue
            variable = next(self.names)
            self.definitions.append(VariableDefinitionNode(
                variable=VariableNode(name=NameNode(value=variable)),
                type=parse_type(str(argument.type)), directives=()))
            self.variables[variable] = value
            arguments.append(ArgumentNode(name=NameNode(value=name),
                                          value=VariableNode(name=NameNode(value=variable))))
        return tuple(arguments)

    def value(self, field: str, kind: Any, answered: Any) -> Any:
        """A valid value of an argument of type `kind` (None: leave it out); `answered` is
        the model of the field's result, if any."""
        named = get_named_type(kind)
        meta = self.twin.models.get(named.name)
        if meta is not None and field in ("create", "update"):
            record = self.record(meta, named)
            return {**record, **self.twin.fresh(meta)} if field == "update" else record
        if meta is not None and field == "delete":
            return [self.twin.fresh(meta)]
        if not isinstance(kind, GraphQLNonNull):
            return None
        if meta is not None:  # queryOne's example, an action's record
            found = self.twin.fresh(meta)
            return found if self.mutation else {"id": found["id"]}
        if named.name == "QueryWrapper":  # queryOneByWrapper: one record
            return {"rsql": f"id=={self.twin.fresh(answered)['id']}"}
        if isinstance(named, GraphQLInputObjectType | GraphQLObjectType):
            raise NotImplementedError(f"a required {named.name} argument of {field}")
        return self.draw(SCALARS[named.name])

    def record(self, meta: Any, input_type: GraphQLInputObjectType) -> dict[str, Any]:
        """What a client may send for a record of `meta`: writable fields, valid values;
        a required ManyToOne points at a record made for it."""
        values: dict[str, Any] = {}
        for field in meta.fields.values():
            if field.readonly or field.name == "id":
                continue
            if isinstance(field, ManyToOne):
                key = to_camel_case(f"{field.name}_id")
                if key in input_type.fields and (field.required or self.draw(st.booleans())):
                    target = self.twin.models[self.twin.inputs[field.target]]
                    values[key] = self.twin.fresh(target)["id"]
                continue
            key = to_camel_case(field.name)
            if isinstance(field, Relation) or key not in input_type.fields:
                continue
            if field.required or self.draw(st.booleans()):
                values[key] = self.draw(value_of(field))
        return values


_names = itertools.count(1)


def fresh_record(registry: Any, meta: Any) -> dict[str, str]:
    """A new record of `meta` with its required values (back-end code, in a transaction):
    its id and, on a locked model, its version, as a client sends them."""
    values: dict[str, Any] = {}
    for field in meta.fields.values():
        if isinstance(field, ManyToOne) and field.required:
            values[field.name] = int(fresh_record(registry, registry.model(field.target))["id"])
        elif field.required and isinstance(field, (String, Text)):
            values[field.name] = f"fresh {next(_names)}"
    record = meta.cls(**values).create()
    found = {"id": str(record.id)}
    if "opt_version" in meta.fields:
        found["optVersion"] = str(record.opt_version)
    return found
