"""What resolvers get as `info.context` for one request."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class GraphQLSettings:
    """Limits and switches of the GraphQL endpoint (from the `server:` config)."""

    max_page_size: int = 1000
    default_page_size: int = 20
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_body_bytes: int = 1_000_000
    introspection: bool = True
    graphiql: bool = True
    compiled: bool = True
    json_in_database: bool = True  # on PostgreSQL, the compiled path's SQL builds the JSON
    # on PostgreSQL, compiled reads are answered in the event loop (http/direct/)
    direct_reads: bool = True
    # caches of checked documents, templates and plans: the document text each may hold,
    # and the size above which a document is checked anew every time (lru.py says why)
    document_cache_bytes: int = 64_000
    max_cached_document_bytes: int = 16_000


@dataclass
class RequestContext:
    """Per request: the app, the settings, and messages for `extensions.messages`."""

    app: Any
    settings: GraphQLSettings
    messages: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = None  # the request's bearer token (logout revokes it)
