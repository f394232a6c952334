"""Configurable limits on RSQL input: length, nesting depth, `=in=` list size, path length."""
from __future__ import annotations

from dataclasses import dataclass

MAX_DEPTH_CEILING = 100  # deeper trees risk Python recursion limits while compiling
MAX_PATH_HOPS_CEILING = 10  # each hop nests a subquery: SQLite's parser overflows past 10


@dataclass(frozen=True)
class RsqlLimits:
    """Limits checked by `parse` (paths also when resolved); frozen: keys the parse cache."""

    max_length: int = 4096     # characters
    max_depth: int = 32        # nested parentheses
    max_in_items: int = 1000   # values in one =in=/=out= list
    max_path_hops: int = 6     # relations one selector or sort key crosses (a.b.c: 2)

    def __post_init__(self) -> None:
        if self.max_length < 1 or self.max_in_items < 1:
            raise ValueError("RsqlLimits: max_length and max_in_items must be positive")
        if not 0 <= self.max_depth <= MAX_DEPTH_CEILING:
            raise ValueError(f"RsqlLimits: max_depth must be between 0 and {MAX_DEPTH_CEILING}")
        if not 0 <= self.max_path_hops <= MAX_PATH_HOPS_CEILING:
            raise ValueError("RsqlLimits: max_path_hops must be between 0 and "
                             f"{MAX_PATH_HOPS_CEILING}")


DEFAULT_LIMITS = RsqlLimits()
