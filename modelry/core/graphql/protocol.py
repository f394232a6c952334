"""Oinone's protocol: request body and `requestStrategy`, errors as messages, the envelope."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError

from modelry.core.graphql.failures import report_unexpected
from modelry.errors import ModelryError, ValidationFailed

LEVELS = ("DEBUG", "INFO", "SUCCESS", "WARN", "ERROR")
CHECK_STRATEGIES = ("RETURN_WHEN_COMPLETED", "RETURN_WHEN_ERROR")


class ProtocolError(Exception):
    """A request the endpoint cannot run (bad JSON, wrong shape); HTTP 400."""

    def __init__(self, message: str, code: str = "BAD_REQUEST", status: int = 400) -> None:
        super().__init__(message)
        self.message, self.code, self.status = message, code, status


@dataclass(frozen=True)
class RequestStrategy:
    """`variables.requestStrategy` (alias `variables.oio`)."""

    check_strategy: str = "RETURN_WHEN_COMPLETED"
    msg_level: str = "ERROR"
    only_validate: bool = False


@dataclass
class GraphQLRequest:
    """A parsed request body."""

    query: str
    variables: dict[str, Any]
    operation_name: str | None
    strategy: RequestStrategy


def parse_request(body: bytes | dict[str, Any]) -> GraphQLRequest:
    """Read `{query, variables, operationName}`; ProtocolError for anything malformed."""
    if isinstance(body, (bytes, bytearray)):
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            raise ProtocolError(f"the body is not valid JSON: {error}", "BAD_JSON") from None
    else:
        payload = body
    if not isinstance(payload, dict):
        raise ProtocolError("the body must be a JSON object with a 'query'", "BAD_REQUEST")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ProtocolError("'query' must be a non-empty string", "BAD_REQUEST")
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        raise ProtocolError("'variables' must be a JSON object", "BAD_REQUEST")
    operation = payload.get("operationName")
    if operation is not None and not isinstance(operation, str):
        raise ProtocolError("'operationName' must be a string", "BAD_REQUEST")
    raw = variables.pop("requestStrategy", None) or variables.pop("oio", None) or {}
    return GraphQLRequest(query, variables, operation, _strategy(raw))


DEFAULT_STRATEGY = RequestStrategy()  # most requests send none


def _strategy(raw: Any) -> RequestStrategy:
    if not raw and isinstance(raw, dict):
        return DEFAULT_STRATEGY
    if not isinstance(raw, dict):
        raise ProtocolError("requestStrategy must be an object", "BAD_STRATEGY")
    strategy = RequestStrategy(
        check_strategy=str(raw.get("checkStrategy") or "RETURN_WHEN_COMPLETED").upper(),
        msg_level=str(raw.get("msgLevel") or "ERROR").upper(),
        only_validate=bool(raw.get("onlyValidate", False)))
    if strategy.check_strategy not in CHECK_STRATEGIES:
        raise ProtocolError(f"checkStrategy must be one of {', '.join(CHECK_STRATEGIES)}",
                            "BAD_STRATEGY")
    if strategy.msg_level not in LEVELS:
        raise ProtocolError(f"msgLevel must be one of {', '.join(LEVELS)}", "BAD_STRATEGY")
    return strategy


def _message(level: str, message: str, code: str, model: Any = None, field: Any = None,
             path: Any = None) -> dict[str, Any]:
    return {"level": level, "message": message, "code": code, "model": model, "field": field,
            "path": path}


def error_messages(error: GraphQLError) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A GraphQL error for the client (never a stack trace) and its messages."""
    original = error.original_error
    path = list(error.path) if error.path else None
    if isinstance(original, ValidationFailed):
        messages = [_message("ERROR", f"{e['model']}.{e['field']}: {e['message']}", e["code"],
                             e["model"], e["field"], path) for e in original.errors]
        code, text, model, field = original.code, original.message, original.model, None
    elif isinstance(original, ModelryError):
        code, text = original.code, original.message
        model, field = original.model, original.field
        messages = [_message("ERROR", text, code, model, field, path)]
    elif original is None or isinstance(original, GraphQLError):
        # A GraphQLError wrapping another is graphql-core refusing the client's input (a
        # variable of the wrong type has no path), not a server fault.
        code = "BAD_VARIABLES" if isinstance(original, GraphQLError) and path is None \
            else "GRAPHQL_ERROR"
        text, model, field = error.message.partition(" Did you mean")[0], None, None
        messages = [_message("ERROR", text, code, path=path)]
    else:  # logged without the SQL a database error carries
        failure = report_unexpected(original, path)
        code, text, model, field = failure.code, failure.message, None, None
        messages = [_message("ERROR", text, code, path=path)]
    entry: dict[str, Any] = {"message": text, "path": path,
                             "extensions": {"code": code, "errorCode": code, "level": "ERROR",
                                            "model": model, "field": field}}
    if isinstance(original, ModelryError) and getattr(original, "position", None) is not None:
        entry["extensions"]["position"] = original.position
        for message in messages:  # as RsqlError.to_dict gives it: where in the RSQL text
            message["position"] = original.position
    if error.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    return entry, messages


def envelope(data: Any, errors: list[dict[str, Any]], messages: list[dict[str, Any]],
             strategy: RequestStrategy) -> dict[str, Any]:
    """`{data, errors?, extensions: {success, messages}}` with messages at or above msgLevel."""
    floor = LEVELS.index(strategy.msg_level)
    shown = [m for m in messages if LEVELS.index(m.get("level", "ERROR")) >= floor]
    if strategy.check_strategy == "RETURN_WHEN_ERROR":
        first_error = next((i for i, m in enumerate(shown) if m["level"] == "ERROR"), None)
        if first_error is not None:
            shown = shown[:first_error + 1]
            errors = errors[:1]
    result: dict[str, Any] = {"data": data}
    if errors:
        result["errors"] = errors
    result["extensions"] = {"success": not errors, "messages": shown}
    return result


def protocol_error_body(error: ProtocolError) -> dict[str, Any]:
    """The envelope for a request that could not run at all."""
    entry = {"message": error.message, "extensions": {"code": error.code, "level": "ERROR"}}
    return envelope(None, [entry], [_message("ERROR", error.message, error.code)],
                    RequestStrategy())
