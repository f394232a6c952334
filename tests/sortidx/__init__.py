"""Test module `sortidx`: books to sort by id, by an indexed NOT NULL column, by an
indexed nullable one and by a unique nullable one (tests/test_sort_index.py,
tests/test_null_order.py)."""
from modelry import Module

module = Module("sortidx", version="1.0.0", depends=["base"], display_name="Sort index")

from tests.sortidx import models  # noqa: E402,F401  (declares the models)
