"""Which request bodies `POST /graphql` reads: JSON only, so browsers must ask first.

A browser sends a cross-site POST without a CORS preflight only when its `Content-Type`
is one of the "simple" types (`text/plain`, `application/x-www-form-urlencoded`,
`multipart/form-data`). Reading such a body as JSON would let any web page make its
visitor's browser send mutations, so every type but JSON is refused (HTTP 415).

The GraphQL-over-HTTP spec recognises `application/json` for requests, UTF-8 when no
charset is given, and lets a server refuse a POST without a `Content-Type` (we do).
`application/graphql-response+json` is the spec's response type; a few clients send it
as the request type too, and it is no "simple" type, so it is read as JSON as well.
"""
from __future__ import annotations

from modelry.core.graphql.protocol import ProtocolError

JSON_TYPES = ("application/json", "application/graphql-response+json")
CHARSETS = ("utf-8", "utf8")


def check_request_type(content_type: str | None) -> None:
    """Nothing when a POST body of `content_type` may be read as JSON; else ProtocolError
    (UNSUPPORTED_MEDIA_TYPE, 415)."""
    if not content_type or not content_type.strip():
        raise _unsupported("a POST needs the header Content-Type: application/json")
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    if media_type.lower() not in JSON_TYPES:
        raise _unsupported(f"Content-Type {media_type[:100]!r} is not accepted: send the body "
                           "as application/json")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in CHARSETS:
            raise _unsupported(f"charset {charset[:40]!r} is not accepted: send UTF-8")


def _unsupported(message: str) -> ProtocolError:
    return ProtocolError(message, "UNSUPPORTED_MEDIA_TYPE", 415)
