"""A supplier's API declared as data (issue 17): the field mapping an operator edits, so that
connecting a new supplier needs no code. Pure: no I/O, no clock, no database.

A mapping is a JSON object of sections:

- ``submit`` and ``query`` (``query`` optional): the request to send. ``method`` (GET or
  POST), ``url``, ``encoding`` (``json`` or ``form``; GET sends its fields in the query
  string, so it is ``form``, the default for GET; POST defaults to ``json``), ``headers``
  and ``fields`` (name → template), and ``sign`` (below).
- ``submit_response`` and ``query_response``: how to read the supplier's answer.
  ``status`` is a dotted path into the JSON answer (``data.items.0.code``: keys of objects,
  indexes of lists); ``succeeded``, ``pending`` and ``failed`` list the statuses of each
  kind; ``reference`` (the supplier's own order id) and ``message`` are optional paths.
  A status in none of the lists is UNKNOWN: never guessed to be a failure, since an order
  that a supplier may still fulfil must not be refunded.
- ``callback`` (optional): the supplier's notification. ``order`` is the path of our
  order number, then ``status``, the lists, ``reference`` and ``message`` as in a
  response, a ``sign`` to verify, and ``ack`` (the text to answer it with, default
  ``success``). A callback without ``sign`` proves nothing: confirm it with a query.

Templates are text with placeholders: ``"{supplier.endpoint}/recharge"``; ``{{`` and
``}}`` write a brace. The placeholders are `PLACEHOLDERS`; a callback's ``sign.secret``
may use ``{supplier.secret}`` only. The context that renders them is a mapping, flat
(``{"order.number": ...}``) or nested (``{"order": {"number": ...}}``, or objects with
those attributes, such as model rows); ``now.unix`` and ``now.iso`` come from an aware
datetime ``now`` in the context when they are not given. Decimals render without exponent
(``Decimal("50.00")`` is ``50.00``).

``sign``: ``scheme`` is ``md5_sorted`` (md5 hex of ``k1=v1&k2=v2…&key=SECRET`` over the
non-empty fields sorted by name, without the sign field and the names in ``exclude``),
``hmac_sha256_sorted`` (hex HMAC-SHA256 under SECRET of the same text without ``&key=``)
or ``none``; ``field`` names the field that carries the signature, ``secret`` is a
template (``{supplier.secret}``), ``uppercase`` (default false) sends the digest in
capitals; a callback's digest is compared in constant time, in either case.

`check` (from `mapping_check`) names every problem of a mapping, for the operator who
saves it; `prepare`, `dry_run`, `read_response` and `read_callback` check the section they
use and refuse it with MAPPING_INVALID naming the first bad path.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import quote_plus, urlencode

from modelry import ModelryError
from modelry.modules.channel.mapping_check import (  # noqa: F401  (part of this API)
    CALLBACK_PLACEHOLDERS, PLACEHOLDERS, REQUEST_PARTS, RESPONSE_PARTS, SECTIONS, check,
    parse_template, section_problems)

# Codes of MappingError.
MAPPING_INVALID = "MAPPING_INVALID"                # the section used is not a valid mapping
PLACEHOLDER_MISSING = "PLACEHOLDER_MISSING"        # the context has no value for a placeholder
CALLBACK_BAD_SIGNATURE = "CALLBACK_BAD_SIGNATURE"  # a declared signature missing or forged
CALLBACK_MALFORMED = "CALLBACK_MALFORMED"          # no order number where the mapping says

# Statuses of a SupplierOutcome.
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
PENDING = "PENDING"
UNKNOWN = "UNKNOWN"      # the supplier's status is in none of the declared lists

MASK = "****"
DEFAULT_ACK = "success"
SUPPLIER_MODEL = "channel.Supplier"

_KINDS = ((SUCCEEDED, "succeeded"), (FAILED, "failed"), (PENDING, "pending"))
_MISSING = object()


class MappingError(ModelryError):
    """A supplier mapping cannot be used as asked; `code` says why and `field` is the path
    in the mapping (``submit.fields.mobile``) when there is one."""

    code = MAPPING_INVALID

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, code=code, model=SUPPLIER_MODEL, field=field)


@dataclass(frozen=True)
class PreparedRequest:
    """An HTTP request to send to a supplier, rendered and signed; `fields` are the values
    in the body (or, for GET, in the query string of `url`), the signature included."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    fields: dict[str, str]


@dataclass(frozen=True)
class SupplierOutcome:
    """What a supplier's answer or callback says: `status` one of SUCCEEDED, FAILED,
    PENDING, UNKNOWN; `raw_status` as the supplier wrote it."""

    status: str
    reference: str | None
    message: str | None
    raw_status: str | None


def _valid(mapping: Mapping, part: str, parts: tuple[str, ...]) -> Mapping[str, Any]:
    """The section `part` of `mapping`, checked; MappingError naming its first problem."""
    if part not in parts:
        raise MappingError(MAPPING_INVALID, f"part {part!r} is not {' or '.join(parts)}")
    if not isinstance(mapping, Mapping) or part not in mapping:
        raise MappingError(MAPPING_INVALID, f"{part}: missing from the supplier's mapping",
                           field=part)
    problems = section_problems(part, mapping[part])
    if problems:
        raise MappingError(MAPPING_INVALID, "; ".join(f"{path}: {problem}"
                                                      for path, problem in problems),
                           field=problems[0][0])
    return mapping[part]


# -- requests ----------------------------------------------------------------------------

def prepare(mapping: Mapping, part: str, context: Mapping[str, Any]) -> PreparedRequest:
    """The `part` ("submit" or "query") request of `mapping`, rendered from `context`,
    signed and encoded; MappingError MAPPING_INVALID or PLACEHOLDER_MISSING naming the path."""
    return _prepare(mapping, part, context)[0]


def dry_run(mapping: Mapping, part: str, context: Mapping[str, Any]) -> dict[str, Any]:
    """What `prepare` would send, as plain data for an operator's preview, with every
    secret shown as "****" (in the URL, headers, fields, body and the signed text)."""
    request, secret, signed = _prepare(mapping, part, context)
    known = _lookup(context, "supplier.secret")
    hidden = [text for text in (secret, None if known is _MISSING else _text(known)) if text]
    forms = {form for text in hidden for form in (text, quote_plus(text),
                                                  json.dumps(text)[1:-1])}
    ordered = sorted(forms, key=len, reverse=True)

    def mask(text: str) -> str:
        for form in ordered:
            text = text.replace(form, MASK)
        return text

    return {"method": request.method, "url": mask(request.url),
            "headers": {name: mask(value) for name, value in request.headers.items()},
            "fields": {name: mask(value) for name, value in request.fields.items()},
            "body": mask(request.body.decode("utf-8")),
            "signed_text": None if signed is None else mask(signed)}


def _prepare(mapping: Mapping, part: str,
             context: Mapping[str, Any]) -> tuple[PreparedRequest, str | None, str | None]:
    """The request, the secret it was signed with, and the text signed (before the key)."""
    spec = _valid(mapping, part, REQUEST_PARTS)
    method = spec["method"]
    encoding = spec.get("encoding") or ("form" if method == "GET" else "json")
    url = _render(f"{part}.url", spec["url"], context)
    if not url.startswith(("http://", "https://", "sandbox://")):   # sandbox: in process
        raise MappingError(MAPPING_INVALID, f"{part}.url: renders to {url!r}, not an http(s) "
                           "URL", field=f"{part}.url")
    headers = {name: _render(f"{part}.headers.{name}", template, context)
               for name, template in spec.get("headers", {}).items()}
    for name, value in headers.items():
        if "\r" in value or "\n" in value:
            raise MappingError(MAPPING_INVALID, f"{part}.headers.{name}: renders to a value "
                               "with a line break", field=f"{part}.headers.{name}")
    fields = {name: _render(f"{part}.fields.{name}", template, context)
              for name, template in spec["fields"].items()}
    secret = signed = None
    sign = spec.get("sign")
    if sign is not None and sign["scheme"] != "none":
        secret = _render(f"{part}.sign.secret", sign["secret"], context)
        if not secret:
            raise MappingError(MAPPING_INVALID, f"{part}.sign.secret: renders empty; a "
                               "signature needs the supplier's secret",
                               field=f"{part}.sign.secret")
        signed = sorted_text(fields, sign["field"], sign.get("exclude", ()))
        fields[sign["field"]] = _digest(sign, signed, secret)
        if sign["scheme"] == "md5_sorted":
            signed = _with_key(signed, secret)
    if method == "GET":
        if fields:
            url += ("&" if "?" in url else "?") + urlencode(fields)
        body = b""
    elif encoding == "json":
        body = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        _default_header(headers, "Content-Type", "application/json")
    else:
        body = urlencode(fields).encode("ascii")
        _default_header(headers, "Content-Type", "application/x-www-form-urlencoded")
    return PreparedRequest(method, url, headers, body, fields), secret, signed


def _default_header(headers: dict[str, str], name: str, value: str) -> None:
    if all(key.lower() != name.lower() for key in headers):
        headers[name] = value


def sorted_text(fields: Mapping[str, Any], sign_field: str,
                exclude: Collection[str] = ()) -> str:
    """The text a `*_sorted` scheme signs: "k1=v1&k2=v2…" over the non-empty fields sorted
    by name, without `sign_field` and the names in `exclude`."""
    pairs = []
    for name in sorted(fields):
        value = _scalar(fields[name])
        if value and name != sign_field and name not in exclude:
            pairs.append(f"{name}={value}")
    return "&".join(pairs)


def _with_key(text: str, secret: str) -> str:
    return f"{text}&key={secret}" if text else f"key={secret}"


def _digest(sign: Mapping[str, Any], text: str, secret: str) -> str:
    if sign["scheme"] == "md5_sorted":
        digest = hashlib.md5(_with_key(text, secret).encode("utf-8")).hexdigest()
    else:
        digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"),
                          hashlib.sha256).hexdigest()
    return digest.upper() if sign.get("uppercase", False) else digest


def _render(path: str, template: str, context: Mapping[str, Any]) -> str:
    out = []
    for is_placeholder, text in parse_template(template):
        if not is_placeholder:
            out.append(text)
            continue
        value = _lookup(context, text)
        if value is _MISSING:
            raise MappingError(PLACEHOLDER_MISSING, f"{path}: no value for {{{text}}} in "
                               "the context", field=path)
        out.append(_text(value))
    return "".join(out)


def _lookup(context: Mapping[str, Any], name: str) -> Any:
    """The value of placeholder `name` in `context` (flat or nested), or _MISSING."""
    value = _walk(context, name, attributes=True)
    if value is _MISSING and name in ("now.unix", "now.iso"):
        now = context.get("now")
        if isinstance(now, datetime) and now.tzinfo is not None:
            value = int(now.timestamp()) if name == "now.unix" else now.isoformat()
    return _MISSING if value is None else value


def _walk(data: Any, path: str, *, attributes: bool = False) -> Any:
    """The value at dotted `path` in `data` (keys, list indexes, and with `attributes`
    also attributes of objects), or _MISSING; a key equal to the whole path comes first."""
    if isinstance(data, Mapping) and path in data:
        return data[path]
    node = data
    for step in path.split("."):
        if isinstance(node, Mapping):
            node = node.get(step, _MISSING)
        elif isinstance(node, (list, tuple)):
            index = int(step) if step.isascii() and step.isdigit() else len(node)
            node = node[index] if index < len(node) else _MISSING
        elif attributes and not isinstance(node, (str, bytes, int, float, Decimal)):
            node = getattr(node, step, _MISSING)
        else:
            return _MISSING
        if node is _MISSING:
            return _MISSING
    return node


def _text(value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _scalar(value: Any) -> str | None:
    """`value` as text when it is a scalar (not missing, None, an object or a list)."""
    if value is _MISSING or value is None or isinstance(value, (Mapping, list, tuple)):
        return None
    return _text(value)


# -- answers and callbacks ---------------------------------------------------------------

def read_response(mapping: Mapping, part: str, payload: Mapping) -> SupplierOutcome:
    """What the supplier's answer `payload` (parsed JSON) to a request says, read by the
    `part` ("submit_response" or "query_response") of `mapping`."""
    return _outcome(_valid(mapping, part, RESPONSE_PARTS), payload)


def read_callback(mapping: Mapping, fields: Mapping[str, str],
                  secret: str) -> tuple[str, SupplierOutcome]:
    """The order number and outcome a supplier's callback `fields` report; when the mapping
    declares a signature, it is verified first under `secret` (the supplier's secret):
    MappingError CALLBACK_BAD_SIGNATURE if missing or wrong, CALLBACK_MALFORMED without an
    order number."""
    spec = _valid(mapping, "callback", ("callback",))
    sign = spec.get("sign")
    if sign is not None and sign["scheme"] != "none":
        key = _render("callback.sign.secret", sign["secret"], {"supplier.secret": secret})
        if not key:
            raise MappingError(MAPPING_INVALID, "callback.sign.secret: renders empty; a "
                               "signature needs the supplier's secret",
                               field="callback.sign.secret")
        given = fields.get(sign["field"])
        if not isinstance(given, str) or not given:
            raise MappingError(CALLBACK_BAD_SIGNATURE, f"callback lacks its signature field "
                               f"{sign['field']!r}", field=sign["field"])
        expected = _digest(sign, sorted_text(fields, sign["field"], sign.get("exclude", ())),
                           key)
        if not hmac.compare_digest(expected.lower().encode(),
                                   given.lower().encode("utf-8", "replace")):
            raise MappingError(CALLBACK_BAD_SIGNATURE, f"callback field {sign['field']!r} "
                               "does not match its fields (forged, altered, or the wrong "
                               "secret)", field=sign["field"])
    order = _scalar(_walk(fields, spec["order"]))
    if not order:
        raise MappingError(CALLBACK_MALFORMED, f"callback has no order number at "
                           f"{spec['order']!r}", field=spec["order"])
    return order, _outcome(spec, fields)


def callback_ack(mapping: Mapping) -> str:
    """The text to answer a supplier's accepted callback with (its ``ack``, or "success")."""
    return _valid(mapping, "callback", ("callback",)).get("ack", DEFAULT_ACK)


def _outcome(spec: Mapping[str, Any], data: Any) -> SupplierOutcome:
    raw = _scalar(_walk(data, spec["status"]))
    status = UNKNOWN
    for kind, name in _KINDS:
        if raw is not None and raw in {str(value) for value in spec.get(name, [])}:
            status = kind
    reference = _scalar(_walk(data, spec["reference"])) if "reference" in spec else None
    message = _scalar(_walk(data, spec["message"])) if "message" in spec else None
    return SupplierOutcome(status, reference or None, message or None, raw)
