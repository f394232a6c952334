"""Crossing relations without joins in the caller's query: correlated subqueries.

Every relation kind becomes a correlated EXISTS (filters) or a correlated scalar
subquery (sorting across ManyToOne). The caller's statement keeps one FROM, so a filter
is a pure WHERE clause: nothing to join, and never a duplicated row. A table the path
already reads gets an anonymous alias, so self-references (`parent.parent.name`) stay
unambiguous; other tables keep their names (an alias copies every column: slow).
Related rows obey the caller's read rules (`row_rule` of a schema that has one, such as
the data manager): a filter or a sort key cannot probe records the caller may not see.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.util import ClauseAdapter

from modelry.core.fields import Field, ManyToMany, ManyToOne, OneToMany, Relation
from modelry.core.rsql.schema_view import SchemaView

ColumnOf = Callable[[Field], sa.ColumnElement[Any]]
_ONE = sa.literal_column("1")


def exists_through(schema: SchemaView, table: sa.FromClause, steps: Sequence[Relation],
                   leaf: Callable[[ColumnOf], sa.ColumnElement[bool]],
                   target_id_only: bool = False) -> sa.ColumnElement[bool]:
    """EXISTS (related rows along `steps` where `leaf` holds), correlated to `table`.

    With `target_id_only`, a final ManyToMany step reads the target id from the join
    table and skips the target table.
    """
    levels: list[tuple[sa.FromClause, sa.ColumnElement[bool], sa.FromClause]] = []
    outer = table
    column_of: ColumnOf | None = None
    used: list[sa.FromClause] = [table]
    for index, step in enumerate(steps):
        target_meta = schema.registry.model(step.target)
        target = _fresh(schema.table(target_meta), used)
        rules = read_rules(schema, target_meta, target)
        if isinstance(step, ManyToOne):
            levels.append((target, sa.and_(target.c.id == outer.c[step.column], *rules), outer))
        elif isinstance(step, OneToMany):
            inverse = target_meta.fields[step.inverse or ""]
            levels.append((target, sa.and_(target.c[inverse.column] == outer.c.id, *rules),
                           outer))
        elif isinstance(step, ManyToMany):
            join = _fresh(schema.join_table(step), used)
            link = join.c[step.source_column] == outer.c.id
            if target_id_only and index == len(steps) - 1 and not rules:
                levels.append((join, link, outer))
                column_of = _fixed(join.c[step.target_column])
                break
            levels.append((join.join(target, target.c.id == join.c[step.target_column]),
                           sa.and_(link, *rules), outer))
        else:  # pragma: no cover - the registry knows no other relation
            raise TypeError(f"cannot cross {step!r}")
        outer = target
    condition = leaf(column_of or _columns(outer))
    for source, link, correlated in reversed(levels):
        condition = (sa.select(_ONE).select_from(source).where(link, condition)
                     .correlate(correlated).exists())
    return condition


def scalar_through(schema: SchemaView, table: sa.FromClause, steps: Sequence[ManyToOne],
                   field: Field) -> sa.ColumnElement[Any]:
    """The value of `field` reached along ManyToOne `steps` (NULL when a link is empty)."""
    source: sa.FromClause | None = None
    outer = table
    first_link: sa.ColumnElement[bool] | None = None
    used: list[sa.FromClause] = [table]
    for step in steps:
        target_meta = schema.registry.model(step.target)
        target = _fresh(schema.table(target_meta), used)
        link = sa.and_(target.c.id == outer.c[step.column],
                       *read_rules(schema, target_meta, target))
        if source is None:
            source, first_link = target, link
        else:
            source = source.join(target, link)
        outer = target
    if source is None or first_link is None:
        return table.c[field.column]
    return (sa.select(outer.c[field.column]).select_from(source).where(first_link)
            .correlate(table).scalar_subquery())


def read_rules(schema: SchemaView, meta: Any, target: sa.FromClause) -> list[Any]:
    """The caller's read rule on `meta`'s records, over `target` (its table or an alias)."""
    row_rule = getattr(schema, "row_rule", None)
    rule = None if row_rule is None else row_rule(meta, "read")
    if rule is None:
        return []
    if target is not schema.table(meta):
        rule = ClauseAdapter(target).traverse(rule)
    return [rule]


def _fresh(table: sa.FromClause, used: list[sa.FromClause]) -> sa.FromClause:
    """`table`, or an alias of it when the path already reads it (self-references)."""
    fresh = table.alias() if any(table is seen for seen in used) else table
    used.append(table)
    return fresh


def _columns(table: sa.FromClause) -> ColumnOf:
    return lambda field: table.c[field.column]


def _fixed(column: sa.ColumnElement[Any]) -> ColumnOf:
    return lambda field: column
