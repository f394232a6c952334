"""How recharge orders move money in the ledger (the account module), keyed by the order so
that no step ever moves money twice:

- accepted: a hold of the merchant's price on the merchant's balance account, for the
  module's clearing account (`recharge-<id>`); a balance too small refuses the order;
- succeeded: one linked batch, all or nothing: the hold posted, the cost paid to the
  supplier's account, each agent's profit credited to its account, the platform's profit
  to `channel:revenue` (keys `recharge-<id>-post`, `-cost`, `-share-<level>`, `-profit`);
- failed: the hold voided (`recharge-<id>-void`).
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


def settle(order: Any, supplier_account: str, shares: list[tuple[Any, Any]]) -> None:
    """Post the hold and pay the cost, the agents' profits and the platform's, linked.
    `shares`: (share, agent) pairs."""
    ledger = _ledger(order.currency)
    clearing = system_account(ledger, CLEARING, AccountKind.SUSPENSE,
                              "Recharge orders in progress")
    key = f"recharge-{order.id}"
    batch = [dict(ledger=ledger.code, key=f"{key}-post", post_pending=True, pending_key=key,
                  amount=0)]
    payouts = [(f"{key}-cost", _account(ledger, supplier_account, "the supplier"), order.cost)]
    for share, agent in shares:
        payouts.append((f"{key}-share-{share.level}",
                        _account(ledger, agent.account, f"agent {agent.code!r}"), share.profit))
    payouts.append((f"{key}-profit", system_account(ledger, REVENUE, AccountKind.REVENUE,
                                                    "Recharge margins"),
                    order.platform_profit))
    for transfer_key, account, amount in payouts:
        minor = minor_units(amount, ledger, transfer_key)
        if minor > 0:
            batch.append(dict(ledger=ledger.code, key=transfer_key, debit_account=clearing,
                              credit_account=account, amount=minor))
        elif minor < 0:                      # a loss at this level: it pays the difference
            batch.append(dict(ledger=ledger.code, key=transfer_key, debit_account=account,
                              credit_account=clearing, amount=-minor))
    for transfer in batch[:-1]:
        transfer["linked"] = True
    _submit(batch, order)


def release(order: Any) -> None:
    """Void the hold of a failed order."""
    ledger = _ledger(order.currency)
    key = f"recharge-{order.id}"
    _submit([dict(ledger=ledger.code, key=f"{key}-void", void_pending=True, pending_key=key,
                  amount=0)], order)
