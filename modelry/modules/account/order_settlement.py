"""Paid orders move money: the order module's `settle` and `reverse` extension points,
implemented on the ledger. The order module is not imported (each installs alone): the
points pass plain data (see `modelry.modules.order.settlement`), and these run only when
both modules are installed.

- An order paid with a `payer` (an account code) credits that account, in the ledger of
  the order's currency, from the provider's clearing account (code `clearing:<provider>`,
  e.g. `clearing:local` or `clearing:manual`; kind SUSPENSE, made on first use): one
  RECHARGE transfer keyed `order-<order id>`, so a second settlement of the same order
  answers EXISTS and moves nothing.
- Each refund part moves back: a REFUND of that transfer keyed
  `order-<order id>-refund-<status log id>`, which the ledger keeps within what was
  credited (EXCEEDS_REFUNDABLE) and the payer's guard within what is left on the account.
- An order without a payer moves nothing. A payer that is no account of a ledger in the
  order's currency, an amount finer than the ledger's minor unit, or a transfer the ledger
  refuses raises ORDER_SETTLEMENT_FAILED naming the account: the order's change is undone.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from modelry import Call, DataError, UniqueViolation, ext_point, transaction
from modelry.modules.account import codes as C
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Account, AccountKind, Ledger

ORDER = "order.Order"
SETTLEMENT_FAILED = "ORDER_SETTLEMENT_FAILED"


@ext_point.implement(ORDER, "settle")
@ext_point.implement(ORDER, "reverse")
def move_money(call: Call) -> None:
    """An order was paid (credit its payer from the provider's clearing account) or a part
    of it refunded (move that part back)."""
    order = call.kwargs
    found = _payer(order)
    if found is None:
        return
    ledger, payer = found
    paid = f"order-{order['order_id']}"
    if order["kind"] == "paid":
        transfer = dict(key=paid, kind="RECHARGE", credit_account=payer.id,
                        debit_account=_clearing(ledger, order["provider"] or "manual"),
                        note=f"order {order['reference']}")
    else:
        transfer = dict(key=f"{paid}-refund-{order['transition']}", kind="REFUND",
                        refund_of=paid, note=f"refund of order {order['reference']}")
    transfer.update(ledger=ledger.code, amount=_minor(order, ledger),
                    note=transfer["note"][:256])
    (result,) = submit([transfer])
    if result.code not in (C.OK, C.EXISTS):
        raise DataError(f"account.Transfer {transfer['key']!r} for order "
                        f"{order['reference']!r} was refused: {result.code}",
                        code=SETTLEMENT_FAILED, model="account.Transfer", field="amount")


def _payer(order: dict[str, Any]) -> tuple[Any, Any] | None:
    """(ledger, account) of the order's payer, None when it has none."""
    code = order.get("payer")
    if not code:
        return None
    ledgers = {ledger.id: ledger for ledger in Ledger.query_list(currency=order["currency"])}
    accounts = Account.query_list(code=code, ledger_id__in=sorted(ledgers)) if ledgers else []
    if len(accounts) != 1:
        how = "no account" if not accounts else f"{len(accounts)} accounts"
        raise DataError(f"account.Account: {how} with code {code!r} in a {order['currency']} "
                        f"ledger, to credit order {order['reference']!r} to",
                        code=SETTLEMENT_FAILED, model="account.Account", field="code")
    return ledgers[accounts[0].ledger_id], accounts[0]


def _clearing(ledger: Any, provider: str) -> int:
    """The id of the provider's clearing account in `ledger`, made on first use."""
    code = f"clearing:{provider}"[:64]
    found = Account.query_one(ledger=ledger.id, code=code)
    if found is not None:
        return found.id
    try:
        with transaction():
            return Account(ledger=ledger.id, code=code, kind=AccountKind.SUSPENSE,
                           name=f"Payments received through {provider}",
                           owner=provider).create().id
    except UniqueViolation:              # made meanwhile by a concurrent settlement
        return Account.query_one(ledger=ledger.id, code=code).id


def _minor(order: dict[str, Any], ledger: Any) -> int:
    """The order's amount in the ledger's minor units; an error if it does not fit."""
    minor = Decimal(order["amount"]).scaleb(ledger.scale)
    if minor != minor.to_integral_value():
        raise DataError(f"account.Ledger {ledger.code!r}: {order['amount']} "
                        f"{order['currency']} of order {order['reference']!r} is finer than "
                        f"its minor unit (scale {ledger.scale})", code=SETTLEMENT_FAILED,
                        model="account.Ledger", field="scale")
    return int(minor)

