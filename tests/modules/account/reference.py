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
        saved = copy.deepcopy((self.accounts, self.keys, self.holds))
        codes = []
        for transfer in chain:
            code = self._one(transfer)
            if code not in ("ok", "EXISTS"):
                self.accounts, self.keys, self.holds = saved
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
        key = (t["ledger"], t["key"])
        if key in self.keys:
            first = self.keys[key]
            mine = dict(t, linked=False)
            if t["post"] or t["void"]:
                mine["debit"] = t["debit"] or first["debit"]
                mine["credit"] = t["credit"] or first["credit"]
            return "EXISTS" if mine == first else "EXISTS_WITH_DIFFERENT_FIELDS"
        code = self._resolve(t) if t["post"] or t["void"] else self._move(t)
        if code == "ok":
            stored = dict(t, linked=False)
            if t["post"] or t["void"]:  # a post or void is kept with its hold's accounts
                hold = self.holds[(t["ledger"], t["pending_key"])]
                stored.update(debit=hold["debit"], credit=hold["credit"])
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
                "resolved": False}
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
        if hold["resolved"]:
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
        hold["resolved"] = True
        return "ok"
