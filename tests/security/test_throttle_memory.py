"""Login throttling remembers login names by a digest: long unique names sent by a client
cost a few bytes each, not their length (200 names of 250 KB kept 50 MB before)."""
from __future__ import annotations

import tracemalloc

import pytest

from modelry.core.security.throttle import LoginThrottle, LoginThrottled


def test_long_login_names_are_not_kept() -> None:
    throttle = LoginThrottle()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(50):
            throttle.failed(f"{n}-" + "u" * 100_000)  # each name is freed after the call
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 50_000, f"{kept} bytes kept for 50 names of 100 KB"


def test_the_digest_still_tells_login_names_apart() -> None:
    throttle = LoginThrottle(max_failures=2)
    long_name = "u" * 100_000
    for _ in range(2):
        throttle.failed(long_name)
    throttle.check(long_name + "v")  # another name: not throttled
    throttle.check("u")
    with pytest.raises(LoginThrottled):
        throttle.check(long_name)
