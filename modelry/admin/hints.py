"""UI hints: how the admin shows a model, declared beside it (`@hints(...)`), with defaults
derived from its fields when a module declares none.

Hints shape screens only: `read_only` disables inputs of a form, it grants and refuses
nothing that the field rules do not (the server refuses a posted read-only input anyway).

`@hints` only tags the class; `hints_for(meta)` reads the tag against the registry's fields
and refuses a name that is no field of the model (DeclarationError naming both).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from modelry.errors import DeclarationError

ATTRIBUTE = "__admin_hints__"
TITLE_NAMES = ("name", "title", "display_name", "login", "code")
LISTED_KINDS = ("string", "integer", "biginteger", "float", "decimal", "money", "boolean",
                "date", "datetime", "time", "enum")
TEXT_KINDS = ("string", "text")
FILTER_KINDS = ("string", "text", "integer", "biginteger", "float", "decimal", "money",
                "boolean", "date", "datetime", "time", "enum", "many2one")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 200
MAX_DEFAULT_COLUMNS = 6
T = TypeVar("T")


@dataclass(frozen=True)
class Hints:
    """How the admin lists and shows one model. Empty values mean "derive from the fields"."""

    title: str | None = None              # the field naming a record (menus, relations)
    columns: tuple[str, ...] = ()         # list columns, in order
    search: tuple[str, ...] = ()          # text fields the quick search looks in
    sort: str | None = None               # default sort: "name" or "-income"
    sortable: tuple[str, ...] = ()        # sortable besides id, indexed and unique fields
    page_size: int = DEFAULT_PAGE_SIZE
    filters: tuple[str, ...] = ()         # typed list filters, in order
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # form sections: (legend, fields)
    read_only: tuple[str, ...] = ()       # shown but not editable in forms


@dataclass(frozen=True)
class ModelHints:
    """A model's hints, every name checked and every default filled."""

    title: str
    columns: tuple[str, ...]
    search: tuple[str, ...]
    sort: str
    sortable: frozenset[str] = field(default_factory=frozenset)
    page_size: int = DEFAULT_PAGE_SIZE
    filters: tuple[str, ...] = ()
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()
    read_only: frozenset[str] = field(default_factory=frozenset)


def hints(*, title: str | None = None, columns: tuple[str, ...] | list[str] = (),
          search: tuple[str, ...] | list[str] = (), sort: str | None = None,
          sortable: tuple[str, ...] | list[str] = (),
          page_size: int = DEFAULT_PAGE_SIZE, filter_fields: tuple[str, ...] | list[str] = (),
          form_sections: Any = (), read_only: tuple[str, ...] | list[str] = ()
          ) -> Callable[[T], T]:
    """Class decorator tagging a model with its admin hints (checked when the admin starts).

    `form_sections` is `[(legend, [field, ...]), ...]`: forms group their inputs under each
    legend in that order, the fields no section names last under "More".
    """
    sections = tuple((legend, tuple(names)) for legend, names in form_sections)
    tag = Hints(title, tuple(columns), tuple(search), sort, tuple(sortable), page_size,
                tuple(filter_fields), sections, tuple(read_only))

    def decorate(cls: T) -> T:
        setattr(cls, ATTRIBUTE, tag)
        return cls

    return decorate


def hints_for(meta: Any) -> ModelHints:
    """`meta`'s declared hints checked against its fields, defaults filled in."""
    declared: Hints = getattr(meta.cls, ATTRIBUTE, None) or Hints()
    sectioned = [name for _, names in declared.sections for name in names]
    for name in (declared.title, *declared.columns, *declared.search, *declared.sortable,
                 (declared.sort or "").lstrip("-") or None, *declared.filters, *sectioned,
                 *declared.read_only):
        if name is not None and name not in meta.fields:
            raise DeclarationError(f"{meta.code}: admin hints name {name!r}, which is no field "
                                   "of the model", model=meta.code, field=name)
    if not 1 <= declared.page_size <= MAX_PAGE_SIZE:
        raise DeclarationError(f"{meta.code}: admin page_size must be 1 to {MAX_PAGE_SIZE}",
                               model=meta.code)
    title = declared.title or _default_title(meta)
    columns = declared.columns or _default_columns(meta, title)
    search = declared.search or tuple(
        name for name in dict.fromkeys((title, *(f.name for f in meta.unique_fields)))
        if meta.fields[name].kind in TEXT_KINDS)
    sort = declared.sort or "id"
    sortable = {"id", "create_date", "write_date", title, sort.lstrip("-"),
                *declared.sortable, *(f.name for f in meta.columns if f.index or f.unique)}
    unfit = [name for name in declared.filters if meta.fields[name].kind not in FILTER_KINDS]
    if unfit:
        raise DeclarationError(f"{meta.code}: the admin cannot filter on {unfit[0]!r} (a "
                               f"{meta.fields[unfit[0]].kind} field)", model=meta.code,
                               field=unfit[0])
    filters = declared.filters or tuple(
        name for name in columns if name != "id" and meta.fields[name].kind in FILTER_KINDS)
    return ModelHints(title, columns, search, sort,
                      frozenset(name for name in sortable if _sortable(meta.fields[name])),
                      declared.page_size, filters, declared.sections,
                      frozenset(declared.read_only))


def _default_title(meta: Any) -> str:
    strings = [f for f in meta.columns if f.kind == "string" and not f.write_only]
    for name in TITLE_NAMES:
        if any(f.name == name for f in strings):
            return name
    required = [f for f in strings if f.required]
    return (required or strings or [meta.fields["id"]])[0].name


def _default_columns(meta: Any, title: str) -> tuple[str, ...]:
    others = [f.name for f in meta.fields.values()
              if not f.system and f.name != title and not f.write_only
              and (f.kind in LISTED_KINDS or f.kind == "many2one")]
    return tuple(dict.fromkeys(("id", title, *others)))[:MAX_DEFAULT_COLUMNS]


def _sortable(field: Any) -> bool:
    return field.stored and not field.relational and not field.write_only and \
        field.kind in LISTED_KINDS
