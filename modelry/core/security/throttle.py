"""Login throttling: after a few failures a login is refused for a while, unchecked.

Counted per application instance, in memory (instances do not share counts: with N
instances an attacker gets N times the attempts, still a small number per window). A
login name is remembered by a 16-byte digest: names are the client's text, as long as a
request body, and 10,000 of them must not cost more than a few hundred kilobytes.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import deque

from modelry.errors import ModelryError

MAX_FAILURES = 5        # failed logins of one login name allowed per window
WINDOW_SECONDS = 60.0
MAX_TRACKED = 10_000    # login names remembered at once (oldest forgotten first)


class LoginThrottled(ModelryError):
    """Too many failed logins for this login name just now."""

    code = "LOGIN_THROTTLED"


class LoginThrottle:
    """Recent failures per login name."""

    def __init__(self, max_failures: int = MAX_FAILURES,
                 window: float = WINDOW_SECONDS) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[bytes, deque[float]] = {}  # by _key(login name)
        self._lock = threading.Lock()

    def check(self, login: str) -> None:
        """LoginThrottled when `login` failed too often within the window."""
        with self._lock:
            recent = self._recent(_key(login), time.monotonic())
            if recent is not None and len(recent) >= self.max_failures:
                wait = int(recent[0] + self.window - time.monotonic()) + 1
                raise LoginThrottled(f"too many failed logins; try again in {wait} s")

    def failed(self, login: str) -> None:
        """Count a failure of `login`."""
        now, key = time.monotonic(), _key(login)
        with self._lock:
            recent = self._recent(key, now)
            if recent is None:
                if len(self._failures) >= MAX_TRACKED:
                    self._failures.pop(next(iter(self._failures)))
                recent = self._failures[key] = deque()
            recent.append(now)

    def succeeded(self, login: str) -> None:
        """Forget `login`'s failures."""
        with self._lock:
            self._failures.pop(_key(login), None)

    def _recent(self, key: bytes, now: float) -> deque[float] | None:
        recent = self._failures.get(key)
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        return recent


def _key(login: str) -> bytes:
    return hashlib.blake2b(login.encode("utf-8", "surrogatepass"), digest_size=16).digest()
