"""Password hashes: scrypt (memory-hard, standard library), self-describing, constant-time checks.

A hash reads `scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`, so the cost can be raised later
and old hashes still verify. A plain password never appears in an error message or a log.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from modelry.errors import DataError

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 64
# Bounds on stored parameters: a forged hash must not make a check eat gigabytes or hours.
MAX_N, MAX_R, MAX_P = 2**20, 32, 16
MAX_MEMORY = 256 * 1024 * 1024


class PasswordRefused(DataError):
    """A password cannot be used (empty, not text); the message never repeats it."""

    code = "PASSWORD_REFUSED"


def hash_password(plain: str) -> str:
    """The scrypt hash of `plain`, encoded as `scrypt$n$r$p$salt$hash` (new salt each call)."""
    secret = _encode(plain)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(secret, salt, N, R, P, HASH_BYTES)
    return "$".join((SCHEME, str(N), str(R), str(P), _b64(salt), _b64(digest)))


def verify_password(plain: str, encoded: str | None) -> bool:
    """True when `plain` matches the hash `encoded` (compared in constant time).

    A missing or malformed hash, or an unusable password, is simply False.
    """
    parsed = _parse(encoded)
    if parsed is None or not isinstance(plain, str) or not plain:
        return False
    n, r, p, salt, expected = parsed
    digest = _scrypt(plain.encode("utf-8"), salt, n, r, p, len(expected))
    return hmac.compare_digest(digest, expected)


def is_hashed(value: object) -> bool:
    """True when `value` is a well-formed hash this module can verify (within safe bounds)."""
    return _parse(value) is not None


def prepare_password(value: str | None) -> str | None:
    """The value to store for a password field: hashed, unless already a hash (or None)."""
    if value is None or is_hashed(value):
        return value
    return hash_password(value)


def install_password_hashing(app: object) -> None:
    """Hash `base.User.password` on every write of `app` (back-end and client calls alike)."""
    app.data.write_transforms[("base.User", "password")] = prepare_password  # type: ignore


_DUMMY_HASH: list[str] = []


def dummy_verify(plain: str) -> None:
    """Spend as long as a real check (against a throwaway hash): unknown logins cost the same."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password(secrets.token_urlsafe(16)))
    verify_password(plain if isinstance(plain, str) and plain else "x", _DUMMY_HASH[0])


def _encode(plain: object) -> bytes:
    if not isinstance(plain, str):
        raise PasswordRefused("a password must be text", field="password")
    if not plain:
        raise PasswordRefused("a password must not be empty", field="password")
    return plain.encode("utf-8")


def _scrypt(secret: bytes, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=MAX_MEMORY)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _parse(encoded: object) -> tuple[int, int, int, bytes, bytes] | None:
    """(n, r, p, salt, hash) of a well-formed hash, else None."""
    if not isinstance(encoded, str):
        return None
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME or not all(x.isdigit() for x in parts[1:4]):
        return None
    n, r, p = (int(x) for x in parts[1:4])
    if not (2 <= n <= MAX_N and n & (n - 1) == 0 and 1 <= r <= MAX_R and 1 <= p <= MAX_P):
        return None
    if 128 * r * n * 2 > MAX_MEMORY:  # what scrypt would need, with headroom
        return None
    try:
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except ValueError:  # binascii.Error included
        return None
    if len(salt) < 8 or len(digest) < 16:
        return None
    return n, r, p, salt, digest
