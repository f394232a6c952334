"""The page-size maximum (`max_page_size`) bounds every list the API returns.

A nested to-many list takes `size` up to the maximum. Without `size` it holds every
related record: it is read at most one record over the maximum per owner, and an owner
with more makes that list fail with PAGE_TOO_LARGE (the client passes `size`, or pages
through the related model with a filter). A function's list result over the maximum
fails the same way, whatever arguments (`limit: 2147483647`) asked for it.
"""
from __future__ import annotations

from collections.abc import Sized
from typing import Any

from modelry.errors import DataError

CODE = "PAGE_TOO_LARGE"  # the code queryPage's size and queryListByWrapper use


def nested_window(model: str, field: str, size: int | None, settings: Any) -> int:
    """Records to read per owner for the nested list `model.field`: `size` when within
    the maximum, or one over the maximum when no size is given (to see a longer list)."""
    maximum = settings.max_page_size
    if size is None:
        return maximum + 1
    if size > maximum:
        raise DataError(f"{model}.{field}: size {size} is over the maximum {maximum}",
                        code=CODE, model=model, field=field)
    return size


def check_nested(model: str, field: str, records: Sized, size: int | None,
                 settings: Any) -> None:
    """Refuse the unsized nested list `model.field` of one owner when it is too long."""
    maximum = settings.max_page_size
    if size is None and len(records) > maximum:
        raise DataError(f"{model}.{field}: more than {maximum} related records; pass size "
                        f"(at most {maximum}) or query them with a filter", code=CODE,
                        model=model, field=field)


def check_result(function: str, model: str | None, result: Any, settings: Any) -> None:
    """Refuse a function's list result longer than the maximum."""
    maximum = settings.max_page_size
    if isinstance(result, (list, tuple)) and len(result) > maximum:
        raise DataError(f"{function}: returns {len(result)} items, over the maximum "
                        f"{maximum}", code=CODE, model=model)
