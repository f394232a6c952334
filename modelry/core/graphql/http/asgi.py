"""The Starlette app: `POST /graphql`, GraphiQL on `GET /graphql`, `/health`, the modules'
endpoints under `/api/<module>/...`, the admin under `/admin`, access log."""
from __future__ import annotations

import contextlib
import json
import logging
import time
from typing import Any, AsyncIterator

import orjson
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from modelry.admin.app import admin_routes
from modelry.core.graphql.context import GraphQLSettings
from modelry.core.graphql.executor import Executor
from modelry.core.graphql.executor import Response as ExecutorResponse
from modelry.core.graphql.http.console import ASSET_ROUTE, asset_endpoint, console_page
from modelry.core.graphql.http.direct.drivers import driver_for
from modelry.core.graphql.http.direct.reads import DirectReads
from modelry.core.graphql.http.fast_post import FastPost
from modelry.core.graphql.http.media_types import check_request_type
from modelry.core.graphql.protocol import ProtocolError, protocol_error_body
from modelry.core.http.serve import endpoint_routes
from modelry.core.http.workers import WorkerThreads

access_log = logging.getLogger("modelry.access")
ALLOWED = "GET, POST"  # the methods of /graphql (GET for queries only)


def _json(body: dict[str, Any], status: int = 200, statements: int | None = None) -> Response:
    headers = {"X-SQL-Statements": str(statements)} if statements is not None else None
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers=headers)


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(f"the body is over {limit} bytes", "BODY_TOO_LARGE", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(f"the body is over {limit} bytes", "BODY_TOO_LARGE", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def build_asgi(app: Any, settings: GraphQLSettings | None = None) -> Starlette:
    """The ASGI application serving `app`'s GraphQL API."""
    settings = settings or GraphQLSettings()
    executor = Executor(app, settings)
    workers = _workers(app.engine)

    async def graphql_post(request: Request) -> Response:
        try:
            check_request_type(request.headers.get("content-type"))
            body = await _read_body(request, settings.max_body_bytes)
        except ProtocolError as error:
            return _json(protocol_error_body(error), error.status)
        answer = await workers.run(executor.run, body,
                                   authorization=request.headers.get("authorization"))
        return _json(answer.body, answer.status, answer.statements)

    async def graphql_get(request: Request) -> Response:
        query = request.query_params.get("query")
        if query is None:
            if not settings.graphiql:
                return _json(protocol_error_body(ProtocolError(
                    "GraphiQL is switched off; POST queries to /graphql", "METHOD_NOT_ALLOWED",
                    405)), 405)
            return console_page(request)
        try:
            variables = json.loads(request.query_params.get("variables") or "{}")
        except ValueError:
            return _json(protocol_error_body(ProtocolError("variables are not valid JSON",
                                                           "BAD_JSON")), 400)
        payload = {"query": query, "variables": variables,
                   "operationName": request.query_params.get("operationName")}
        answer = await workers.run(executor.run, payload,
                                   authorization=request.headers.get("authorization"), get=True)
        response = _json(answer.body, answer.status, answer.statements)
        if answer.status == 405:  # a mutation sent with GET
            response.headers["Allow"] = ALLOWED
        return response

    async def health(_: Request) -> Response:
        def ping() -> None:
            with app.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        try:
            await workers.run(ping)
        except sa.exc.SQLAlchemyError:
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
        return JSONResponse({"status": "ok", "modules": list(app.registry.modules)})

    driver = driver_for(app.engine) if settings.direct_reads and settings.compiled and \
        executor.compiled.database_json is not None else None
    direct = DirectReads(executor, driver) if driver is not None else None

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if direct is not None:
            direct.start()
        yield
        if direct is not None:
            await direct.stop()
        app.close()  # graceful shutdown: in-flight requests are done, release connections

    async def other_method(request: Request) -> Response:
        error = ProtocolError(f"{request.method} is not allowed here: POST queries and "
                              "mutations to /graphql (GET for queries)", "METHOD_NOT_ALLOWED",
                              405)
        response = _json(protocol_error_body(error), 405)
        response.headers["Allow"] = ALLOWED
        return response

    starlette = Starlette(lifespan=lifespan, routes=[
        Route("/graphql", graphql_post, methods=["POST"]),
        Route("/graphql", graphql_get, methods=["GET"]),
        Route("/graphql", other_method, methods=["PUT", "PATCH", "DELETE", "OPTIONS"]),
        Route(ASSET_ROUTE, asset_endpoint(settings), methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        *endpoint_routes(app, workers),
        *admin_routes(app, workers),
    ])
    starlette.state.executor = executor
    starlette.state.direct_reads = direct

    async def answer(body: bytes, authorization: str | None) -> Any:
        parsed = None
        if direct is not None:
            parsed = await direct.answer(body, authorization)
            if isinstance(parsed, ExecutorResponse):
                return parsed
        return await workers.run(executor.run, body, authorization=authorization,
                                 parsed=parsed)
    return _AccessLog(FastPost(starlette, answer, settings.max_body_bytes))


def _workers(engine: sa.Engine) -> WorkerThreads:
    """Worker threads for requests, as many as the pool has connections."""
    size = getattr(engine.pool, "size", None)
    return WorkerThreads(size() if callable(size) else 16)


class _AccessLog:
    """ASGI middleware writing one JSON line per HTTP request."""

    def __init__(self, inner: Starlette) -> None:
        self.inner = inner
        self.state = inner.state

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
            await self.inner(scope, receive, send)  # (nothing to write: no watching)
            return
        began = time.perf_counter()
        seen: dict[str, Any] = {"status": 500, "statements": None}

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                for key, value in message.get("headers", ()):
                    if key == b"x-sql-statements":
                        seen["statements"] = int(value)
            await send(message)

        try:
            await self.inner(scope, receive, watch)
        finally:
            access_log.info(orjson.dumps({
                "method": scope["method"], "path": scope["path"], "status": seen["status"],
                "ms": round((time.perf_counter() - began) * 1000, 2),
                "statements": seen["statements"]}).decode())
