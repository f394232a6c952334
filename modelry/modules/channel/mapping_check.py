"""Checking a supplier mapping (see `mapping` for its format): every problem, each named by
its path in the mapping, so that an operator can fix them all at once."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

PLACEHOLDERS = frozenset({
    "order.number", "order.target", "order.amount", "order.currency", "order.product",
    "supplier.endpoint", "supplier.account", "supplier.secret", "channel.code",
    "now.unix", "now.iso"})
CALLBACK_PLACEHOLDERS = frozenset({"supplier.secret"})
REQUEST_PARTS = ("submit", "query")
RESPONSE_PARTS = ("submit_response", "query_response")
SECTIONS = (*REQUEST_PARTS, *RESPONSE_PARTS, "callback")
METHODS = ("GET", "POST")
ENCODINGS = ("json", "form")
SCHEMES = ("md5_sorted", "hmac_sha256_sorted", "none")
STATUS_LISTS = ("succeeded", "failed", "pending")
_REQUEST_KEYS = ("method", "url", "encoding", "headers", "fields", "sign")
_SIGN_KEYS = ("scheme", "field", "secret", "uppercase", "exclude")
_RESPONSE_KEYS = ("status", "succeeded", "pending", "failed", "reference", "message")
_CALLBACK_KEYS = ("order", *_RESPONSE_KEYS, "sign", "ack")
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")

Problems = list[tuple[str, str]]    # (path in the mapping, what is wrong there)


def check(mapping: Mapping) -> list[str]:
    """Every problem of `mapping`, each as "path: problem"; [] when it is valid."""
    if not isinstance(mapping, Mapping):
        return ["mapping: not an object of sections"]
    problems: Problems = []
    for name in mapping:
        if name not in SECTIONS:
            problems.append((str(name), f"unknown section (known: {', '.join(SECTIONS)})"))
    for name in ("submit", "submit_response"):
        if name not in mapping:
            problems.append((name, "missing"))
    for request, response in zip(REQUEST_PARTS, RESPONSE_PARTS):
        if request in mapping and response not in mapping:
            problems.append((response, f"missing (needed to read the answer to {request})"))
        if response in mapping and request not in mapping:
            problems.append((request, f"missing ({response} is declared)"))
    for name in SECTIONS:
        if name in mapping:
            problems.extend(_CHECKERS[name](name, mapping[name]))
    return [f"{path}: {problem}" for path, problem in problems]


def _check_request(path: str, spec: Any) -> Problems:
    if not isinstance(spec, Mapping):
        return [(path, "not an object")]
    problems = _unknown_keys(path, spec, _REQUEST_KEYS)
    method = spec.get("method")
    problems.extend(_choice(f"{path}.method", method, METHODS))
    encoding = spec.get("encoding")
    if encoding is not None and encoding not in ENCODINGS:
        problems.extend(_choice(f"{path}.encoding", encoding, ENCODINGS))
    elif method == "GET" and encoding == "json":
        problems.append((f"{path}.encoding", "GET sends its fields in the query string: "
                         "use form"))
    if "url" not in spec:
        problems.append((f"{path}.url", "missing"))
    else:
        problems.extend(_check_template(f"{path}.url", spec["url"], PLACEHOLDERS))
    if "headers" in spec:
        problems.extend(_check_templates(f"{path}.headers", spec["headers"]))
    problems.extend(_check_templates(f"{path}.fields", spec.get("fields")))
    if "sign" in spec:
        fields = spec.get("fields") if isinstance(spec.get("fields"), Mapping) else {}
        problems.extend(_check_sign(f"{path}.sign", spec["sign"], PLACEHOLDERS, fields))
    return problems


def _check_templates(path: str, spec: Any) -> Problems:
    if not isinstance(spec, Mapping):
        return [(path, "missing" if spec is None else "not an object of name → template")]
    problems: Problems = []
    for name, template in spec.items():
        if not isinstance(name, str) or not name.strip():
            problems.append((f"{path}.{name}", "a name must be non-empty text"))
        else:
            problems.extend(_check_template(f"{path}.{name}", template, PLACEHOLDERS))
    return problems


def _check_sign(path: str, spec: Any, allowed: frozenset[str],
                fields: Mapping[str, Any]) -> Problems:
    if not isinstance(spec, Mapping):
        return [(path, "not an object")]
    problems = _unknown_keys(path, spec, _SIGN_KEYS)
    scheme = spec.get("scheme")
    problems.extend(_choice(f"{path}.scheme", scheme, SCHEMES))
    if scheme in (None, "none"):
        return problems
    field = spec.get("field")
    if not isinstance(field, str) or not field:
        problems.append((f"{path}.field", "missing: the field that carries the signature"))
    elif field in fields:
        problems.append((f"{path}.field", f"{field!r} is also a declared field; the "
                         "signature is added to the fields"))
    if "secret" not in spec:
        problems.append((f"{path}.secret", "missing (such as \"{supplier.secret}\")"))
    else:
        problems.extend(_check_template(f"{path}.secret", spec["secret"], allowed))
    if not isinstance(spec.get("uppercase", False), bool):
        problems.append((f"{path}.uppercase", "not true or false"))
    exclude = spec.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(name, str) for name in exclude):
        problems.append((f"{path}.exclude", "not a list of field names"))
    return problems


def _check_response(path: str, spec: Any, keys: tuple[str, ...] = _RESPONSE_KEYS) -> Problems:
    if not isinstance(spec, Mapping):
        return [(path, "not an object")]
    problems = _unknown_keys(path, spec, keys)
    problems.extend(_check_path(f"{path}.status", spec.get("status")))
    for name in ("reference", "message"):
        if name in spec:
            problems.extend(_check_path(f"{path}.{name}", spec[name]))
    seen: dict[str, str] = {}
    for name in STATUS_LISTS:
        values = spec.get(name, [])
        if not isinstance(values, list) or not all(
                isinstance(value, (str, int)) and not isinstance(value, bool)
                for value in values):
            problems.append((f"{path}.{name}", "not a list of statuses (text or integers)"))
            continue
        for value in values:
            text = str(value)
            if text in seen and seen[text] != name:
                problems.append((f"{path}.{name}", f"{text!r} is also in {path}.{seen[text]}"))
            seen.setdefault(text, name)
    if not seen:
        problems.append((path, "declares no status in succeeded, pending or failed"))
    return problems


def _check_callback(path: str, spec: Any) -> Problems:
    problems = _check_response(path, spec, _CALLBACK_KEYS)
    if not isinstance(spec, Mapping):
        return problems
    problems.extend(_check_path(f"{path}.order", spec.get("order")))
    if "sign" in spec:
        problems.extend(_check_sign(f"{path}.sign", spec["sign"], CALLBACK_PLACEHOLDERS, {}))
    if "ack" in spec and not isinstance(spec["ack"], str):
        problems.append((f"{path}.ack", "not text"))
    return problems


_CHECKERS: dict[str, Callable[[str, Any], Problems]] = {
    "submit": _check_request, "query": _check_request, "submit_response": _check_response,
    "query_response": _check_response, "callback": _check_callback}


def _unknown_keys(path: str, spec: Mapping, keys: tuple[str, ...]) -> Problems:
    return [(f"{path}.{key}", f"unknown key (known: {', '.join(keys)})")
            for key in spec if key not in keys]


def _choice(path: str, value: Any, choices: tuple[str, ...]) -> Problems:
    if value in choices:
        return []
    return [(path, "missing" if value is None else
             f"{value!r} is not one of {', '.join(choices)}")]


def _check_path(path: str, value: Any) -> Problems:
    if value is None:
        return [(path, "missing")]
    if not isinstance(value, str) or not value or "" in value.split("."):
        return [(path, f"{value!r} is not a dotted path such as \"data.code\"")]
    return []


def _check_template(path: str, template: Any, allowed: frozenset[str]) -> Problems:
    if not isinstance(template, str):
        return [(path, "not text (a template such as \"{order.number}\")")]
    try:
        parts = parse_template(template)
    except ValueError as exc:
        return [(path, str(exc))]
    known = ", ".join(f"{{{name}}}" for name in sorted(allowed))
    return [(path, f"unknown placeholder {{{text}}} (known: {known})")
            for is_placeholder, text in parts if is_placeholder and text not in allowed]


def parse_template(template: str) -> list[tuple[bool, str]]:
    """The template as (is_placeholder, text) parts; ValueError for a lone brace."""
    parts: list[tuple[bool, str]] = []
    start = 0
    for match in _TOKEN.finditer(template):
        if match.start() > start:
            parts.append((False, template[start:match.start()]))
        token = match.group(0)
        if token in ("{{", "}}"):
            parts.append((False, token[0]))
        elif match.group(1) is not None:
            parts.append((True, match.group(1)))
        else:
            raise ValueError(f"lone {token!r} at character {match.start()} "
                             "(write {{ or }} for a brace)")
        start = match.end()
    if start < len(template):
        parts.append((False, template[start:]))
    return parts


def section_problems(name: str, spec: Any) -> Problems:
    """The problems of section `name` (one of SECTIONS) of a mapping, as (path, problem)."""
    return _CHECKERS[name](name, spec)
