"""The limit on relations one selector or sort key crosses (`RsqlLimits.max_path_hops`).

Each relation crossed nests one more correlated subquery, and databases limit nesting
(SQLite's parser overflows near ten levels): a longer path is refused before any SQL is
built, by `parse` (a selector with more dots than the limit) and by `resolve` (the exact
count: `shop.tags` crosses two relations, `shop.tags.id` too).
"""
from __future__ import annotations

from modelry.core.rsql.errors import RsqlPathTooLong
from modelry.core.rsql.nodes import Comparison

SHOWN_CHARACTERS = 120  # of a path named in an error: the rest is cut, not echoed back


def path_too_long(selector: str, max_hops: int, position: int | None,
                  model: str | None = None) -> RsqlPathTooLong:
    """The error for `selector`, `position` being where its first hop too many starts."""
    shown = selector if len(selector) <= SHOWN_CHARACTERS \
        else selector[:SHOWN_CHARACTERS] + "…"
    return RsqlPathTooLong(f"path {shown!r} crosses more than {max_hops} relations (the "
                           f"limit is {max_hops})", position=position, model=model,
                           field=shown)


def check_segments(comparison: Comparison, max_hops: int) -> None:
    """Refuse a selector with more than `max_hops` dots: it crosses more relations."""
    selector = comparison.selector
    if selector.count(".") <= max_hops:
        return
    offset = len(".".join(selector.split(".", max_hops)[:max_hops])) + bool(max_hops)
    raise path_too_long(selector, max_hops, comparison.position + offset)

