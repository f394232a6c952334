"""Declared supplier mappings (issue 17), pure: two realistic suppliers as data — a JSON API
signed with md5 over the sorted fields (as many Chinese top-up APIs are) and a form API
signed with HMAC-SHA256 — prepared, previewed, checked, and their answers and callbacks
read. Expected signatures are computed here with hashlib, independently of the module."""
from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelry.modules.channel import mapping
from modelry.modules.channel.mapping import (
    FAILED,
    PENDING,
    SUCCEEDED,
    UNKNOWN,
    MappingError,
    SupplierOutcome,
)

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
UNIX = "1796463000"                      # NOW as Unix seconds
assert str(int(NOW.timestamp())) == UNIX

TOPUP_SECRET = "k3y&S3cret="             # '&' and '=' must not confuse the signed text
TOPUP_SIGN = {"scheme": "md5_sorted", "field": "sign", "secret": "{supplier.secret}",
              "uppercase": True}
TOPUP = {   # JSON, md5 over sorted fields, in capitals: the common Chinese top-up API
    "submit": {
        "method": "POST", "url": "{supplier.endpoint}/api/recharge", "encoding": "json",
        "headers": {"X-App-Id": "{supplier.account}"},
        "fields": {"appId": "{supplier.account}", "outOrderNo": "{order.number}",
                   "mobile": "{order.target}", "face": "{order.amount}",
                   "productCode": "{order.product}", "remark": "",
                   "notifyUrl": "https://pay.example.com/cb/{channel.code}",
                   "timestamp": "{now.unix}"},
        "sign": TOPUP_SIGN},
    "submit_response": {"status": "code", "pending": ["0000"],
                        "failed": ["1001", "1002", 2001], "reference": "data.tradeNo",
                        "message": "msg"},
    "query": {
        "method": "POST", "url": "{supplier.endpoint}/api/query", "encoding": "json",
        "fields": {"appId": "{supplier.account}", "outOrderNo": "{order.number}",
                   "timestamp": "{now.unix}"},
        "sign": TOPUP_SIGN},
    "query_response": {"status": "data.status", "succeeded": ["SUCCESS"],
                       "pending": ["PROCESSING", "WAIT"], "failed": ["FAIL"],
                       "reference": "data.tradeNo", "message": "data.reason"},
    "callback": {"order": "outOrderNo", "status": "status", "succeeded": ["SUCCESS"],
                 "failed": ["FAIL"], "reference": "tradeNo", "message": "msg",
                 "sign": TOPUP_SIGN, "ack": "success"},
}

CARDS_SECRET = "hm4c secret+/?"
CARDS_SIGN = {"scheme": "hmac_sha256_sorted", "field": "signature",
              "secret": "{supplier.secret}", "exclude": ["sign_type"]}
CARDS = {   # a form API signed with HMAC-SHA256, queried with GET
    "submit": {
        "method": "POST", "url": "{supplier.endpoint}/v2/orders", "encoding": "form",
        "headers": {"X-Partner": "{supplier.account}", "Content-Type":
                    "application/x-www-form-urlencoded; charset=utf-8"},
        "fields": {"partner_id": "{supplier.account}", "out_trade_no": "{order.number}",
                   "account": "{order.target}", "amount": "{order.amount}",
                   "currency": "{order.currency}", "sign_type": "HMAC-SHA256",
                   "ts": "{now.iso}"},
        "sign": CARDS_SIGN},
    "submit_response": {"status": "result.orders.0.state", "succeeded": ["DONE"],
                        "pending": ["ACCEPTED"], "failed": ["REJECTED"],
                        "reference": "result.orders.0.id", "message": "result.note"},
    "query": {
        "method": "GET", "url": "{supplier.endpoint}/v2/orders?v=2",
        "fields": {"partner_id": "{supplier.account}", "out_trade_no": "{order.number}"},
        "sign": CARDS_SIGN},
    "query_response": {"status": "state", "succeeded": ["DONE"], "pending": ["ACCEPTED"],
                       "failed": ["REJECTED", "EXPIRED"], "reference": "id"},
    "callback": {"order": "out_trade_no", "status": "state", "succeeded": ["DONE"],
                 "failed": ["REJECTED"], "reference": "id", "sign": CARDS_SIGN,
                 "ack": "OK"},
}


def context(secret: str = TOPUP_SECRET, **order) -> dict:
    return {"order": {"number": "R20261205000042", "target": "13800138000",
                      "amount": Decimal("50.00"), "currency": "CNY", "product": "CMCC-50",
                      **order},
            "supplier": {"endpoint": "https://api.topup.example.cn", "account": "APP10086",
                         "secret": secret},
            "channel": {"code": "topup-cmcc"}, "now": NOW}


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest().upper()


def hmac_hex(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


# -- prepare -----------------------------------------------------------------------------

def test_a_json_md5_supplier_gets_the_exact_body_and_signature():
    request = mapping.prepare(TOPUP, "submit", context())
    expected_sign = md5_upper(
        "appId=APP10086&face=50.00&mobile=13800138000"
        "&notifyUrl=https://pay.example.com/cb/topup-cmcc&outOrderNo=R20261205000042"
        f"&productCode=CMCC-50&timestamp={UNIX}&key=k3y&S3cret=")
    assert request.method == "POST"
    assert request.url == "https://api.topup.example.cn/api/recharge"
    assert request.headers == {"X-App-Id": "APP10086", "Content-Type": "application/json"}
    assert request.body == (
        '{"appId":"APP10086","outOrderNo":"R20261205000042","mobile":"13800138000",'
        '"face":"50.00","productCode":"CMCC-50","remark":"",'
        '"notifyUrl":"https://pay.example.com/cb/topup-cmcc",'
        f'"timestamp":"{UNIX}","sign":"{expected_sign}"}}').encode()
    assert request.fields["sign"] == expected_sign
    assert json.loads(request.body) == request.fields


def test_a_form_hmac_supplier_gets_the_exact_body_and_signature():
    ctx = context(CARDS_SECRET, target="ann+1@example.com", amount=Decimal("1E+2"))
    request = mapping.prepare(CARDS, "submit", ctx)
    iso = NOW.isoformat()
    expected_sign = hmac_hex(CARDS_SECRET,
                             f"account=ann+1@example.com&amount=100&currency=CNY"
                             f"&out_trade_no=R20261205000042&partner_id=APP10086&ts={iso}")
    assert request.headers == {"X-Partner": "APP10086", "Content-Type":
                               "application/x-www-form-urlencoded; charset=utf-8"}
    assert request.body == (
        "partner_id=APP10086&out_trade_no=R20261205000042&account=ann%2B1%40example.com"
        "&amount=100&currency=CNY&sign_type=HMAC-SHA256"
        f"&ts=2026-12-05T09%3A30%3A00%2B00%3A00&signature={expected_sign}").encode()
    assert dict(parse_qsl(request.body.decode())) == request.fields


def test_a_get_query_sends_its_fields_in_the_query_string():
    request = mapping.prepare(CARDS, "query", context(CARDS_SECRET))
    expected_sign = hmac_hex(CARDS_SECRET, "out_trade_no=R20261205000042&partner_id=APP10086")
    assert request.method == "GET" and request.body == b""
    assert request.url == ("https://api.topup.example.cn/v2/orders?v=2&partner_id=APP10086"
                           f"&out_trade_no=R20261205000042&signature={expected_sign}")
    assert "Content-Type" not in request.headers


def test_a_flat_context_or_one_of_objects_renders_the_same():
    nested = context()
    flat = {f"{group}.{name}": value for group in ("order", "supplier", "channel")
            for name, value in nested[group].items()}
    flat.update({"now.unix": int(UNIX), "now.iso": NOW.isoformat()})
    rows = {"order": SimpleNamespace(**nested["order"]),
            "supplier": SimpleNamespace(**nested["supplier"]),
            "channel": SimpleNamespace(code="topup-cmcc"), "now": {"unix": UNIX}}
    expected = mapping.prepare(TOPUP, "submit", nested)
    assert mapping.prepare(TOPUP, "submit", flat) == expected
    assert mapping.prepare(TOPUP, "submit", rows) == expected


def test_the_signature_does_not_depend_on_the_order_fields_are_declared_in():
    reordered = copy.deepcopy(TOPUP)
    reordered["submit"]["fields"] = dict(reversed(TOPUP["submit"]["fields"].items()))
    first = mapping.prepare(TOPUP, "submit", context())
    second = mapping.prepare(reordered, "submit", context())
    assert first.fields["sign"] == second.fields["sign"]
    assert first.body != second.body


def test_braces_can_be_written_doubled():
    declared = copy.deepcopy(CARDS)
    declared["submit"]["fields"]["memo"] = "{{literal}} {order.currency}"
    assert mapping.check(declared) == []
    assert mapping.prepare(declared, "submit", context("x"))\
        .fields["memo"] == "{literal} CNY"


@pytest.mark.parametrize("absent,path", [
    ("order.target", "submit.fields.mobile"), ("supplier.endpoint", "submit.url"),
    ("supplier.secret", "submit.sign.secret"), ("now", "submit.fields.timestamp")])
def test_a_context_value_absent_is_named_with_its_path(absent, path):
    ctx = context()
    group, _, name = absent.partition(".")
    if name:
        ctx[group] = {**ctx[group], name: None}
    else:
        del ctx[group]
    with pytest.raises(MappingError) as caught:
        mapping.prepare(TOPUP, "submit", ctx)
    assert (caught.value.code, caught.value.field) == (mapping.PLACEHOLDER_MISSING, path)
    assert path in caught.value.message


def test_a_naive_now_is_not_guessed_to_be_utc():
    with pytest.raises(MappingError) as caught:
        mapping.prepare(TOPUP, "submit", {**context(), "now": NOW.replace(tzinfo=None)})
    assert caught.value.code == mapping.PLACEHOLDER_MISSING


@pytest.mark.parametrize("endpoint,secret,path", [
    ("ftp://files.example.cn", TOPUP_SECRET, "submit.url"),
    ("https://api.topup.example.cn", "", "submit.sign.secret")])
def test_a_context_that_renders_something_unusable_is_refused(endpoint, secret, path):
    ctx = context(secret)
    ctx["supplier"]["endpoint"] = endpoint
    with pytest.raises(MappingError) as caught:
        mapping.prepare(TOPUP, "submit", ctx)
    assert (caught.value.code, caught.value.field) == (mapping.MAPPING_INVALID, path)


def test_a_header_value_with_a_line_break_is_refused():
    ctx = context()
    ctx["supplier"]["account"] = "APP\r\nX-Evil: 1"
    with pytest.raises(MappingError) as caught:
        mapping.prepare(TOPUP, "submit", ctx)
    assert caught.value.field == "submit.headers.X-App-Id"


def test_an_invalid_mapping_is_refused_naming_the_path():
    broken = copy.deepcopy(TOPUP)
    broken["submit"]["fields"]["mobile"] = "{order.phone}"
    with pytest.raises(MappingError) as caught:
        mapping.prepare(broken, "submit", context())
    assert caught.value.code == mapping.MAPPING_INVALID
    assert caught.value.field == "submit.fields.mobile"
    assert "unknown placeholder {order.phone}" in caught.value.message
    for part in ("callback", "submit_response"):
        with pytest.raises(MappingError):
            mapping.prepare(TOPUP, part, context())
    without_query = {k: v for k, v in TOPUP.items() if not k.startswith("query")}
    with pytest.raises(MappingError) as caught:
        mapping.prepare(without_query, "query", context())
    assert caught.value.field == "query"


# -- dry run -----------------------------------------------------------------------------

def test_the_dry_run_shows_the_request_with_the_secret_masked():
    preview = mapping.dry_run(TOPUP, "submit", context())
    request = mapping.prepare(TOPUP, "submit", context())
    assert TOPUP_SECRET not in json.dumps(preview, ensure_ascii=False)
    assert preview["fields"] == request.fields
    assert preview["body"] == request.body.decode()
    assert preview["signed_text"].endswith("&timestamp=1796463000&key=****")
    assert preview["method"] == "POST" and preview["url"] == request.url
    json.dumps(preview)     # plain data, ready to store or show


def test_the_dry_run_masks_the_secret_wherever_it_is_sent_and_however_encoded():
    declared = copy.deepcopy(CARDS)
    declared["submit"]["headers"]["X-Api-Key"] = "{supplier.secret}"
    declared["submit"]["fields"]["key_echo"] = "k:{supplier.secret}"
    declared["submit"]["url"] = "{supplier.endpoint}/v2/orders?key={supplier.secret}"
    preview = mapping.dry_run(declared, "submit", context(CARDS_SECRET))
    text = json.dumps(preview, ensure_ascii=False)
    for form in (CARDS_SECRET, "hm4c+secret%2B%2F%3F"):
        assert form not in text
    assert preview["headers"]["X-Api-Key"] == "****"
    assert preview["fields"]["key_echo"] == "k:****"
    assert "key_echo=k%3A****" in preview["body"]
    assert preview["url"].endswith("?key=****")


# -- check -------------------------------------------------------------------------------

def test_the_two_suppliers_are_valid():
    assert mapping.check(TOPUP) == []
    assert mapping.check(CARDS) == []


def test_check_names_every_bad_path():
    broken = copy.deepcopy(TOPUP)
    broken["submit"]["fields"]["mobile"] = "{order.phone}"
    broken["submit"]["fields"]["face"] = "{order.amount"
    broken["submit"]["method"] = "PUT"
    broken["submit"]["encodng"] = "json"
    broken["submit"]["sign"] = {"scheme": "sha1", "field": "sign"}
    broken["query"]["method"] = "GET"
    broken["query"]["encoding"] = "json"
    broken["query"]["sign"] = {**TOPUP_SIGN, "field": "appId", "uppercase": "yes"}
    del broken["query_response"]["status"]
    broken["query_response"]["failed"] = ["FAIL", "SUCCESS"]
    broken["submit_response"]["reference"] = "data..tradeNo"
    broken["callback"]["sign"] = {**TOPUP_SIGN, "secret": "{supplier.account}"}
    del broken["callback"]["order"]
    broken["refund"] = {}
    problems = mapping.check(broken)
    paths = [problem.split(": ", 1)[0] for problem in problems]
    assert sorted(paths) == sorted([
        "refund", "submit.encodng", "submit.method", "submit.fields.mobile",
        "submit.fields.face", "submit.sign.scheme", "submit.sign.secret",
        "submit_response.reference",
        "query.encoding", "query.sign.field", "query.sign.uppercase",
        "query_response.status", "query_response.failed", "callback.order",
        "callback.sign.secret"])
    assert ("submit.fields.mobile: unknown placeholder {order.phone} (known: "
            in "\n".join(problems))
    assert "query_response.failed: 'SUCCESS' is also in query_response.succeeded" in problems


def test_check_names_missing_sections_and_wrong_shapes():
    assert mapping.check([]) == ["mapping: not an object of sections"]
    assert mapping.check({}) == ["submit: missing", "submit_response: missing"]
    problems = mapping.check({"submit": "POST /recharge", "submit_response": {"status": 3},
                              "query_response": TOPUP["query_response"]})
    assert problems == [
        "query: missing (query_response is declared)", "submit: not an object",
        "submit_response.status: 3 is not a dotted path such as \"data.code\"",
        "submit_response: declares no status in succeeded, pending or failed"]
    assert mapping.check({**CARDS, "submit": {**CARDS["submit"], "fields": None}}) == [
        "submit.fields: missing"]
    assert "submit.fields.amount: not text" in mapping.check(
        {**CARDS, "submit": {**CARDS["submit"], "fields": {"amount": 50}}})[0]


def test_a_lone_brace_is_a_problem():
    broken = copy.deepcopy(CARDS)
    broken["submit"]["url"] = "{supplier.endpoint}/v2/orders}"
    assert mapping.check(broken) == [
        "submit.url: lone '}' at character 29 (write {{ or }} for a brace)"]


# -- answers -----------------------------------------------------------------------------

@pytest.mark.parametrize("payload,expected", [
    ({"code": "0000", "msg": "accepted", "data": {"tradeNo": "T9"}},
     SupplierOutcome(PENDING, "T9", "accepted", "0000")),
    ({"code": 2001, "msg": "no stock"}, SupplierOutcome(FAILED, None, "no stock", "2001")),
    ({"code": "1001", "msg": ""}, SupplierOutcome(FAILED, None, None, "1001")),
    ({"code": "9999", "msg": "system busy"},
     SupplierOutcome(UNKNOWN, None, "system busy", "9999")),
    ({"msg": "gateway error"}, SupplierOutcome(UNKNOWN, None, "gateway error", None)),
    ({"code": {"nested": 1}}, SupplierOutcome(UNKNOWN, None, None, None)),
])
def test_a_submit_response_is_read_and_an_unknown_status_stays_unknown(payload, expected):
    assert mapping.read_response(TOPUP, "submit_response", payload) == expected


def test_a_response_is_read_through_objects_and_lists():
    payload = {"result": {"orders": [{"state": "DONE", "id": 77}], "note": "ok"}}
    assert mapping.read_response(CARDS, "submit_response", payload) == \
        SupplierOutcome(SUCCEEDED, "77", "ok", "DONE")
    assert mapping.read_response(CARDS, "submit_response", {"result": {"orders": []}}) == \
        SupplierOutcome(UNKNOWN, None, None, None)
    assert mapping.read_response(TOPUP, "query_response",
                                 {"data": {"status": "WAIT"}}).status == PENDING
    assert mapping.read_response(CARDS, "query_response", {"state": "EXPIRED"}).status == \
        FAILED


@given(st.one_of(st.text(), st.integers(), st.booleans(), st.none()))
@settings(max_examples=200, deadline=None)
def test_a_status_in_none_of_the_lists_is_never_guessed(status):
    outcome = mapping.read_response(TOPUP, "query_response", {"data": {"status": status}})
    declared = {"SUCCESS": SUCCEEDED, "PROCESSING": PENDING, "WAIT": PENDING, "FAIL": FAILED}
    assert outcome.status == declared.get(status if isinstance(status, str) else "", UNKNOWN)


# -- callbacks ---------------------------------------------------------------------------

def topup_callback(**changes) -> dict[str, str]:
    fields = {"outOrderNo": "R20261205000042", "tradeNo": "T9", "status": "SUCCESS",
              "msg": "", "face": "50.00"}
    fields["sign"] = md5_upper("face=50.00&outOrderNo=R20261205000042&status=SUCCESS"
                               f"&tradeNo=T9&key={TOPUP_SECRET}")
    fields.update(changes)
    return fields


def test_a_signed_callback_is_verified_and_read():
    number, outcome = mapping.read_callback(TOPUP, topup_callback(), TOPUP_SECRET)
    assert number == "R20261205000042"
    assert outcome == SupplierOutcome(SUCCEEDED, "T9", None, "SUCCESS")
    lower = topup_callback()
    lower["sign"] = lower["sign"].lower()
    assert mapping.read_callback(TOPUP, lower, TOPUP_SECRET)[0] == "R20261205000042"
    assert mapping.callback_ack(TOPUP) == "success"
    assert mapping.callback_ack(CARDS) == "OK"


def test_an_hmac_signed_form_callback_is_verified():
    fields = {"out_trade_no": "R1", "state": "REJECTED", "id": "C-5", "sign_type": "X"}
    fields["signature"] = hmac_hex(CARDS_SECRET, "id=C-5&out_trade_no=R1&state=REJECTED")
    assert mapping.read_callback(CARDS, fields, CARDS_SECRET) == \
        ("R1", SupplierOutcome(FAILED, "C-5", None, "REJECTED"))


@pytest.mark.parametrize("tamper", [{"status": "FAIL"}, {"face": "500.00"},
                                    {"outOrderNo": "R20261205000043"}, {"extra": "1"},
                                    {"sign": ""}, {"sign": "ｆ" * 32}])
def test_a_tampered_callback_is_refused(tamper):
    with pytest.raises(MappingError) as caught:
        mapping.read_callback(TOPUP, topup_callback(**tamper), TOPUP_SECRET)
    assert (caught.value.code, caught.value.field) == (mapping.CALLBACK_BAD_SIGNATURE, "sign")


def test_a_callback_without_its_signature_or_under_another_secret_is_refused():
    unsigned = topup_callback()
    del unsigned["sign"]
    for fields, secret in ((unsigned, TOPUP_SECRET), (topup_callback(), "other")):
        with pytest.raises(MappingError) as caught:
            mapping.read_callback(TOPUP, fields, secret)
        assert caught.value.code == mapping.CALLBACK_BAD_SIGNATURE
    with pytest.raises(MappingError) as caught:
        mapping.read_callback(TOPUP, topup_callback(), "")
    assert caught.value.code == mapping.MAPPING_INVALID


def test_a_callback_without_an_order_number_is_malformed():
    fields = {"status": "SUCCESS", "tradeNo": "T9"}
    fields["sign"] = md5_upper(f"status=SUCCESS&tradeNo=T9&key={TOPUP_SECRET}")
    with pytest.raises(MappingError) as caught:
        mapping.read_callback(TOPUP, fields, TOPUP_SECRET)
    assert (caught.value.code, caught.value.field) == (mapping.CALLBACK_MALFORMED,
                                                       "outOrderNo")


def test_an_unsigned_callback_mapping_reads_without_verifying():
    declared = copy.deepcopy(TOPUP)
    declared["callback"]["sign"] = {"scheme": "none"}
    assert mapping.check(declared) == []
    number, outcome = mapping.read_callback(declared, {"outOrderNo": "R7", "status": "??"},
                                            "")
    assert (number, outcome.status) == ("R7", UNKNOWN)
    del declared["callback"]["sign"], declared["callback"]["ack"]
    assert mapping.callback_ack(declared) == "success"


def test_an_enum_in_the_context_renders_its_value():
    from enum import Enum

    class Currency(Enum):
        CNY = "CNY"

    request = mapping.prepare(CARDS, "submit", context("x", currency=Currency.CNY))
    assert request.fields["currency"] == "CNY"
