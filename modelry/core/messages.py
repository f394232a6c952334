"""Messages for the caller: business code reports what happened below the ERROR level.

    from modelry import messages
    messages.success("Shop closed", model="demo.PetShop")

Inside a GraphQL request they travel in `extensions.messages` (shown from the request's
`msgLevel` up); errors become ERROR messages by themselves. Outside a request (back-end
code, scripts) there is nobody to tell: they are logged at DEBUG and dropped.
"""
from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from modelry.core.scoped import setting

log = logging.getLogger("modelry.messages")
_sink: ContextVar[list[dict[str, Any]] | None] = ContextVar("modelry_messages", default=None)


def _say(level: str, message: str, code: str | None, model: str | None,
         field: str | None) -> None:
    entry = {"level": level, "message": str(message), "code": code, "model": model,
             "field": field, "path": None}
    sink = _sink.get()
    if sink is None:
        log.debug("message outside a request: %s", entry)
    else:
        sink.append(entry)


def debug(message: str, *, code: str | None = None, model: str | None = None,
          field: str | None = None) -> None:
    """A DEBUG message for the caller."""
    _say("DEBUG", message, code, model, field)


def info(message: str, *, code: str | None = None, model: str | None = None,
         field: str | None = None) -> None:
    """An INFO message for the caller."""
    _say("INFO", message, code, model, field)


def success(message: str, *, code: str | None = None, model: str | None = None,
            field: str | None = None) -> None:
    """A SUCCESS message for the caller."""
    _say("SUCCESS", message, code, model, field)


def warn(message: str, *, code: str | None = None, model: str | None = None,
         field: str | None = None) -> None:
    """A WARN message for the caller."""
    _say("WARN", message, code, model, field)


def collecting(sink: list[dict[str, Any]]) -> setting[list[dict[str, Any]] | None]:
    """Messages said inside the block go to `sink`."""
    return setting(_sink, sink)
