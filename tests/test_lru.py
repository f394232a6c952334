"""The LRU under the document, plan, filter and statement caches: bounded by entries and
by weight, the least recently used going first, too heavy entries never kept."""
from __future__ import annotations

from modelry.core.lru import LRU, MISSING


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: LRU[int] = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now b is the oldest
    cache.put("c", 3)
    assert ("a" in cache, "b" in cache, "c" in cache) == (True, False, True)
    assert cache.get("b") is MISSING and cache.get("b", None) is None


def test_entries_go_while_their_weight_is_over_the_budget() -> None:
    cache: LRU[str] = LRU(100, max_weight=10)
    for key in "abcd":
        assert cache.put(key, key * 3, weight=3)
    assert cache.values() == ["bbb", "ccc", "ddd"] and cache.weight == 9
    cache.put("e", "e" * 8, weight=8)
    assert cache.values() == ["e" * 8] and cache.weight == 8


def test_an_entry_heavier_than_the_entry_limit_is_not_kept() -> None:
    cache: LRU[str] = LRU(100, max_weight=100, max_entry_weight=10)
    cache.put("small", "s", weight=5)
    assert cache.put("large", "L", weight=11) is False
    assert "large" not in cache and cache.values() == ["s"] and cache.weight == 5
    cache.put("small", "S", weight=50)  # replaced by a value too heavy: forgotten
    assert "small" not in cache and cache.weight == 0


def test_none_is_a_value_like_any_other() -> None:
    cache: LRU[None] = LRU(2)
    cache.put("nothing", None)
    assert cache.get("nothing") is None and "nothing" in cache


def test_replacing_an_entry_counts_its_weight_once() -> None:
    cache: LRU[int] = LRU(10, max_weight=10)
    cache.put("a", 1, weight=4)
    cache.put("a", 2, weight=6)
    assert cache.weight == 6 and cache.values() == [2] and len(cache) == 1
    cache.clear()
    assert cache.weight == 0 and len(cache) == 0
