"""`POST /graphql` answered in plain ASGI, before Starlette's routing, request and response
objects: the call every front end makes most, with the same checks and answers as the
Starlette route (asgi.py), which still serves every other request, and this one when the
app is mounted under a root path."""
from __future__ import annotations

from typing import Any, Awaitable, Callable

import orjson

from modelry.core.graphql.http.media_types import check_request_type
from modelry.core.graphql.protocol import ProtocolError, protocol_error_body

JSON_HEADER = (b"content-type", b"application/json")


class FastPost:
    """ASGI middleware: `POST /graphql` to `answer(body, authorization)`, the rest to
    `inner`."""

    def __init__(self, inner: Any, answer: Callable[[bytes, str | None], Awaitable[Any]],
                 max_body_bytes: int) -> None:
        self.inner = inner
        self.answer = answer
        self.max_body_bytes = max_body_bytes
        self.state = getattr(inner, "state", None)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or \
                scope["path"] != "/graphql" or scope.get("root_path"):
            await self.inner(scope, receive, send)
            return
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:  # a repeated header: its first value, as Starlette
            headers.setdefault(name, value)
        content_type = headers.get(b"content-type")
        authorization = headers.get(b"authorization")
        try:
            check_request_type(None if content_type is None else content_type.decode("latin-1"))
            body = await self._body(headers.get(b"content-length"), receive)
        except ProtocolError as error:
            await _send(send, error.status, orjson.dumps(protocol_error_body(error)), None)
            return
        if body is None:
            return  # the client went away
        answer = await self.answer(body, None if authorization is None
                                   else authorization.decode("latin-1"))
        await _send(send, answer.status, orjson.dumps(answer.body), answer.statements)

    async def _body(self, declared: bytes | None, receive: Any) -> bytes | None:
        """The request body, at most `max_body_bytes` (ProtocolError beyond)."""
        limit = self.max_body_bytes
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise ProtocolError(f"the body is over {limit} bytes", "BODY_TOO_LARGE", 413)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise ProtocolError(f"the body is over {limit} bytes", "BODY_TOO_LARGE", 413)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


async def _send(send: Any, status: int, body: bytes, statements: int | None) -> None:
    headers = [JSON_HEADER, (b"content-length", str(len(body)).encode())]
    if statements is not None:
        headers.append((b"x-sql-statements", str(statements).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
