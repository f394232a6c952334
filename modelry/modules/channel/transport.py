"""How a prepared supplier request is sent: over HTTP (httpx) by default, in process to a
`sandbox://` supplier (`sandbox`). `SEND` is the one place to swap it (a test may route
it to an in-process fake supplier). A timeout or a broken connection is `None`: the outcome is
unknown, never a failure."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import httpx

from modelry.modules.channel import sandbox
from modelry.modules.channel.mapping import PreparedRequest

Sender = Callable[[PreparedRequest, float], tuple[int, bytes] | None]
_clients = threading.local()


def _client() -> httpx.Client:
    """This thread's HTTP client: made once (a new one costs ~30 ms, its TLS setup) and
    reused, with its open connections."""
    client = getattr(_clients, "client", None)
    if client is None:
        client = _clients.client = httpx.Client()
    return client


def http_send(request: PreparedRequest, timeout: float) -> tuple[int, bytes] | None:
    """(status, body) of the supplier's answer, or None when it did not answer in time."""
    try:
        answer = _client().request(request.method, request.url, headers=request.headers,
                                   content=request.body, timeout=timeout)
    except httpx.HTTPError:
        return None
    return answer.status_code, answer.content


SEND: dict[str, Sender] = {"send": http_send}


def send(request: PreparedRequest, timeout: float,
         secret: str = "") -> tuple[int, bytes] | None:
    """Send through the configured sender; a `sandbox://` supplier answers in process."""
    if request.url.startswith(sandbox.SCHEME):
        return sandbox.answer(request, secret)
    return SEND["send"](request, timeout)


def payload_of(body: bytes) -> dict[str, Any] | None:
    """A supplier's JSON answer as a dict, None when it is not one."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
