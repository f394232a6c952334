"""What the list and detail screens show, read as the caller (inside `calls.as_client`).

Values are turned into text here, while the transaction is open: a ManyToOne shows its
target's title, read for the whole page at once under the caller's read rules.
"""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field as dataclass_field
from typing import Any

import orjson

from modelry.admin import calls, filters, pickers
from modelry.admin.hints import ModelHints
from modelry.admin.lists import ListState, search_filter
from modelry.admin.pages import field_label
from modelry.admin.titles import title_of
from modelry.core import context

MAX_CELL = 80          # characters of a value shown in a list cell
MAX_RELATED = 20       # records of a to-many relation named on a detail screen


@dataclass(frozen=True)
class Column:
    """A list column: field name, label, and whether the list may sort on it."""

    name: str
    label: str
    sortable: bool


@dataclass(frozen=True)
class Cell:
    """A shown value, and the detail page it links to (a related record), if any."""

    text: str
    link: str | None = None


@dataclass(frozen=True)
class ListView:
    """One page of a model's list."""

    columns: list[Column]
    rows: list[tuple[int, list[Cell]]]
    total: int
    pages: int
    state: ListState
    searchable: bool
    filters: list[Any] = dataclass_field(default_factory=list)  # filters.Filter

    @property
    def refused(self) -> bool:
        """True when a filter's value is wrong (the list was not read)."""
        return any(made.error for made in self.filters)


@dataclass
class DetailView:
    """One record: its id, title and each visible field's label and value."""

    record_id: int
    title: str
    fields: list[tuple[str, list[Cell]]]
    version: str | None = None          # what an action's button sends (a locked model)
    functions: list[Any] = dataclass_field(default_factory=list)  # buttons.Button
    secrets: list[tuple[str, str]] = dataclass_field(default_factory=list)  # (name, label)


def list_view(meta: Any, hints: dict[str, ModelHints], state: ListState) -> ListView:
    """The page of `meta`'s list that `state` asks for: the quick search and each typed
    filter set are one RSQL filter, read through `queryPage` as the caller."""
    own = hints[meta.code]
    invisible = calls.invisible_fields(meta)
    shown, clauses = filters.build(meta, own.filters, invisible, state.filters)
    for made in [made for made in shown if made.kind == "relation"]:
        found = pickers.choices(meta.fields[made.name], hints, made.values)
        if found is None and not made.values[0]:
            shown.remove(made)  # no record of its target to choose from
        else:
            made.options = found.options if found is not None else []
    columns = [Column(name, field_label(meta.fields[name]), name in own.sortable)
               for name in own.columns if name not in invisible]
    searchable = any(name not in invisible for name in own.search)
    if any(made.error for made in shown):
        return ListView(columns, [], 0, 0, state, searchable, shown)
    searched = search_filter(state.search, own.search, invisible)
    rsql = ";".join(f"({clause})" for clause in ([searched] if searched else []) + clauses)
    page = calls.query_page(meta, rsql or None, state.page, state.size, state.order)
    rows = [(record.id, [_cells(meta.fields[c.name], _value(record, c.name), hints,
                                MAX_CELL)[0] for c in columns]) for record in page.content]
    return ListView(columns, rows, page.total_elements or 0, page.total_pages or 0, state,
                    searchable, shown)


def detail_view(meta: Any, hints: dict[str, ModelHints], identifier: int) -> DetailView | None:
    """Record `identifier` of `meta`, None when the caller cannot see it."""
    record = calls.query_one(meta, identifier)
    if record is None:
        return None
    invisible = calls.invisible_fields(meta)
    shown = [(field_label(field), _cells(field, _value(record, name), hints, None))
             for name, field in meta.fields.items() if name not in invisible]
    return DetailView(record.id, title_of(record, meta, hints), shown,
                      str(record.opt_version) if meta.optimistic_lock else None)


def _value(record: Any, name: str) -> Any:
    """`record.name`; a to-many relation's first MAX_RELATED + 1 records only (for the
    record's whole batch in one statement): a shop with a million items reads 21."""
    field = type(record)._field(name)
    if field.kind not in ("one2many", "many2many") or record.id is None:
        return getattr(record, name)
    return context.gateway(field.model).load_relation(record, name, size=MAX_RELATED + 1)


def _cells(field: Any, value: Any, hints: dict[str, ModelHints],
           limit: int | None) -> list[Cell]:
    if field.kind == "many2one":
        return [related_cell(value, hints)]
    if field.kind in ("one2many", "many2many"):
        related = list(value or ())
        cells = [related_cell(item, hints) for item in related[:MAX_RELATED]]
        return cells + ([Cell("… and more")] if len(related) > MAX_RELATED else [])
    return [Cell(shown_text(value, limit))]


def related_cell(record: Any, hints: dict[str, ModelHints]) -> Cell:
    """A stored record as a cell: its title, linked to its detail screen."""
    if record is None:
        return Cell("")
    target = type(record)._meta()
    return Cell(title_of(record, target, hints), f"{target.code}/{record.id}")


def shown_text(value: Any, limit: int | None) -> str:
    """A plain value as a screen shows it (at most `limit` characters)."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, enum.Enum):
        text = str(value.value)
    elif isinstance(value, dt.datetime):
        text = value.isoformat(sep=" ", timespec="seconds")
    elif isinstance(value, bytes):
        text = f"{len(value)} bytes"
    elif isinstance(value, (dict, list)):
        text = orjson.dumps(value).decode()
    else:
        text = str(value)
    return text if limit is None or len(text) <= limit else text[:limit - 1] + "…"
