"""Parsed filters are cached by text, bounded by the characters they hold: a long filter is
parsed every time and never kept (lru.py)."""
from __future__ import annotations

import importlib

from modelry.core.rsql import RsqlLimits, parse

parsing = importlib.import_module("modelry.core.rsql.parse")  # (`rsql.parse` is the function)


def test_a_short_filter_is_parsed_once() -> None:
    text = "name=='cached once'"
    assert parse(text) is parse(text)


def test_a_long_filter_is_parsed_every_time_and_never_kept() -> None:
    text = ";".join(f"name!='{i}'" for i in range(300))
    assert len(text) > parsing._parsed.max_entry_weight
    first, second = parse(text), parse(text)
    assert first == second and first is not second
    assert (text, RsqlLimits()) not in parsing._parsed


def test_unique_filters_keep_no_more_than_the_budget() -> None:
    for n in range(400):
        parse(";".join(f"code=='{n}-{i}'" for i in range(60)))  # ~1 KB each
    assert parsing._parsed.weight <= parsing._parsed.max_weight
