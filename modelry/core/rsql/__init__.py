"""RSQL: the filter language of the data manager and the GraphQL API, compiled to SQL.

`parse` turns text into nodes (cached), `any_of` makes them from keyword filter groups,
`compile_filter` turns nodes into a WHERE clause over a model's table, `compile_sort`
turns `"name,-income"` into ORDER BY keys. Every selector is checked against the
registry and every value is a bound parameter.
"""
from modelry.core.rsql.build import any_of
from modelry.core.rsql.compiler import compile_filter
from modelry.core.rsql.errors import (
    RsqlArgumentError,
    RsqlError,
    RsqlLimitError,
    RsqlOperatorNotAllowed,
    RsqlPathTooLong,
    RsqlSortError,
    RsqlSyntaxError,
    RsqlTooDeep,
    RsqlTooLong,
    RsqlTooManyValues,
    RsqlUnknownField,
    RsqlUnknownOperator,
    RsqlUnknownPlaceholder,
    RsqlValueError,
)
from modelry.core.rsql.limits import DEFAULT_LIMITS, RsqlLimits
from modelry.core.rsql.nodes import And, Comparison, Group, Node, Or, Placeholder, Value
from modelry.core.rsql.operators import OPERATORS
from modelry.core.rsql.parse import parse
from modelry.core.rsql.quoting import quote
from modelry.core.rsql.schema_view import MetadataSchemaView, SchemaView
from modelry.core.rsql.sort import compile_sort

__all__ = [
    "DEFAULT_LIMITS",
    "OPERATORS",
    "And",
    "Comparison",
    "Group",
    "MetadataSchemaView",
    "Node",
    "Or",
    "Placeholder",
    "RsqlArgumentError",
    "RsqlError",
    "RsqlLimitError",
    "RsqlLimits",
    "RsqlOperatorNotAllowed",
    "RsqlPathTooLong",
    "RsqlSortError",
    "RsqlSyntaxError",
    "RsqlTooDeep",
    "RsqlTooLong",
    "RsqlTooManyValues",
    "RsqlUnknownField",
    "RsqlUnknownOperator",
    "RsqlUnknownPlaceholder",
    "RsqlValueError",
    "SchemaView",
    "Value",
    "any_of",
    "compile_filter",
    "compile_sort",
    "parse",
    "quote",
]
