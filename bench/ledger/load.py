"""A closed-loop load: `clients` threads each call `step` until the time is up; the
transfers applied and the latency of every call."""
from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Figures:
    """What one load did: transfers applied, seconds, and each call's latency."""

    name: str
    transfers: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.transfers / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """A latency percentile in milliseconds."""
        if not self.latencies:
            return 0.0
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[
            round(share * 100) - 1] * 1000

    def line(self) -> str:
        return (f"{self.name:34} {self.transfers:8d} transfers in {self.seconds:5.1f} s: "
                f"{self.rate:8.0f} transfers/s; per call p50 {self.percentile(0.5):7.1f} ms, "
                f"p99 {self.percentile(0.99):7.1f} ms" + (f"; {self.errors} errors"
                                                          if self.errors else ""))


def run(name: str, clients: int, seconds: float,
        step: Callable[[int, int], int]) -> Figures:
    """Run `step(client, n)` (returns the transfers it applied) in `clients` threads for
    `seconds`; a call that raises counts as an error, not a transfer."""
    figures = Figures(name)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(number: int) -> None:
        start.wait()
        n = 0
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                done = step(number, n)
            except Exception:  # noqa: BLE001  (counted and reported)
                with lock:
                    figures.errors += 1
                n += 1
                continue
            spent = time.perf_counter() - began
            with lock:
                figures.transfers += done
                figures.latencies.append(spent)
            n += 1

    threads = [threading.Thread(target=client, args=(c,), daemon=True) for c in range(clients)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    figures.seconds = time.perf_counter() - began
    return figures
