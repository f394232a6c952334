"""A page of query results."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Page:
    """Records of one page plus totals (None when the caller did not ask for them);
    `current_page` is 1-based."""

    content: list[Any]
    total_elements: int | None
    total_pages: int | None
    current_page: int
    size: int
