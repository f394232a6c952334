"""A fake upstream supplier for the channel tests, reached only through the declared
field mapping (`MAPPING`) over HTTP (`supplier_server`): it checks each request's MD5
signature the way a real top-up API does, and answers each order the way the test
scripted its target: succeed, fail, stay pending, time out (answer late), hang up (no
answer) or answer garbage; it calls back over HTTP, as often as a test asks."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.modules.channel.supplier_server import HANG_UP, Answer, Callbacks

SECRET = "fake-supplier-secret"
TIMEOUT_SECONDS = 1         # the supplier's timeout in a test of a real one (`impatient`)
LATE = TIMEOUT_SECONDS + 0.3
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
    do, in turn ("succeed", "fail", "pending", "timeout": answers after `LATE` seconds,
    "hang_up", "garbage"); `state[number]` is what a query answers. Once served it is at
    `endpoint`, and calls back through `callbacks`."""

    script: dict[str, list[str]] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    received: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    endpoint: str = ""
    callbacks: Callbacks | None = None

    def answer(self, path: str, fields: dict[str, str]) -> Answer:
        """What the supplier does with a request to `path` (its `supplier_app`)."""
        assert fields["sign"] == md5_sign(fields), "bad signature from the mapping"
        self.received.append(fields)
        number = fields["orderNo"]
        if path == "/query":
            state = self.state.get(number)
            return Answer(200, json.dumps({"code": "0000", "data": {
                "state": state or "UNKNOWN_ORDER", "tradeNo": f"T-{number}"}}).encode())
        steps = self.script.get(fields["mobile"], ["succeed"])
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        if step == "garbage":
            return Answer(502, b"<html>bad gateway</html>")
        if step == "hang_up":
            self.state[number] = "SUCCESS"           # it went through, we never heard
            return HANG_UP
        code, state, delay = {"succeed": ("0000", "SUCCESS", 0), "fail": ("2001", "FAIL", 0),
                              "pending": ("1001", "PROCESSING", 0),
                              "timeout": ("0000", "SUCCESS", LATE)}[step]
        self.state[number] = state
        return Answer(200, json.dumps({"code": code, "msg": step,
                                       "data": {"tradeNo": f"T-{number}"}}).encode(), delay)

    def callback(self, number: str, state: str) -> dict[str, str]:
        """The callback form the supplier posts for `number`."""
        fields = {"orderNo": number, "state": state, "tradeNo": f"T-{number}", "msg": state}
        return {**fields, "sign": md5_sign(fields)}

    def call_back(self, number: str, state: str) -> httpx.Response:
        """Post the callback for `number` reporting `state` to the platform over HTTP."""
        return self.post_callback(self.callback(number, state))

    def post_callback(self, form: dict[str, str]) -> httpx.Response:
        """Post `form` (signed or forged) to the platform as this supplier's callback."""
        assert self.callbacks is not None, "the fake supplier is not served"
        return self.callbacks.post("fake", form)
