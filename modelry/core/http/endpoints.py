"""`@endpoint(path, methods=("POST",))`: a module-level function answering raw HTTP requests
at `/api/<module><path>`, for callers that do not speak GraphQL (a payment provider's
callback, a merchant's signed API call).

    @endpoint("/callbacks/{provider}")
    def provider_callback(request: HttpRequest) -> HttpResponse:
        answer = receive_callback(request.path_params["provider"], request.headers,
                                  request.text())
        return HttpResponse.json({"code": answer.code}, 200 if answer.code == "ok" else 400)

The function runs in a worker thread with the application active, as back-end code acting
for no user (anonymous): it authenticates its caller itself (a signature, a key), and calls
functions that open their own transactions. It returns an `HttpResponse`, or a dict (sent
as JSON, 200). A `ModelryError` it raises is answered 400 with its code and message; any
other error 500 with code INTERNAL_ERROR and no detail (logged).
"""
from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from modelry.core.registry.catalog import declare_behaviour
from modelry.core.registry.functions import EndpointMeta
from modelry.errors import DeclarationError, ModelryError

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class BadRequest(ModelryError):
    """The request cannot be read (e.g. a body that is not the JSON the endpoint expects)."""

    code = "BAD_REQUEST"


@dataclass(frozen=True)
class HttpRequest:
    """One request as an endpoint sees it; header names are lower case."""

    method: str
    path: str
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    client: str | None = None

    def text(self) -> str:
        """The body as UTF-8 text (BAD_REQUEST when it is not)."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("the body is not UTF-8 text") from None

    def json(self) -> Any:
        """The body as JSON (BAD_REQUEST when it is not)."""
        try:
            return json.loads(self.body)
        except ValueError:
            raise BadRequest("the body is not valid JSON") from None


@dataclass
class HttpResponse:
    """What an endpoint answers."""

    status: int = 200
    body: bytes = b""
    media_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, value: Any, status: int = 200,
             headers: dict[str, str] | None = None) -> HttpResponse:
        """`value` as a JSON body (decimals and dates as strings)."""
        return cls(status, json.dumps(value, default=str).encode("utf-8"),
                   headers=dict(headers or {}))


def endpoint(path: str, methods: tuple[str, ...] | list[str] = ("POST",),
             max_body: int = 64_000) -> Callable[[Any], Any]:
    """Serve the decorated function at `/api/<module><path>` for `methods`; `path` starts
    with "/" and may hold `{name}` parameters (`request.path_params`)."""
    def decorate(target: Callable[..., Any]) -> Callable[..., Any]:
        where = f"{target.__module__}.{target.__qualname__}"
        if not path.startswith("/") or "//" in path or ".." in path:
            raise DeclarationError(f"{where}: an endpoint path starts with '/', not {path!r}")
        wrong = [m for m in methods if m not in METHODS]
        if wrong or not methods:
            raise DeclarationError(f"{where}: endpoint methods are some of {METHODS}, "
                                   f"not {list(methods)}")
        if len(inspect.signature(target, follow_wrapped=False).parameters) != 1:
            raise DeclarationError(f"{where}: an endpoint takes one argument, the request")
        declare_behaviour(target.__module__, EndpointMeta(
            path=path, methods=tuple(methods), callable=target, max_body=max_body))
        return target
    return decorate
