"""How recharge orders move money in the ledger (the account module), keyed by the order so
that no step ever moves money twice:

- accepted: a hold of the merchant's price on the merchant's balance account, for the
  module's clearing account (`recharge-<id>`); a balance too small refuses the order;
- succeeded: one linked batch, all or nothing: the hold posted, the cost paid to the
  supplier's account, each agent's profit credited to its account, the platform's profit
  to `channel:revenue` (keys `recharge-<id>-post`, `-cost`, `-share-<level>`, `-profit`);
- failed: the hold voided (`recharge-<id>-void`);
- refunded: every movement of the success given back, linked (`recharge-<id>-refund`
  for the merchant's price, `-refund-cost`, `-refund-share-<level>`, `-refund-profit`).
"""
from __future__ import annotations

from typing import Any

from modelry import DataError
from modelry.modules.account import codes as C
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Account, AccountKind
from modelry.modules.account.system_accounts import ledger_for, minor_units, system_account

CLEARING = "channel:clearing"
REVENUE = "channel:revenue"
MODEL = "channel.RechargeOrder"


def _ledger(currency: str) -> Any:
    ledger = ledger_for(currency)
    if ledger is None:
        raise DataError(f"{MODEL}: no account.Ledger in {currency}", code="LEDGER_NOT_FOUND",
                        model="account.Ledger", field="currency")
    return ledger


def _account(ledger: Any, code: str, whose: str) -> int:
    found = Account.query_one(ledger=ledger.id, code=code)
    if found is None:
        raise DataError(f"{MODEL}: {whose} has no account {code!r} in ledger {ledger.code!r}",
                        code="ACCOUNT_NOT_FOUND", model="account.Account", field="code")
    return found.id


def _submit(transfers: list[dict[str, Any]], order: Any) -> None:
    results = submit(transfers)
    refused = [r for r in results if r.code not in (C.OK, C.EXISTS)]
    if refused:
        first = refused[0]
        code = "INSUFFICIENT_FUNDS" if first.code == C.EXCEEDS_CREDITS else first.code
        raise DataError(f"{MODEL} {order.merchant_order_no!r}: the ledger refused "
                        f"{first.key!r}: {first.code}", code=code, model=MODEL,
                        field="amount")


def hold(order: Any, merchant: Any) -> None:
    """Hold the merchant's price on its balance account (INSUFFICIENT_FUNDS when short)."""
    ledger = _ledger(order.currency)
    _submit([dict(ledger=ledger.code, key=f"recharge-{order.id}", pending=True,
                  debit_account=_account(ledger, merchant.account, f"merchant {merchant.code!r}"),
                  credit_account=system_account(ledger, CLEARING, AccountKind.SUSPENSE,
                                                "Recharge orders in progress"),
                  amount=minor_units(order.merchant_price, ledger, "a recharge price"),
                  note=f"recharge {order.merchant_order_no}"[:256])], order)


def _payouts(order: Any, ledger: Any, supplier_account: str,
             shares: list[tuple[Any, Any]]) -> list[tuple[str, int, int]]:
    """(key suffix, account id, minor units) of what a success pays out of clearing: the
    cost, each agent's profit, the platform's (negative: that party pays it in)."""
    payouts = [("cost", _account(ledger, supplier_account, "the supplier"), order.cost)]
    for share, agent in shares:
        payouts.append((f"share-{share.level}",
                        _account(ledger, agent.account, f"agent {agent.code!r}"), share.profit))
    payouts.append(("profit", system_account(ledger, REVENUE, AccountKind.REVENUE,
                                             "Recharge margins"), order.platform_profit))
    return [(suffix, account, minor_units(amount, ledger, f"{suffix} of a recharge"))
            for suffix, account, amount in payouts]


def _linked(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for transfer in batch[:-1]:
        transfer["linked"] = True
    return batch


def settle(order: Any, supplier_account: str, shares: list[tuple[Any, Any]]) -> None:
    """Post the hold and pay the cost, the agents' profits and the platform's, linked.
    `shares`: (share, agent) pairs."""
    ledger = _ledger(order.currency)
    clearing = system_account(ledger, CLEARING, AccountKind.SUSPENSE,
                              "Recharge orders in progress")
    key = f"recharge-{order.id}"
    batch = [dict(ledger=ledger.code, key=f"{key}-post", post_pending=True, pending_key=key,
                  amount=0)]
    for suffix, account, minor in _payouts(order, ledger, supplier_account, shares):
        if minor > 0:
            batch.append(dict(ledger=ledger.code, key=f"{key}-{suffix}",
                              debit_account=clearing, credit_account=account, amount=minor))
        elif minor < 0:                      # a loss at this level: it pays the difference
            batch.append(dict(ledger=ledger.code, key=f"{key}-{suffix}", debit_account=account,
                              credit_account=clearing, amount=-minor))
    _submit(_linked(batch), order)


def release(order: Any) -> None:
    """Void the hold of a failed order."""
    ledger = _ledger(order.currency)
    key = f"recharge-{order.id}"
    _submit([dict(ledger=ledger.code, key=f"{key}-void", void_pending=True, pending_key=key,
                  amount=0)], order)


def reverse(order: Any, supplier_account: str, shares: list[tuple[Any, Any]]) -> None:
    """Give back what `settle` moved, linked: each payout refunded to clearing, then the
    merchant's price refunded from clearing to the merchant."""
    ledger = _ledger(order.currency)
    key = f"recharge-{order.id}"
    batch = [dict(ledger=ledger.code, key=f"{key}-refund-{suffix}", kind="REFUND",
                  refund_of=f"{key}-{suffix}", amount=abs(minor))
             for suffix, _, minor in _payouts(order, ledger, supplier_account, shares)
             if minor != 0]
    batch.append(dict(ledger=ledger.code, key=f"{key}-refund", kind="REFUND",
                      refund_of=key, amount=minor_units(order.merchant_price, ledger,
                                                        "a refund")))
    _submit(_linked(batch), order)
