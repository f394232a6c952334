"""Selectors → fields: names checked against the registry (the allow-list), dotted paths.

A segment may be the declared name (`item_name`), its GraphQL spelling (`itemName`),
`id`, or a ManyToOne's column (`shop_id`, `shopId`). Every segment but the last must be
a relation. A path ending at a relation means that relation's id (`shop` = `shop.id`,
`tags=in=(1,2)` = `tags.id=in=(1,2)`).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

from modelry.core.fields import Field, ManyToOne, Relation
from modelry.core.naming import snake_case
from modelry.core.context import hidden_fields
from modelry.core.registry import ModelMeta, Registry
from modelry.core.rsql.errors import RsqlUnknownField
from modelry.core.rsql.limits import DEFAULT_LIMITS
from modelry.core.rsql.path_length import path_too_long


@dataclass(frozen=True)
class Path:
    """Relations crossed from the root model, then the compared field of `owner`."""

    steps: tuple[Relation, ...]
    field: Field
    owner: ModelMeta

    @property
    def to_many(self) -> bool:
        """True when a step crosses a OneToMany or ManyToMany."""
        return any(not isinstance(step, ManyToOne) for step in self.steps)


def find_field(model: ModelMeta, name: str) -> Field | None:
    """The field `name` designates on `model` (declared, camelCase, or m2o column), or None."""
    fields = model.fields
    found = fields.get(name)
    if found is None:
        found = fields.get(snake_case(name))
    if found is None:
        column = snake_case(name)
        if column.endswith("_id"):
            candidate = fields.get(column[:-3])
            if isinstance(candidate, ManyToOne):
                found = candidate
    return found


def resolve(registry: Registry, model: ModelMeta, selector: str, position: int | None, *,
            max_hops: int = DEFAULT_LIMITS.max_path_hops) -> Path:
    """The path `selector` names from `model`; RsqlUnknownField naming the failing segment,
    RsqlPathTooLong when it crosses more than `max_hops` relations."""
    steps: list[Relation] = []
    owner = model
    offset = 0
    segments = selector.split(".")
    for index, segment in enumerate(segments):
        field = find_field(owner, segment)
        if field is not None and (field.write_only or field.name in hidden_fields(owner.code)):
            field = None  # write-only and hidden fields look unknown: nothing is revealed
        where = None if position is None else position + offset
        if field is None:
            raise RsqlUnknownField(f"unknown field {segment!r} on model {owner.code}"
                                   f"{_suggestion(owner, segment)}", position=where,
                                   model=owner.code, field=segment)
        last = index == len(segments) - 1
        if not last and not isinstance(field, Relation):
            raise RsqlUnknownField(f"field {field.name!r} of model {owner.code} is not a "
                                   f"relation: {'.'.join(segments[:index + 2])!r} leads nowhere",
                                   position=where, model=owner.code, field=field.name)
        if isinstance(field, Relation) and not (last and isinstance(field, ManyToOne)):
            if len(steps) == max_hops:
                raise path_too_long(selector, max_hops, where, model.code)
            steps.append(field)
            owner = registry.model(field.target)
            if last:
                field = owner.fields["id"]
        offset += len(segment) + 1
    return Path(tuple(steps), field, owner)


def resolve_column(model: ModelMeta, name: str, position: int | None) -> Field:
    """A field of `model` with a column (scalar or ManyToOne), for `=cole=` and the like."""
    field = find_field(model, name) if "." not in name else None
    if field is not None and (field.write_only or field.name in hidden_fields(model.code)):
        field = None
    if field is None or not field.stored:
        raise RsqlUnknownField(f"{name!r} is not a column of model {model.code}"
                               f"{_suggestion(model, name)}", position=position,
                               model=model.code, field=name)
    return field


def _suggestion(model: ModelMeta, name: str) -> str:
    hidden = hidden_fields(model.code)
    visible = [n for n, f in model.fields.items() if not f.write_only and n not in hidden]
    close = difflib.get_close_matches(snake_case(name), visible, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
