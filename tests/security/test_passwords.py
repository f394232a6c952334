"""Password hashes: scrypt format, round trip, refusals, constant-time comparison."""
from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from modelry.core.security import passwords
from modelry.core.security.passwords import (
    PasswordRefused, hash_password, is_hashed, prepare_password, verify_password)
from modelry.errors import ModelryError

SECRET = "correct horse battery staple ✓"


def test_hash_has_the_documented_format() -> None:
    encoded = hash_password(SECRET)
    scheme, n, r, p, salt, digest = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    salt_bytes = base64.b64decode(salt, validate=True)
    assert len(salt_bytes) == 16
    expected = hashlib.scrypt(SECRET.encode(), salt=salt_bytes, n=2**14, r=8, p=1,
                              dklen=len(base64.b64decode(digest)))
    assert base64.b64decode(digest, validate=True) == expected
    assert SECRET not in encoded
    assert len(encoded) <= 255  # fits base.User.password


def test_round_trip_and_wrong_password() -> None:
    encoded = hash_password(SECRET)
    assert verify_password(SECRET, encoded) is True
    assert verify_password(SECRET + " ", encoded) is False
    assert verify_password(SECRET.upper(), encoded) is False
    assert verify_password("", encoded) is False


def test_each_hash_has_its_own_salt() -> None:
    first, second = hash_password(SECRET), hash_password(SECRET)
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]
    assert verify_password(SECRET, first) and verify_password(SECRET, second)


def test_verification_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    encoded = hash_password(SECRET)
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(left: bytes, right: bytes) -> bool:
        calls.append((left, right))
        return real(left, right)

    monkeypatch.setattr(passwords.hmac, "compare_digest", spy)
    assert verify_password("wrong", encoded) is False
    assert verify_password(SECRET, encoded) is True
    assert len(calls) == 2
    assert all(isinstance(a, bytes) and len(a) == len(b) == 64 for a, b in calls)


@pytest.mark.parametrize("value", ["", None, 12345, b"bytes"])
def test_unusable_passwords_are_refused(value: object) -> None:
    with pytest.raises(PasswordRefused) as refused:
        hash_password(value)  # type: ignore[arg-type]
    assert isinstance(refused.value, ModelryError)
    assert refused.value.code == "PASSWORD_REFUSED"
    assert refused.value.field == "password"


def test_no_message_repeats_the_password() -> None:
    with pytest.raises(PasswordRefused) as refused:
        hash_password("")
    assert "must not be empty" in refused.value.message
    assert verify_password(SECRET, "scrypt$garbage") is False  # no exception either


@pytest.mark.parametrize("value", [
    None, "", "secret", "scrypt$16384$8$1$$", "bcrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AA==",
    "scrypt$16384$8$1$not base64!$AAAAAAAAAAAAAAAAAAAAAA==",
    "scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",       # n not 2**k
    "scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",  # n = 2**30
    "scrypt$16384$4096$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==",    # r too big
    "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==$x",     # 7 parts
])
def test_malformed_or_unbounded_hashes_are_not_hashes(value: object) -> None:
    assert is_hashed(value) is False
    assert verify_password(SECRET, value) is False  # type: ignore[arg-type]


def test_prepare_password_hashes_plain_values_once() -> None:
    encoded = prepare_password(SECRET)
    assert is_hashed(encoded) and verify_password(SECRET, encoded)
    assert prepare_password(encoded) == encoded  # already a hash: stored as is
    assert prepare_password(None) is None
    with pytest.raises(PasswordRefused):
        prepare_password("")


def test_hashes_with_other_costs_still_verify() -> None:
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"pw", salt=salt, n=2**10, r=4, p=2, dklen=32)
    encoded = f"scrypt${2**10}$4$2${base64.b64encode(salt).decode()}$" \
              f"{base64.b64encode(digest).decode()}"
    assert is_hashed(encoded)
    assert verify_password("pw", encoded) is True
    assert verify_password("pW", encoded) is False
