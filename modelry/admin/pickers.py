"""Choosing related records: the options a relation's select starts with (forms and list
filters), and the typeahead's matches, each read through `queryPage` as the caller.

Without JavaScript a relation is a select of its target's first MAX_CHOICES records (and
the chosen ones); `static/admin.js` turns it into a combobox that asks `matches` for the
records whose title or search fields contain what the user types.
"""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from typing import Any, Iterable

from modelry.admin import calls
from modelry.admin.hints import ModelHints
from modelry.admin.lists import search_filter
from modelry.admin.titles import title_of
from modelry.core import context
from modelry.core.security.authorization import AccessDenied

MAX_CHOICES = 50   # records a relation's select lists before the user types
MAX_MATCHES = 20   # records the typeahead proposes at once


@dataclass
class Choices:
    """The options of a relation's select: (id, title) pairs, and whether there are more
    records than listed (then only typing finds them)."""

    options: list[tuple[str, str]] = dataclass_field(default_factory=list)
    more: bool = False


def target_of(field: Any) -> Any:
    """The model a relation field points to."""
    return context.active_registry().model(field.target)


def choices(field: Any, hints: dict[str, ModelHints], chosen: Iterable[str]) -> Choices | None:
    """The first records of `field`'s target and the `chosen` ids (titled when the caller
    can read them, `#id` otherwise); None when the caller may not read the target."""
    target = target_of(field)
    try:
        page = calls.query_page(target, None, 1, MAX_CHOICES, _order(target, hints))
    except AccessDenied:
        return None
    found = Choices([(str(r.id), title_of(r, target, hints)) for r in page.content],
                    (page.total_elements or 0) > MAX_CHOICES)
    listed = {value for value, _ in found.options}
    missing = [value for value in dict.fromkeys(chosen) if value and value not in listed]
    if missing:
        named = _titles(target, hints, missing)
        found.options[:0] = [(value, named.get(value, f"#{value}")) for value in missing]
    return found


def matches(field: Any, hints: dict[str, ModelHints], text: str) -> list[tuple[str, str]]:
    """Up to MAX_MATCHES records of `field`'s target whose title or search fields contain
    `text` (or whose id it is), as (id, title); read as the caller."""
    target = target_of(field)
    own = hints[target.code]
    invisible = calls.invisible_fields(target)
    searched = tuple(dict.fromkeys((own.title, *own.search)))
    rsql = search_filter(text.strip(), tuple(n for n in searched if n != "id"), invisible)
    if text.strip().isdigit():
        by_id = f"id=={int(text.strip())}"
        rsql = f"{rsql},{by_id}" if rsql else by_id
    elif text.strip() and rsql is None:
        return []  # nothing the caller may see to search in
    page = calls.query_page(target, rsql, 1, MAX_MATCHES, _order(target, hints))
    return [(str(r.id), title_of(r, target, hints)) for r in page.content]


def _titles(target: Any, hints: dict[str, ModelHints], ids: list[str]) -> dict[str, str]:
    numbers = [value for value in ids if value.isdigit()]
    if not numbers:
        return {}
    page = calls.query_page(target, f"id=in=({','.join(numbers)})", 1, len(numbers), "id")
    return {str(r.id): title_of(r, target, hints) for r in page.content}


def _order(target: Any, hints: dict[str, ModelHints]) -> str:
    sort = hints[target.code].sort if target.code in hints else "id"
    return sort if sort.lstrip("-") == "id" else f"{sort},id"
