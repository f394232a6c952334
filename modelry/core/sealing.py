"""Secrets at rest: `seal(text)` encrypts (Fernet: AES-128-CBC with an HMAC-SHA256 tag) under
the deployment's secret key, `unseal(stored)` decrypts; `fields.Secret` does both on every
write and read, so a database dump never shows a merchant's key or a supplier's password.

The key: the environment variable MODELRY_SECRET_KEY (any text; it is stretched with
SHA-256), else the file MODELRY_SECRET_KEY_FILE (default `.modelry-secret-key` in the working
folder), made with a random key (mode 0600) the first time one is needed. Keep that file
with the database's backups: without it, sealed values cannot be read. A value stored
before it was sealed (plain text) is read as it is, and sealed when next written.
"""
from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from modelry.errors import ModelryError

PREFIX = "sealed:v1:"
KEY_VARIABLE = "MODELRY_SECRET_KEY"
FILE_VARIABLE = "MODELRY_SECRET_KEY_FILE"
DEFAULT_FILE = ".modelry-secret-key"

_lock = threading.Lock()
_ciphers: dict[str, Fernet] = {}


class SealError(ModelryError):
    """A sealed value cannot be opened (another key sealed it, or it was tampered with)."""

    code = "SECRET_UNREADABLE"


def _key_text() -> str:
    given = os.environ.get(KEY_VARIABLE)
    if given:
        return given
    path = Path(os.environ.get(FILE_VARIABLE) or DEFAULT_FILE)
    with _lock:
        if not path.exists():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as made:
                made.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def _cipher() -> Fernet:
    text = _key_text()
    cipher = _ciphers.get(text)
    if cipher is None:
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        cipher = _ciphers.setdefault(text, Fernet(base64.urlsafe_b64encode(digest)))
    return cipher


def seal(text: str) -> str:
    """`text` encrypted under the deployment's key (a value already sealed stays as it is)."""
    if text.startswith(PREFIX):
        return text
    return PREFIX + _cipher().encrypt(text.encode("utf-8")).decode("ascii")


def unseal(stored: str) -> str:
    """The text `seal` sealed (plain text stored before sealing is returned as it is)."""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _cipher().decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise SealError("a sealed secret cannot be read with this deployment's key "
                        f"({KEY_VARIABLE} or {FILE_VARIABLE} changed?)") from None
