"""A page of query results."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Page:
    """Records of one page plus totals; `current_page` is 1-based."""

    content: list[Any]
    total_elements: int
    total_pages: int
    current_page: int
    size: int
