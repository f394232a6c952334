"""A task that does nothing (the benchmark measures the queue, not the work), and two API
functions of the same shape for the request-latency comparison."""
from __future__ import annotations

from modelry import function

BENCH = "taskbench.Jobs"


@function(async_=True, namespace=BENCH)
def noop(number: int) -> None:
    """Nothing: the cost measured is queueing, claiming and settling."""


@function(open_level="API", namespace=BENCH, async_=True)
def queued(number: int) -> None:
    """A client's mutation that queues `noop`-like work."""


@function(open_level="API", namespace=BENCH)
def inline(number: int) -> None:
    """The same mutation without queueing anything (the baseline)."""
