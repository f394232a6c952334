"""The HTTP side of the channel tests' fake suppliers: `supplier_app` serves a supplier's
`/recharge` and `/query` (JSON bodies, as `fake_supplier.MAPPING` declares them) from a
function that says what to `Answer`; `Callbacks` is how a supplier posts its callbacks to
the platform's `/api/channel/suppliers/{code}/callback`. Both are served over real HTTP
by `tests.asgi_server`."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass(frozen=True)
class Answer:
    """What a supplier does with a request: answers `status` and `body` after `delay`
    seconds (past the caller's timeout the answer is late and goes nowhere), or hangs up
    (closes the connection without an answer)."""

    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    hang_up: bool = False


HANG_UP = Answer(hang_up=True)
# endpoint path ("/recharge", "/query"), the request's JSON fields → what to do
Answerer = Callable[[str, dict[str, Any]], Answer]


class HungUp(Exception):
    """Raised once a response has started, so that uvicorn closes the connection."""


class _HangUp(Response):
    """Starts a response, then hangs up: the caller sees the connection close unanswered."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-length", b"2")]})
        raise HungUp


def _quiet_hang_ups(record: logging.LogRecord) -> bool:
    """uvicorn logs the exception that closed the connection: not when it was a hang-up."""
    return not (record.exc_info and isinstance(record.exc_info[1], HungUp))


if _quiet_hang_ups not in logging.getLogger("uvicorn.error").filters:
    logging.getLogger("uvicorn.error").addFilter(_quiet_hang_ups)


def supplier_app(answer: Answerer, errors: list[str]) -> Starlette:
    """A supplier's API answered by `answer` (run in a worker thread); an exception in it
    (a bad signature, say) is kept in `errors` for the test to fail on, and answers 500."""

    def endpoint(path: str) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            try:
                fields = json.loads(await request.body())
                what = await run_in_threadpool(answer, path, fields)
            except Exception as error:   # the test fails on it, not only the platform
                errors.append(f"{path}: {error!r}")
                return Response(repr(error), 500)
            if what.delay:
                await asyncio.sleep(what.delay)
            if what.hang_up:
                return _HangUp()
            return Response(what.body, what.status, media_type="application/json")
        return handle

    return Starlette(routes=[Route(path, endpoint(path), methods=["POST"])
                             for path in ("/recharge", "/query")])


class Callbacks:
    """A supplier's callbacks to the platform at `url`, posted as forms over HTTP."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=30)

    def post(self, supplier: str, form: dict[str, str]) -> httpx.Response:
        """Post `form` as supplier `supplier`'s callback; the platform's answer."""
        return self.client.post(f"/api/channel/suppliers/{supplier}/callback", data=form)

    def close(self) -> None:
        """Close the connections."""
        self.client.close()
