"""RSQL → a SQLAlchemy WHERE clause over the model's table, every value a bound parameter."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from modelry.core.fields import Field, ManyToMany, ManyToOne
from modelry.core.registry import ModelMeta
from modelry.core.rsql import like
from modelry.core.rsql.errors import (
    RsqlArgumentError,
    RsqlError,
    RsqlOperatorNotAllowed,
    RsqlTooManyValues,
    RsqlUnknownPlaceholder,
    RsqlValueError,
)
from modelry.core.rsql.limits import DEFAULT_LIMITS, RsqlLimits
from modelry.core.rsql.nodes import And, Argument, Comparison, Group, Node, Placeholder, Value
from modelry.core.rsql.operators import OPERATORS, Operator, is_text_like
from modelry.core.rsql.parse import parse
from modelry.core.rsql.paths import Path, resolve, resolve_column
from modelry.core.rsql.relations import ColumnOf, exists_through
from modelry.core.rsql.schema_view import SchemaView
from modelry.core.rsql.values import convert, to_boolean, to_text
from modelry.core.schema.among import among
from modelry.core.schema.decimal_type import columns_equal

_ORDERING = {"=lt=": "__lt__", "=le=": "__le__", "=gt=": "__gt__", "=ge=": "__ge__"}
_PATTERNS: dict[str, Callable[[str, tuple[int, ...]], str]] = {
    "=like=": like.contains, "=ilike=": like.contains, "=starts=": like.starts,
    "=ends=": like.ends}
_FAMILIES = {"integer": "number", "biginteger": "number", "float": "number",
             "decimal": "number", "money": "number", "many2one": "number", "string": "text",
             "text": "text"}


@dataclass(frozen=True)
class _Test:
    """A positive test on the compared column(s), and whether the comparison negates it."""

    build: Callable[[ColumnOf], sa.ColumnElement[bool]]
    fields: tuple[Field, ...]     # columns whose NULL a direct negation must include
    negated: bool
    null_safe: bool = False       # the test itself never yields NULL (IS [NOT] NULL)


def compile_filter(text_or_node: str | Node | None, model: ModelMeta, schema: SchemaView,
                   placeholders: Mapping[str, Any] | None = None, *,
                   limits: RsqlLimits = DEFAULT_LIMITS) -> sa.ColumnElement[bool]:
    """A WHERE clause over `schema.table(model)` selecting the records the filter matches.

    Relations of every kind become correlated EXISTS subqueries, so the result is a pure
    WHERE clause: the caller adds no join and never sees a duplicated row. Conditions on
    a to-many path mean "some related record matches"; two conditions on the same path
    may be met by different related records.

    NULL: a negated operator (`!=`, `=out=`, `=notlike=`, `=notstarts=`, `=notends=`,
    `=colnot=`, `=isnull=true`) matches exactly the records its positive form does not,
    so a NULL column matches it (`a!=x` is `a <> x OR a IS NULL`); across a relation it
    is `NOT EXISTS(...)` (`tags.name!=red`: no tag is named red). Ordering operators
    never match NULL. A blank filter (or None) matches everything. Text comparisons follow the
    database's collation (case-insensitive on MySQL/MariaDB, case-sensitive on PostgreSQL).
    """
    if text_or_node is None:
        return sa.true()
    if isinstance(text_or_node, str):
        if not text_or_node.strip():
            return sa.true()
        try:
            node = parse(text_or_node, limits)
        except RsqlError as error:
            error.model = error.model or model.code  # parsing knows no model; name it
            raise
    else:
        node = text_or_node
    return _Compiler(model, schema, placeholders or {}, limits).node(node)


class _Compiler:
    """Compiles one filter for one model."""

    def __init__(self, model: ModelMeta, schema: SchemaView, placeholders: Mapping[str, Any],
                 limits: RsqlLimits) -> None:
        self.model = model
        self.schema = schema
        self.table = schema.table(model)
        self.placeholders = placeholders
        self.limits = limits

    def node(self, node: Node) -> sa.ColumnElement[bool]:
        """The clause for any node."""
        if isinstance(node, Comparison):
            return self.comparison(node)
        if isinstance(node, Group):
            return self.node(node.child)
        parts = [self.node(child) for child in node.children]
        return sa.and_(*parts) if isinstance(node, And) else sa.or_(*parts)

    def comparison(self, node: Comparison) -> sa.ColumnElement[bool]:
        """The clause for one comparison: checked, converted, then placed along its path."""
        operator = OPERATORS[node.operator]
        path = resolve(self.schema.registry, self.model, node.selector, node.position,
                       max_hops=self.limits.max_path_hops)
        self._check_operator(node, operator, path)
        steps, leaf = path.steps, path.field
        by_id = not operator.column_argument and leaf.name == "id" and bool(steps)
        if by_id and isinstance(steps[-1], ManyToOne):
            steps, leaf = steps[:-1], steps[-1]  # shop.id is the column shop_id
        test = self._test(node, operator, path, leaf)
        if not steps:
            clause = test.build(lambda field: self.table.c[field.column])
            if not test.negated:
                return clause
            if test.null_safe:
                return sa.not_(clause)
            nulls = [self.table.c[field.column].is_(None) for field in test.fields]
            return sa.or_(sa.not_(clause), *nulls)
        id_only = by_id and isinstance(steps[-1], ManyToMany)
        exists = exists_through(self.schema, self.table, steps, test.build, id_only)
        return sa.not_(exists) if test.negated else exists

    # ── the test on the compared column ──────────────────────────────────────
    def _test(self, node: Comparison, operator: Operator, path: Path, leaf: Field) -> _Test:
        """The positive test on `leaf`, and how to negate it."""
        positive, negated = operator.positive, operator.negated
        if positive == "=notnull=":
            wanted = self._one(node, path, to_boolean)
            has_value = wanted if node.operator == "=notnull=" else not wanted
            return _Test(lambda col: col(leaf).is_not(None), (leaf,), not has_value, True)
        if operator.column_argument:
            other = self._other_column(node, path)
            return _Test(lambda col: columns_equal(col(leaf), col(other)), (leaf, other),
                         negated)
        if positive in _PATTERNS:
            argument = node.arguments[0]
            wildcards = argument.wildcards if isinstance(argument, Value) else ()
            pattern = _PATTERNS[positive](self._one(node, path, to_text), wildcards)
            if positive == "=ilike=":  # ILIKE on PostgreSQL, lower() LIKE lower() elsewhere
                return _Test(lambda col: col(leaf).ilike(pattern, escape=like.ESCAPE),
                             (leaf,), negated)
            return _Test(lambda col: col(leaf).like(pattern, escape=like.ESCAPE), (leaf,),
                         negated)
        if positive == "=in=":
            values = [self._convert(path, value, argument)
                      for value, argument in self._arguments(node, path)]
            dialect = getattr(self.schema, "dialect_name", "")
            return _Test(lambda col: among(col(leaf), values, dialect), (leaf,), negated)
        argument = node.arguments[0]
        if positive == "==" and isinstance(argument, Value) and argument.wildcards:
            if not is_text_like(path.field):
                raise RsqlOperatorNotAllowed(
                    f"the wildcard * applies to text fields only; {path.field.name!r} of model "
                    f"{path.owner.code} is {path.field.kind}", position=argument.position,
                    model=path.owner.code, field=path.field.name)
            pattern = like.wildcard_pattern(self._one(node, path, to_text), argument.wildcards)
            return _Test(lambda col: col(leaf).like(pattern, escape=like.ESCAPE), (leaf,),
                         negated)
        value = self._one(node, path, lambda v: None if v is None else convert(path.field, v),
                          allow_none=positive == "==")
        if value is None:  # a placeholder holding None: == is IS NULL, != is IS NOT NULL
            return _Test(lambda col: col(leaf).is_(None), (leaf,), negated, True)
        if positive == "==":
            return _Test(lambda col: col(leaf) == value, (leaf,), negated)
        method = _ORDERING[positive]
        return _Test(lambda col: getattr(col(leaf), method)(value), (leaf,), negated)

    # ── arguments ────────────────────────────────────────────────────────────
    def _arguments(self, node: Comparison, path: Path) -> list[tuple[Any, Argument]]:
        """(raw value, the argument it came from), placeholders resolved, lists expanded."""
        found: list[tuple[Any, Argument]] = []
        takes_list = OPERATORS[node.operator].takes_list
        for argument in node.arguments:
            if isinstance(argument, Placeholder):
                value = self._placeholder(argument, path)
                if isinstance(value, (list, tuple, set, frozenset)):
                    if not takes_list:
                        raise RsqlArgumentError(
                            f"placeholder $#{{{argument.name}}} holds a list; operator "
                            f"{node.operator} takes one value", position=argument.position,
                            model=path.owner.code, field=path.field.name)
                    found.extend((item, argument) for item in value)
                else:
                    found.append((value, argument))
            else:
                found.append((argument.text, argument))
        if len(found) > self.limits.max_in_items:
            raise RsqlTooManyValues(f"{node.operator} lists {len(found)} values; the limit is "
                                    f"{self.limits.max_in_items}",
                                    position=node.arguments[0].position, model=path.owner.code,
                                    field=path.field.name)
        return found

    def _placeholder(self, argument: Placeholder, path: Path) -> Any:
        if argument.name not in self.placeholders:
            known = ", ".join(sorted(self.placeholders)) or "none"
            raise RsqlUnknownPlaceholder(f"no value for placeholder $#{{{argument.name}}} "
                                         f"(known: {known})", position=argument.position,
                                         model=path.owner.code, field=path.field.name)
        return self.placeholders[argument.name]

    def _one(self, node: Comparison, path: Path, converter: Callable[[Any], Any],
             allow_none: bool = False) -> Any:
        """The single argument of `node`, converted."""
        arguments = self._arguments(node, path)
        if len(arguments) != 1:
            raise RsqlArgumentError(f"operator {node.operator} takes exactly one value",
                                    position=node.operator_position, model=path.owner.code,
                                    field=path.field.name)
        value, argument = arguments[0]
        if value is None and not allow_none:
            raise RsqlValueError(f"operator {node.operator} cannot compare with null "
                                 f"(placeholder $#{{{getattr(argument, 'name', '')}}})",
                                 position=argument.position, model=path.owner.code,
                                 field=path.field.name)
        return self._convert(path, value, argument, converter)

    def _convert(self, path: Path, value: Any, argument: Argument,
                 converter: Callable[[Any], Any] | None = None) -> Any:
        field = path.field
        try:
            if converter is not None:
                return converter(value)
            if value is None:
                raise ValueError("null is not allowed in a list")
            return convert(field, value)
        except (ValueError, TypeError) as error:
            raise RsqlValueError(f"field {field.name!r} of model {path.owner.code}: {error}",
                                 position=argument.position, model=path.owner.code,
                                 field=field.name) from None

    # ── checks ───────────────────────────────────────────────────────────────
    def _check_operator(self, node: Comparison, operator: Operator, path: Path) -> None:
        field = path.field
        allowed = field.kind in operator.kinds
        if allowed and operator.positive in _PATTERNS:
            allowed = is_text_like(field)
        if not allowed:
            raise RsqlOperatorNotAllowed(
                f"operator {node.operator} does not apply to {field.kind} field "
                f"{field.name!r} of model {path.owner.code}", position=node.operator_position,
                model=path.owner.code, field=field.name)

    def _other_column(self, node: Comparison, path: Path) -> Field:
        argument = node.arguments[0]
        if not isinstance(argument, Value):
            raise RsqlArgumentError(f"operator {node.operator} takes a field name, not a "
                                    "placeholder", position=argument.position,
                                    model=path.owner.code, field=path.field.name)
        other = resolve_column(path.owner, argument.text, argument.position)
        if _family(other) != _family(path.field) or other.kind not in OPERATORS["=cole="].kinds:
            raise RsqlOperatorNotAllowed(
                f"cannot compare {path.field.kind} field {path.field.name!r} with "
                f"{other.kind} field {other.name!r} of model {path.owner.code}",
                position=argument.position, model=path.owner.code, field=other.name)
        return other


def _family(field: Field) -> object:
    if field.kind == "enum":
        return ("enum", getattr(field, "enum_class", None))
    return _FAMILIES.get(field.kind, field.kind)
