"""A sandbox supplier for demos and first steps: a supplier whose `endpoint` is
`sandbox://<name>` is answered in process, by the rules of a typical top-up API (JSON,
`md5_sorted` signature under the supplier's secret), instead of over HTTP.

It tops up every target, except: a target ending in 0 fails (not in service); one ending in
4 fails at a supplier whose account ends in "-picky" (so an order fails over to the next
channel); one ending in 7 is accepted and answers only when queried. `SANDBOX_MAPPING` is
its API as a mapping, ready to store on a `channel.Supplier`."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from modelry.modules.channel.mapping import PreparedRequest

SCHEME = "sandbox://"

SANDBOX_MAPPING: dict[str, Any] = {
    "submit": {"method": "POST", "url": "{supplier.endpoint}/recharge", "encoding": "json",
               "fields": {"orderNo": "{order.number}", "mobile": "{order.target}",
                          "face": "{order.amount}", "partner": "{supplier.account}"},
               "sign": {"scheme": "md5_sorted", "field": "sign",
                        "secret": "{supplier.secret}", "uppercase": True}},
    "submit_response": {"status": "code", "succeeded": ["0000"], "pending": ["1001"],
                        "failed": ["2001"], "reference": "data.tradeNo", "message": "msg"},
    "query": {"method": "POST", "url": "{supplier.endpoint}/query", "encoding": "json",
              "fields": {"orderNo": "{order.number}", "partner": "{supplier.account}"},
              "sign": {"scheme": "md5_sorted", "field": "sign",
                       "secret": "{supplier.secret}", "uppercase": True}},
    "query_response": {"status": "data.state", "succeeded": ["SUCCESS"],
                       "pending": ["PROCESSING"], "failed": ["FAIL"],
                       "reference": "data.tradeNo", "message": "msg"},
}


def _signed(fields: dict[str, str], secret: str) -> bool:
    text = "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "sign" and fields[k])
    return fields.get("sign") == hashlib.md5(f"{text}&key={secret}".encode()).hexdigest().upper()


def answer(request: PreparedRequest, secret: str) -> tuple[int, bytes]:
    """What the sandbox answers `request` (its supplier's secret checks the signature)."""
    fields = json.loads(request.body)
    if not _signed(fields, secret):
        return 200, json.dumps({"code": "4001", "msg": "bad signature"}).encode()
    number, target = fields["orderNo"], fields.get("mobile", "")
    trade = {"tradeNo": f"SBX-{number}"}
    if request.url.endswith("/query"):
        return 200, json.dumps({"code": "0000", "data": {"state": "SUCCESS", **trade}}).encode()
    if target.endswith("0") or (target.endswith("4") and
                                fields.get("partner", "").endswith("-picky")):
        return 200, json.dumps({"code": "2001", "msg": "number not served"}).encode()
    if target.endswith("7"):
        return 200, json.dumps({"code": "1001", "msg": "processing", "data": trade}).encode()
    return 200, json.dumps({"code": "0000", "msg": "ok", "data": trade}).encode()
