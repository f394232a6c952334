"""Signed merchant requests (issue 17), pure: a request verifies, each refusal has its code,
and the canonical body is the same bytes whatever the order of its keys."""
from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelry.modules.channel import signing
from modelry.modules.channel.signing import (
    KEY_HEADER,
    NONCE_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    Signed,
)

SECRET = b"s" * 32
KEY = "mk_abcdefghijklmnop"
NOW = 1_780_000_000
NONCE = "n0nce-123_abc"
BODY = signing.canonical_body({"merchant_order_no": "M-1", "product": "CMCC-50",
                               "target": "13800138000", "amount": Decimal("50.00")})


def secret_of(key_id: str) -> bytes | None:
    return SECRET if key_id == KEY else None


def signed_headers(body: bytes = BODY, **kwargs) -> dict[str, str]:
    kwargs.setdefault("timestamp", NOW)
    kwargs.setdefault("nonce", NONCE)
    return signing.sign_headers(SECRET, KEY, body, **kwargs)


def refusal(headers: dict[str, str], body: bytes = BODY, *, now: int = NOW) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        signing.verify(headers, body, secret_of, now=now)
    return caught.value


def test_a_signed_request_verifies_and_names_its_signer():
    headers = signed_headers()
    assert signing.verify(headers, BODY, secret_of, now=NOW) == Signed(KEY, NOW, NONCE)
    message = f"{KEY}\n{NOW}\n{NONCE}\n".encode() + BODY
    assert headers == {KEY_HEADER: KEY, TIMESTAMP_HEADER: str(NOW), NONCE_HEADER: NONCE,
                       SIGNATURE_HEADER: hmac.new(SECRET, message, hashlib.sha256).hexdigest()}


def test_headers_are_matched_whatever_their_case_and_the_signature_in_capitals_too():
    headers = {name.lower(): value for name, value in signed_headers().items()}
    headers["x-signature"] = headers["x-signature"].upper()
    assert signing.verify(headers, BODY, secret_of, now=NOW).key_id == KEY


def test_sign_headers_defaults_to_the_clock_and_a_fresh_valid_nonce():
    first = signing.sign_headers(SECRET, KEY, BODY, clock=lambda: NOW + 0.9)
    second = signing.sign_headers(SECRET, KEY, BODY, clock=lambda: NOW)
    assert first[TIMESTAMP_HEADER] == str(NOW)
    assert first[NONCE_HEADER] != second[NONCE_HEADER]
    assert signing.verify(first, BODY, secret_of, now=NOW).nonce == first[NONCE_HEADER]


@pytest.mark.parametrize("name", [KEY_HEADER, TIMESTAMP_HEADER, NONCE_HEADER,
                                  SIGNATURE_HEADER])
@pytest.mark.parametrize("absent", ["removed", "empty"])
def test_a_missing_header_is_named(name, absent):
    headers = signed_headers()
    if absent == "removed":
        del headers[name]
    else:
        headers[name] = ""
    error = refusal(headers)
    assert (error.code, error.field) == (signing.SIGNATURE_MISSING, name)
    assert name in error.message


def test_an_unknown_key_is_refused():
    headers = signing.sign_headers(SECRET, "mk_nobodyknowsthis", BODY, timestamp=NOW,
                                   nonce=NONCE)
    error = refusal(headers)
    assert error.code == signing.KEY_UNKNOWN
    assert "mk_nobodyknowsthis" in error.message


@pytest.mark.parametrize("stamp", ["soon", "1.5", "-100", " 1780000000", "１２３",
                                   "9" * 40])
def test_a_timestamp_that_is_not_unix_seconds_is_refused(stamp):
    headers = signed_headers()
    headers[TIMESTAMP_HEADER] = stamp
    error = refusal(headers)
    assert (error.code, error.field) == (signing.TIMESTAMP_INVALID, TIMESTAMP_HEADER)


@pytest.mark.parametrize("offset", [-301, 301, -10**6])
def test_a_timestamp_outside_the_window_is_refused(offset):
    error = refusal(signed_headers(timestamp=NOW + offset))
    assert error.code == signing.TIMESTAMP_OUTSIDE_WINDOW
    assert "300 s" in error.message


@pytest.mark.parametrize("offset", [-300, 300])
def test_the_edges_of_the_window_are_inside(offset):
    headers = signed_headers(timestamp=NOW + offset)
    assert signing.verify(headers, BODY, secret_of, now=NOW).timestamp == NOW + offset


def test_the_window_can_be_narrowed():
    with pytest.raises(SignatureError) as caught:
        signing.verify(signed_headers(timestamp=NOW - 31), BODY, secret_of, now=NOW,
                       window=30)
    assert caught.value.code == signing.TIMESTAMP_OUTSIDE_WINDOW


@pytest.mark.parametrize("nonce", ["short", "x" * 65, "has space1", "semi;colon", "ñandú123"])
def test_a_nonce_of_the_wrong_form_is_refused(nonce):
    error = refusal(signed_headers(nonce=nonce))
    assert (error.code, error.field) == (signing.NONCE_INVALID, NONCE_HEADER)


def test_a_body_changed_by_one_byte_fails():
    headers = signed_headers()
    changed = BODY.replace(b"50.00", b"50.01")
    assert len(changed) == len(BODY) and changed != BODY
    error = refusal(headers, changed)
    assert (error.code, error.field) == (signing.SIGNATURE_INVALID, SIGNATURE_HEADER)


@pytest.mark.parametrize("header,value", [(NONCE_HEADER, "another-nonce"),
                                          (TIMESTAMP_HEADER, str(NOW - 1)),
                                          (SIGNATURE_HEADER, "0" * 64),
                                          (SIGNATURE_HEADER, "é" * 64)])
def test_a_signed_header_changed_fails(header, value):
    headers = signed_headers()
    headers[header] = value
    assert refusal(headers).code == signing.SIGNATURE_INVALID


def test_the_wrong_secret_fails():
    headers = signing.sign_headers(b"t" * 32, KEY, BODY, timestamp=NOW, nonce=NONCE)
    assert refusal(headers).code == signing.SIGNATURE_INVALID


def test_cheap_checks_come_before_the_secret_is_looked_up():
    looked_up = []

    def tracking(key_id: str) -> bytes | None:
        looked_up.append(key_id)
        return SECRET

    with pytest.raises(SignatureError):
        signing.verify(signed_headers(timestamp=NOW - 3600), BODY, tracking, now=NOW)
    assert looked_up == []


def test_the_canonical_body_is_sorted_compact_utf8_with_plain_decimals():
    body = signing.canonical_body({"b": [Decimal("1E+2"), Decimal("0.000001")],
                                   "a": {"z": "中文", "y": None, "x": True}, "c": 5})
    assert body == ('{"a":{"x":true,"y":null,"z":"中文"},"b":["100","0.000001"],"c":5}'
                    .encode())


def test_the_canonical_body_refuses_what_json_cannot_carry():
    for value in ({"amount": Decimal("NaN")}, {"amount": float("inf")}, {"when": object()}):
        with pytest.raises(SignatureError) as caught:
            signing.canonical_body(value)
        assert caught.value.code == signing.BODY_INVALID


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False, places=4),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)
bodies = st.dictionaries(st.text(), json_values, max_size=6)


@given(bodies)
@settings(max_examples=150, deadline=None)
def test_the_canonical_body_does_not_depend_on_key_order(value):
    reordered = dict(reversed(list(value.items())))
    assert signing.canonical_body(value) == signing.canonical_body(reordered)
    assert isinstance(json.loads(signing.canonical_body(value)), dict)


@given(bodies, st.integers(min_value=0, max_value=2**40),
       st.from_regex(r"[A-Za-z0-9_-]{8,64}", fullmatch=True))
@settings(max_examples=150, deadline=None)
def test_any_body_signed_verifies_and_any_changed_body_does_not(value, stamp, nonce):
    body = signing.canonical_body(value)
    headers = signing.sign_headers(SECRET, KEY, body, timestamp=stamp, nonce=nonce)
    assert signing.verify(headers, body, secret_of, now=stamp) == Signed(KEY, stamp, nonce)
    with pytest.raises(SignatureError) as caught:
        signing.verify(headers, body + b" ", secret_of, now=stamp)
    assert caught.value.code == signing.SIGNATURE_INVALID


def test_a_new_key_has_its_form_and_its_secret_survives_the_text_shown_once():
    key_id, secret = signing.new_key()
    assert key_id.startswith("mk_") and len(key_id) == 19
    assert all(c.isalnum() or c in "-_" for c in key_id[3:])
    assert len(secret) == 32
    assert signing.new_key() != (key_id, secret)
    text = signing.secret_text(secret)
    assert "=" not in text and "+" not in text and "/" not in text
    assert signing.secret_bytes(text) == secret


@given(st.binary(min_size=1, max_size=64))
def test_secret_text_round_trips(secret):
    assert signing.secret_bytes(signing.secret_text(secret)) == secret


@pytest.mark.parametrize("text", ["", "not base64!", "a+b/"])
def test_a_secret_text_that_is_not_url_safe_base64_is_refused(text):
    with pytest.raises(SignatureError) as caught:
        signing.secret_bytes(text)
    assert caught.value.code == signing.SECRET_INVALID


@pytest.mark.parametrize("address,ranges,allowed", [
    ("10.1.2.3", [], True),
    (None, [], True),
    ("10.1.2.3", ["10.0.0.0/8"], True),
    ("11.1.2.3", ["10.0.0.0/8"], False),
    ("192.168.1.7", ["10.0.0.0/8", "192.168.1.7"], True),
    ("192.168.1.8", ["192.168.1.7"], False),
    ("192.168.1.8", [" 192.168.1.0/24 "], True),
    ("2001:db8::1", ["2001:db8::/32"], True),
    ("2001:db9::1", ["2001:db8::/32"], False),
    ("2001:db8::1", ["10.0.0.0/8"], False),
    ("10.1.2.3", ["2001:db8::/32"], False),
    ("::ffff:10.1.2.3", ["10.0.0.0/8"], True),
    ("not an address", ["10.0.0.0/8"], False),
    ("", ["10.0.0.0/8"], False),
    (None, ["10.0.0.0/8"], False),
])
def test_ip_allowed(address, ranges, allowed):
    assert signing.ip_allowed(address, ranges) is allowed


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "intranet", "2001:db8::/129", ""])
def test_a_range_that_cannot_be_read_is_named(bad):
    with pytest.raises(SignatureError) as caught:
        signing.ip_allowed("10.1.2.3", ["10.0.0.0/8", bad])
    assert caught.value.code == signing.IP_RANGE_INVALID
    assert repr(bad) in caught.value.message
