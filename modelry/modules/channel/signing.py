"""Signed merchant requests: the pure part of the channel module's merchant API (issue 17).

A merchant holds a key id (``mk_…``) and a 32-byte secret, shown to it once as url-safe
base64 (`secret_text`). It signs every request with four headers:

- `X-Key-Id`: its key id;
- `X-Timestamp`: Unix seconds when it signed;
- `X-Nonce`: 8 to 64 characters of ``[A-Za-z0-9_-]``, new for every request;
- `X-Signature`: the lowercase hex HMAC-SHA256, under the secret, of
  ``f"{key_id}\\n{timestamp}\\n{nonce}\\n".encode() + body``.

The body is the exact bytes sent; `canonical_body` gives the form a client should send
(JSON, keys sorted, no spaces, UTF-8, decimals as plain strings) so that two clients of the
same request sign the same bytes. `verify` accepts a timestamp only within `window` seconds
of its `now`, either side, and compares digests in constant time.

Replay protection is not done here: a captured request replayed *inside* the window
verifies. The caller must store the nonce of every accepted request under a unique
(key id, nonce) constraint, inside the transaction that accepts it, and refuse the request
whose insert conflicts; nonces older than the window can then be deleted, since their
requests no longer verify.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from modelry import ModelryError

KEY_HEADER = "X-Key-Id"
TIMESTAMP_HEADER = "X-Timestamp"
NONCE_HEADER = "X-Nonce"
SIGNATURE_HEADER = "X-Signature"
DEFAULT_WINDOW = 300                     # seconds, either side of the verifier's clock
KEY_PREFIX = "mk_"

# Codes of SignatureError.
SIGNATURE_MISSING = "SIGNATURE_MISSING"  # a signing header is absent or empty
KEY_UNKNOWN = "KEY_UNKNOWN"              # no merchant key with that id
TIMESTAMP_INVALID = "TIMESTAMP_INVALID"  # not a whole number of seconds
TIMESTAMP_OUTSIDE_WINDOW = "TIMESTAMP_OUTSIDE_WINDOW"
NONCE_INVALID = "NONCE_INVALID"          # not 8-64 characters of [A-Za-z0-9_-]
SIGNATURE_INVALID = "SIGNATURE_INVALID"  # the digest does not match: forged or altered
BODY_INVALID = "BODY_INVALID"            # canonical_body: a value JSON cannot carry
SECRET_INVALID = "SECRET_INVALID"        # secret_bytes: not url-safe base64
IP_RANGE_INVALID = "IP_RANGE_INVALID"    # ip_allowed: a range that is not an address or CIDR

MERCHANT_MODEL = "channel.Merchant"
_NONCE = re.compile(r"[A-Za-z0-9_-]{8,64}")
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]*")
_MAX_TIMESTAMP_DIGITS = 18


class SignatureError(ModelryError):
    """A merchant request's signature is refused, or signing material is invalid; `code`
    says why and `field` names the header concerned."""

    code = SIGNATURE_INVALID

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, code=code, model=MERCHANT_MODEL, field=field)


@dataclass(frozen=True)
class Signed:
    """Who signed a verified request, when, and with which nonce (for the replay check)."""

    key_id: str
    timestamp: int
    nonce: str


def canonical_body(value: Mapping[str, Any]) -> bytes:
    """The canonical JSON bytes of `value`: keys sorted, no spaces, UTF-8, decimals as
    plain strings without exponent ("1E+2" is "100"); SignatureError for other values."""
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise SignatureError(BODY_INVALID, f"request body cannot be signed: {exc}") from None
    return text.encode("utf-8")


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"decimal {value} is not finite")
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} {value!r} is not a JSON value")


def signature(secret: bytes, key_id: str, timestamp: int, nonce: str, body: bytes) -> str:
    """The lowercase hex HMAC-SHA256 of key id, timestamp and nonce (one per line), then
    the body."""
    message = f"{key_id}\n{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def sign_headers(secret: bytes, key_id: str, body: bytes, *, timestamp: int | None = None,
                 nonce: str | None = None,
                 clock: Callable[[], float] = time.time) -> dict[str, str]:
    """The four headers that sign `body`, at `timestamp` (default: `clock()`) with `nonce`
    (default: a new random one)."""
    stamp = int(clock()) if timestamp is None else timestamp
    once = secrets.token_urlsafe(16) if nonce is None else nonce
    return {KEY_HEADER: key_id, TIMESTAMP_HEADER: str(stamp), NONCE_HEADER: once,
            SIGNATURE_HEADER: signature(secret, key_id, stamp, once, body)}


def verify(headers: Mapping[str, str], body: bytes, secret_of: Callable[[str], bytes | None],
           *, now: int, window: int = DEFAULT_WINDOW) -> Signed:
    """The signer of a request whose headers sign `body` within `window` seconds of `now`;
    SignatureError otherwise. `secret_of` gives a key id's secret, or None if unknown.

    Cheap checks come before `secret_of` (usually a database read). A replay inside the
    window is not detected here: see the module docstring.
    """
    values = {}
    for name in (KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER):
        value = _header(headers, name)
        if not value:
            raise SignatureError(SIGNATURE_MISSING,
                                 f"signed request lacks header {name}", field=name)
        values[name] = value
    key_id, stamp = values[KEY_HEADER], values[TIMESTAMP_HEADER]
    nonce, given = values[NONCE_HEADER], values[SIGNATURE_HEADER]
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= _MAX_TIMESTAMP_DIGITS):
        raise SignatureError(TIMESTAMP_INVALID, f"header {TIMESTAMP_HEADER} {stamp[:40]!r} "
                             f"is not Unix seconds", field=TIMESTAMP_HEADER)
    timestamp = int(stamp)
    if not _NONCE.fullmatch(nonce):
        raise SignatureError(NONCE_INVALID, f"header {NONCE_HEADER} {nonce[:80]!r} is not "
                             f"8 to 64 characters of A-Z, a-z, 0-9, '_' and '-'",
                             field=NONCE_HEADER)
    if abs(now - timestamp) > window:
        raise SignatureError(TIMESTAMP_OUTSIDE_WINDOW,
                             f"header {TIMESTAMP_HEADER} {timestamp} is {now - timestamp} s "
                             f"from the server's time {now}, more than the {window} s "
                             f"allowed either side", field=TIMESTAMP_HEADER)
    secret = secret_of(key_id)
    if secret is None:
        raise SignatureError(KEY_UNKNOWN, f"no merchant key {key_id[:80]!r}",
                             field=KEY_HEADER)
    expected = signature(secret, key_id, timestamp, nonce, body)
    # Bytes, not str: compare_digest refuses a str with non-ASCII characters.
    if not hmac.compare_digest(expected.encode(), given.lower().encode()):
        raise SignatureError(SIGNATURE_INVALID,
                             f"header {SIGNATURE_HEADER} does not match the request signed "
                             f"with key {key_id!r} (body, timestamp or nonce altered, or the "
                             f"wrong secret)", field=SIGNATURE_HEADER)
    return Signed(key_id, timestamp, nonce)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def new_key() -> tuple[str, bytes]:
    """A new merchant key: its id ("mk_" and 16 url-safe characters) and a 32-byte secret."""
    return KEY_PREFIX + secrets.token_urlsafe(12), secrets.token_bytes(32)


def secret_text(secret: bytes) -> str:
    """`secret` as url-safe base64 without padding: the text shown once to the merchant."""
    return base64.urlsafe_b64encode(secret).decode("ascii").rstrip("=")


def secret_bytes(text: str) -> bytes:
    """The secret that `secret_text` showed as `text`; SignatureError if it is not one."""
    text = text.strip()
    try:
        if not _URL_SAFE.fullmatch(text):
            raise ValueError(text)
        secret = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SignatureError(SECRET_INVALID,
                             "merchant secret is not url-safe base64") from None
    if not secret:
        raise SignatureError(SECRET_INVALID, "merchant secret is empty")
    return secret


def ip_allowed(address: str | None, ranges: Sequence[str]) -> bool:
    """Whether `address` is in one of `ranges` (CIDR networks or single addresses, IPv4 or
    IPv6); no ranges allow any address, an unreadable address is not allowed, and a range
    that cannot be read raises SignatureError naming it."""
    networks = []
    for text in ranges:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except (ValueError, TypeError, AttributeError):
            raise SignatureError(IP_RANGE_INVALID, f"allowed IP range {text!r} is not an "
                                 f"address or CIDR network") from None
    if not networks:
        return True
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    # A dual-stack server may see an IPv4 client as ::ffff:a.b.c.d.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)
