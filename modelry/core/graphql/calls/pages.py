"""The page arguments of `queryPage`, checked against the API's limits (both paths)."""
from __future__ import annotations

from typing import Any

from modelry.core.registry import ModelMeta
from modelry.errors import DataError


def page_arguments(meta: ModelMeta, page: Any, settings: Any) -> tuple[int, int, Any]:
    """(current page, size, sort) from a `Pagination` input, checked against the limits."""
    # 0 is a page the client asked for (refused below), not a missing one
    current = page.current_page if page is not None and page.current_page is not None else 1
    size = page.size if page is not None and page.size is not None \
        else min(settings.default_page_size, settings.max_page_size)
    if size > settings.max_page_size:
        raise DataError(f"{meta.code}: page size {size} is over the maximum "
                        f"{settings.max_page_size}", code="PAGE_TOO_LARGE", model=meta.code)
    if current < 1 or size < 1:
        raise DataError(f"{meta.code}: currentPage and size must be at least 1",
                        code="BAD_PAGE", model=meta.code)
    orders = page.sort.orders if page is not None and page.sort and page.sort.orders else None
    sort = [{"field": o.field, "direction": getattr(o.direction, "value", o.direction) or "ASC"}
            for o in orders] if orders else None
    return current, size, sort
