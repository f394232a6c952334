"""A fake upstream supplier for the channel tests, reached only through the declared
field mapping (`MAPPING`): it checks each request's MD5 signature the way a real top-up API
does, and answers each order the way the test scripted its target: succeed, fail, stay
pending, time out (no answer), or answer garbage; it can call back, twice."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from modelry.modules.channel.mapping import PreparedRequest

SECRET = "fake-supplier-secret"
MAPPING: dict[str, Any] = {
    "submit": {"method": "POST", "url": "{supplier.endpoint}/recharge", "encoding": "json",
               "fields": {"orderNo": "{order.number}", "mobile": "{order.target}",
                          "face": "{order.amount}", "channel": "{channel.code}"},
               "sign": {"scheme": "md5_sorted", "field": "sign",
                        "secret": "{supplier.secret}", "uppercase": True}},
    "submit_response": {"status": "code", "succeeded": ["0000"], "pending": ["1001"],
                        "failed": ["2001"], "reference": "data.tradeNo", "message": "msg"},
    "query": {"method": "POST", "url": "{supplier.endpoint}/query", "encoding": "json",
              "fields": {"orderNo": "{order.number}"},
              "sign": {"scheme": "md5_sorted", "field": "sign",
                       "secret": "{supplier.secret}", "uppercase": True}},
    "query_response": {"status": "data.state", "succeeded": ["SUCCESS"],
                       "pending": ["PROCESSING"], "failed": ["FAIL"],
                       "reference": "data.tradeNo", "message": "msg"},
    "callback": {"order": "orderNo", "status": "state", "succeeded": ["SUCCESS"],
                 "failed": ["FAIL"], "reference": "tradeNo", "message": "msg",
                 "sign": {"scheme": "md5_sorted", "field": "sign",
                          "secret": "{supplier.secret}", "uppercase": True},
                 "ack": "success"},
}


def md5_sign(fields: dict[str, str]) -> str:
    """The supplier's own signature rule, written independently of `mapping`."""
    text = "&".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "sign" and fields[k])
    return hashlib.md5(f"{text}&key={SECRET}".encode()).hexdigest().upper()


@dataclass
class FakeSupplier:
    """Scripted by target: `script[target]` is a list of what the submits of that target
    do, in turn ("succeed", "fail", "pending", "timeout", "garbage"); `state[number]` is
    what a query answers."""

    script: dict[str, list[str]] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    received: list[dict[str, str]] = field(default_factory=list)

    def send(self, request: PreparedRequest, timeout: float) -> tuple[int, bytes] | None:
        fields = json.loads(request.body)
        assert fields["sign"] == md5_sign(fields), "bad signature from the mapping"
        self.received.append(fields)
        number = fields["orderNo"]
        if request.url.endswith("/query"):
            state = self.state.get(number)
            return 200, json.dumps({"code": "0000", "data": {
                "state": state or "UNKNOWN_ORDER", "tradeNo": f"T-{number}"}}).encode()
        steps = self.script.get(fields["mobile"], ["succeed"])
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        if step == "timeout":
            self.state[number] = "SUCCESS"           # it went through, we never heard
            return None
        if step == "garbage":
            return 502, b"<html>bad gateway</html>"
        code, state = {"succeed": ("0000", "SUCCESS"), "fail": ("2001", "FAIL"),
                       "pending": ("1001", "PROCESSING")}[step]
        self.state[number] = state
        return 200, json.dumps({"code": code, "msg": step,
                                "data": {"tradeNo": f"T-{number}"}}).encode()

    def callback(self, number: str, state: str) -> dict[str, str]:
        """The callback form the supplier posts for `number`."""
        fields = {"orderNo": number, "state": state, "tradeNo": f"T-{number}", "msg": state}
        return {**fields, "sign": md5_sign(fields)}
