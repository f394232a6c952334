"""Starlette routes for the module endpoints of a booted application (`endpoints`)."""
from __future__ import annotations

import functools
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modelry import directives
from modelry.core.context import requesting
from modelry.core.http.endpoints import HttpRequest, HttpResponse
from modelry.core.http.workers import WorkerThreads
from modelry.core.registry.functions import EndpointMeta
from modelry.core.security.identity import ANONYMOUS, acting
from modelry.errors import ModelryError

log = logging.getLogger("modelry.http")


def _answer(status: int, code: str, message: str) -> Response:
    body = HttpResponse.json({"code": code, "message": message}, status)
    return Response(body.body, status, media_type=body.media_type)


def endpoint_routes(app: Any, workers: WorkerThreads) -> list[Route]:
    """One route per declared endpoint of `app`'s modules, run on the `workers` GraphQL
    requests use."""
    return [Route(meta.route, functools.partial(_serve, app, meta, workers),
                  methods=list(meta.methods)) for meta in app.registry.behaviours.endpoints]


async def _serve(app: Any, meta: EndpointMeta, workers: WorkerThreads,
                 request: Request) -> Response:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > meta.max_body:
        return _answer(413, "BODY_TOO_LARGE", f"the body is over {meta.max_body} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > meta.max_body:
            return _answer(413, "BODY_TOO_LARGE", f"the body is over {meta.max_body} bytes")
        chunks.append(chunk)
    seen = HttpRequest(request.method, request.url.path, dict(request.path_params),
                       dict(request.query_params),
                       {k.lower(): v for k, v in request.headers.items()}, b"".join(chunks),
                       request.client.host if request.client else None)
    return await workers.run(_run, app, meta, seen)


def _run(app: Any, meta: EndpointMeta, request: HttpRequest) -> Response:
    try:
        with app.activate(), acting(ANONYMOUS), requesting(), directives.backend_scope():
            result = meta.callable(request)
    except ModelryError as error:
        return _answer(400, error.code, error.message)
    except Exception:                               # noqa: BLE001 - never a trace to callers
        log.exception("endpoint %s %s failed", request.method, meta.route)
        return _answer(500, "INTERNAL_ERROR", "the request failed; it is logged")
    if isinstance(result, dict):
        result = HttpResponse.json(result)
    if not isinstance(result, HttpResponse):
        log.error("endpoint %s answered %r, not an HttpResponse", meta.route, type(result))
        return _answer(500, "INTERNAL_ERROR", "the request failed; it is logged")
    return Response(result.body, result.status, headers=result.headers,
                    media_type=result.media_type)
