"""A deliberately plain ledger, written apart from the engine, to test it against: dicts of
balances, a deep copy per chain, the rules spelt out one by one in order."""
from __future__ import annotations

import copy
from typing import Any

INT64_MAX = 2**63 - 1
KINDS = {"RECHARGE", "TRANSFER", "WITHDRAW", "REFUND", "FEE", "ADJUSTMENT"}


class ReferenceLedger:
    """Accounts as dicts; `submit` returns the code of each transfer of a batch."""

    def __init__(self, accounts: dict[int, dict[str, Any]]) -> None:
        self.accounts = copy.deepcopy(accounts)   # id → {ledger, dp, dpo, cp, cpo, rules}
        self.keys: dict[tuple[int, str], dict[str, Any]] = {}  # applied requests by key
        self.holds: dict[tuple[int, str], dict[str, Any]] = {}
        self.refunded: dict[tuple[int, str], int] = {}  # what refunds took back, by original
        self.now = 0.0

    def submit(self, batch: list[dict[str, Any]]) -> list[str]:
        codes: list[str] = []
        start = 0
        while start < len(batch):
            end = start
            while end < len(batch) - 1 and batch[end]["linked"]:
                end += 1
            chain = batch[start:end + 1]
            codes.extend(self._chain(chain))
            start = end + 1
        return codes

    def _chain(self, chain: list[dict[str, Any]]) -> list[str]:
        if chain[-1]["linked"]:
            return ["LINKED_EVENT_FAILED"] * (len(chain) - 1) + ["LINKED_EVENT_CHAIN_OPEN"]
        saved = copy.deepcopy((self.accounts, self.keys, self.holds, self.refunded))
        codes = []
        for transfer in chain:
            code = self._one(transfer)
            if code not in ("ok", "EXISTS"):
                self.accounts, self.keys, self.holds, self.refunded = saved
                return [code if t is transfer else "LINKED_EVENT_FAILED" for t in chain]
            codes.append(code)
        return codes

    def _one(self, t: dict[str, Any]) -> str:
        flags = t["pending"] + t["post"] + t["void"]
        if not (isinstance(t["key"], str) and 1 <= len(t["key"]) <= 64
                and all("!" <= c <= "~" for c in t["key"])):
            return "KEY_INVALID"
        if flags > 1:
            return "FLAGS_ARE_MUTUALLY_EXCLUSIVE"
        if t["amount"] > INT64_MAX:
            return "AMOUNT_OUT_OF_RANGE"
        if t["amount"] < 0 or (t["amount"] == 0 and not (t["post"] or t["void"])):
            return "AMOUNT_MUST_BE_POSITIVE"
        if t["kind"] not in KINDS:
            return "KIND_INVALID"
        if t["timeout"] < 0 or t["timeout"] > 10 * 366 * 86_400:
            return "TIMEOUT_INVALID"
        if t["timeout"] and not t["pending"]:
            return "TIMEOUT_RESERVED_FOR_PENDING"
        if (t["post"] or t["void"]) and not t["pending_key"]:
            return "PENDING_KEY_REQUIRED"
        if t["pending_key"] and not (t["post"] or t["void"]):
            return "PENDING_KEY_NOT_ALLOWED"
        if t["refund_of"] and (t["kind"] != "REFUND" or t["post"] or t["void"]):
            return "REFUND_OF_NOT_ALLOWED"
        if t["refund_of"] and t["pending"]:
            return "REFUND_CANNOT_BE_PENDING"
        key = (t["ledger"], t["key"])
        if key in self.keys:
            first = self.keys[key]
            mine = dict(t, linked=False)
            if t["post"] or t["void"] or t["refund_of"]:
                mine["debit"] = t["debit"] or first["debit"]
                mine["credit"] = t["credit"] or first["credit"]
            return "EXISTS" if mine == first else "EXISTS_WITH_DIFFERENT_FIELDS"
        if t["post"] or t["void"]:
            code = self._resolve(t)
        elif t["refund_of"]:
            code = self._refund(t)
        else:
            code = self._move(t)
        if code == "ok":
            stored = dict(t, linked=False)
            if t["post"] or t["void"]:  # a post or void is kept with its hold's accounts
                hold = self.holds[(t["ledger"], t["pending_key"])]
                stored.update(debit=hold["debit"], credit=hold["credit"])
            if t["refund_of"]:  # a refund, with its original's accounts swapped
                first = self.keys[(t["ledger"], t["refund_of"])]
                stored.update(debit=first["credit"], credit=first["debit"])
            self.keys[key] = stored
        return code

    def _move(self, t: dict[str, Any]) -> str:
        if t["debit"] is not None and t["debit"] == t["credit"]:
            return "SAME_ACCOUNT"
        if t["debit"] not in self.accounts or t["credit"] not in self.accounts:
            return "ACCOUNT_NOT_FOUND"
        d, c = self.accounts[t["debit"]], self.accounts[t["credit"]]
        if d["ledger"] != c["ledger"]:
            return "ACCOUNTS_MUST_HAVE_SAME_LEDGER"
        if d["ledger"] != t["ledger"]:
            return "TRANSFER_LEDGER_MISMATCH"
        if "CLOSED" in (d["status"], c["status"]):
            return "ACCOUNT_CLOSED"
        if "FROZEN" in (d["status"], c["status"]):
            return "ACCOUNT_FROZEN"
        a = t["amount"]
        if max(d["dp"] + d["dpo"], c["cp"] + c["cpo"]) + a > INT64_MAX:
            return "OVERFLOWS"
        if d["dmnec"] and d["dp"] + d["dpo"] + a > d["cpo"] + d["limit"]:
            return "EXCEEDS_CREDITS"
        if c["cmned"] and c["cp"] + c["cpo"] + a > c["dpo"] + c["limit"]:
            return "EXCEEDS_DEBITS"
        if t["pending"]:
            d["dp"] += a
            c["cp"] += a
            expires = self.now + t["timeout"] if t["timeout"] else None
            self.holds[(t["ledger"], t["key"])] = {
                "debit": t["debit"], "credit": t["credit"], "amount": a, "expires": expires,
                "status": "PENDING", "posted": 0}
        else:
            d["dpo"] += a
            c["cpo"] += a
        return "ok"

    def _resolve(self, t: dict[str, Any]) -> str:
        hold = self.holds.get((t["ledger"], t["pending_key"]))
        if hold is None:
            return "PENDING_NOT_FOUND"
        if t["debit"] not in (None, hold["debit"]) or t["credit"] not in (None, hold["credit"]):
            return "PENDING_ACCOUNTS_MISMATCH"
        if hold["status"] != "PENDING":
            return "PENDING_ALREADY_RESOLVED"
        d, c = self.accounts[hold["debit"]], self.accounts[hold["credit"]]
        posted = 0
        if t["post"]:
            if hold["expires"] is not None and hold["expires"] <= self.now:
                return "PENDING_EXPIRED"
            if t["amount"] > hold["amount"]:
                return "EXCEEDS_PENDING_AMOUNT"
            if "CLOSED" in (d["status"], c["status"]):
                return "ACCOUNT_CLOSED"
            if "FROZEN" in (d["status"], c["status"]):
                return "ACCOUNT_FROZEN"
            posted = t["amount"] or hold["amount"]
        elif t["amount"] not in (0, hold["amount"]):
            return "PENDING_AMOUNT_MISMATCH"
        d["dp"] -= hold["amount"]
        c["cp"] -= hold["amount"]
        d["dpo"] += posted
        c["cpo"] += posted
        hold["status"], hold["posted"] = ("POSTED", posted) if t["post"] else ("VOIDED", 0)
        return "ok"

    def _refund(self, t: dict[str, Any]) -> str:
        key = (t["ledger"], t["refund_of"])
        first = self.keys.get(key)
        if first is None:
            return "REFUND_ORIGINAL_NOT_FOUND"
        if first["kind"] == "REFUND":
            return "REFUND_OF_REFUND"
        if first["post"] or first["void"]:
            return "REFUND_OF_RESOLUTION"
        if first["pending"]:
            hold = self.holds[key]
            if hold["status"] != "POSTED":
                return "REFUND_ORIGINAL_NOT_POSTED"
            moved = hold["posted"]
        else:
            moved = first["amount"]
        if t["debit"] not in (None, first["credit"]) or t["credit"] not in (None, first["debit"]):
            return "REFUND_ACCOUNTS_MISMATCH"
        if self.refunded.get(key, 0) + t["amount"] > moved:
            return "EXCEEDS_REFUNDABLE"
        code = self._move(dict(t, debit=first["credit"], credit=first["debit"]))
        if code == "ok":
            self.refunded[key] = self.refunded.get(key, 0) + t["amount"]
        return code
