"""A compiled call's arguments, coerced once with stand-ins for its variables and filled
per request.

graphql-core coerces an input object by walking every field of its type (25 for the demo's
`PetShopInput`, for `queryOne(query: {id: $id})`): a fifth of a compiled read's Python
time. A plan's argument nodes never change, and a variable's value reaches the coerced
arguments as it is, so the arguments are coerced once with a stand-in per variable, and
each request copies that template with its variables' values in place of the stand-ins.
A request whose variables the template cannot take (one absent or null: defaults and
errors then depend on it) is coerced by graphql-core as before.
"""
from __future__ import annotations

from decimal import Decimal
from enum import Enum
from typing import Any, Dict, Union

from graphql import FieldNode, GraphQLField, OperationDefinitionNode, VariableNode, visit
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.language import Visitor

Variables = Union[Dict[str, Any], VariableValues]  # as sent, or coerced (coerce_variables)
UNSUITABLE = object()  # a node whose coerced arguments hold something the template cannot


class _StandIn:
    """The place of one variable's value in a template."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class ArgumentTemplate:
    """The coerced arguments of one field node, variables standing in."""

    __slots__ = ("template", "names")

    def __init__(self, template: dict[str, Any], names: tuple[str, ...]) -> None:
        self.template = template
        self.names = names

    @classmethod
    def build(cls, definition: GraphQLField, node: FieldNode,
              variables: VariableValues) -> ArgumentTemplate | object:
        """The template of `node`'s arguments, or UNSUITABLE."""
        names = tuple(sorted(_variable_names(node)))
        stand_ins = VariableValues(dict(variables.sources),
                                   {name: _StandIn(name) for name in names})
        try:
            template = get_argument_values(definition, node, stand_ins)
        except Exception:  # noqa: BLE001 - graphql-core decides such nodes every time
            return UNSUITABLE
        if not _plain(template):
            return UNSUITABLE
        return cls(template, names)

    def fill(self, variables: VariableValues) -> dict[str, Any] | None:
        """The arguments for these variables; None when one is absent or null."""
        values = variables.coerced
        for name in self.names:
            if values.get(name) is None:
                return None
        return _filled(self.template, values)


def coerce_variables(schema: Any, operation: OperationDefinitionNode,
                     variables: dict[str, Any] | VariableValues) -> Any:
    """The operation's variables coerced (graphql-core's VariableValues, or its list of
    errors); `variables` already coerced (by the document check: executor.py) as they are."""
    if isinstance(variables, VariableValues):
        return variables
    return get_variable_values(schema, operation.variable_definitions or (), variables)


def argument_values(definition: GraphQLField, node: FieldNode, variables: VariableValues,
                    holder: Any) -> dict[str, Any]:
    """`get_argument_values(definition, node, variables)`, from the template kept on
    `holder` (a call plan's `arguments` slot) when it can serve these variables."""
    template = holder.arguments
    if template is None:
        template = holder.arguments = ArgumentTemplate.build(definition, node, variables)
    if template is not UNSUITABLE:
        filled = template.fill(variables)  # type: ignore[union-attr]
        if filled is not None:
            return filled
    return get_argument_values(definition, node, variables)


def _variable_names(node: FieldNode) -> set[str]:
    names: set[str] = set()

    class Collect(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            names.add(variable.name.value)
    for argument in node.arguments or ():
        visit(argument, Collect())
    return names


def _plain(value: Any) -> bool:
    """Whether `value` is made only of dicts, lists, stand-ins and immutable leaves."""
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return isinstance(value, (_StandIn, str, int, float, bool, type(None), Enum, Decimal))


def _filled(value: Any, values: dict[str, Any]) -> Any:
    if type(value) is dict:
        return {key: _filled(item, values) for key, item in value.items()}
    if type(value) is list:
        return [_filled(item, values) for item in value]
    if type(value) is _StandIn:
        return values[value.name]
    return value
