"""A list screen's state, read from and written to its URL: page, size, sort, search and
the typed filters (`f.<field>`)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping
from urllib.parse import urlencode

from modelry.admin import filters
from modelry.admin.hints import MAX_PAGE_SIZE, ModelHints
from modelry.core.rsql.quoting import quote

MAX_SEARCH = 200  # characters of quick search text


@dataclass(frozen=True)
class ListState:
    """What a list shows; `query()` spells it as a URL query (defaults left out)."""

    page: int
    size: int
    sort: str      # a sortable field, "-" first for descending
    search: str
    defaults: tuple[int, str]  # the model's page size and sort, left out of URLs
    filters: tuple[tuple[str, str], ...] = ()  # (f.<field>[.from|.to], text) set

    def query(self, **changes: Any) -> str:
        """This state (with `changes`) as `?q=..&sort=..`; empty for the default list."""
        state = replace(self, **changes)
        pairs = [("q", state.search) if state.search else None, *state.filters,
                 ("sort", state.sort) if state.sort != self.defaults[1] else None,
                 ("size", str(state.size)) if state.size != self.defaults[0] else None,
                 ("page", str(state.page)) if state.page != 1 else None]
        found = [pair for pair in pairs if pair is not None]
        return f"?{urlencode(found)}" if found else ""

    def sorted_by(self, name: str) -> str:
        """The query sorting by `name`: ascending, or descending when it already is."""
        return self.query(sort=f"-{name}" if self.sort == name else name, page=1)

    @property
    def order(self) -> str:
        """The data manager's sort: the chosen field, then id (pages never overlap)."""
        name = self.sort.lstrip("-")
        return self.sort if name == "id" else f"{self.sort},id"


def list_state(params: Mapping[str, str], meta: Any, hints: ModelHints,
               invisible: frozenset[str]) -> ListState:
    """The state a URL asks for; a value out of bounds, or a sort on a field that is not
    sortable (or hidden from the caller), falls back to the model's default. A filter the
    list does not offer the caller is refused (FilterRefused)."""
    default_sort = hints.sort if hints.sort.lstrip("-") not in invisible else "id"
    sort = params.get("sort", "")
    if sort.lstrip("-") not in hints.sortable - invisible or sort.startswith("--"):
        sort = default_sort
    return ListState(page=_number(params.get("page"), 1, 1, 10**9),
                     size=_number(params.get("size"), hints.page_size, 1, MAX_PAGE_SIZE),
                     sort=sort, search=params.get("q", "").strip()[:MAX_SEARCH],
                     defaults=(hints.page_size, default_sort),
                     filters=filters.requested(params, meta, hints.filters, invisible))


def _number(text: str | None, default: int, low: int, high: int) -> int:
    if text is None or not text.isdigit():
        return default
    return min(max(int(text), low), high)


def search_filter(text: str, fields: tuple[str, ...],
                  invisible: frozenset[str]) -> str | None:
    """RSQL matching records where any visible search field contains `text`, ignoring
    case; None for none."""
    searched = [name for name in fields if name not in invisible]
    if not text or not searched:
        return None
    return ",".join(f"{name}=ilike={quote(text)}" for name in searched)
