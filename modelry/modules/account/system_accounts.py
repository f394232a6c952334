"""Accounts a module keeps for itself in a ledger (a clearing account, a revenue account),
made on first use, and the other lookups modules that post to the ledger share: the ledger
of a currency, and an amount in its minor units."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from modelry import DataError, UniqueViolation, transaction
from modelry.modules.account.models import Account, AccountKind, Ledger


def ledger_for(currency: str) -> Any | None:
    """The ledger of `currency` (the first one made, when there are several), or None."""
    found = Ledger.query_list(currency=currency, sort="id", limit=1)
    return found[0] if found else None


def system_account(ledger: Any, code: str, kind: AccountKind, name: str) -> int:
    """The id of account `code` of `ledger`, made (of `kind`, named `name`) on first use;
    two callers making it at once get the same one."""
    found = Account.query_one(ledger=ledger.id, code=code)
    if found is not None:
        return found.id
    try:
        with transaction():
            return Account(ledger=ledger.id, code=code, kind=kind, name=name).create().id
    except UniqueViolation:                 # made meanwhile by a concurrent caller
        return Account.query_one(ledger=ledger.id, code=code).id


def minor_units(amount: Decimal, ledger: Any, what: str) -> int:
    """`amount` in `ledger`'s minor units; LEDGER_AMOUNT_TOO_FINE (naming `what`) when it
    has digits past them."""
    minor = Decimal(amount).scaleb(ledger.scale)
    if minor != minor.to_integral_value():
        raise DataError(f"account.Ledger {ledger.code!r}: {amount} of {what} is finer than "
                        f"its minor unit (scale {ledger.scale})",
                        code="LEDGER_AMOUNT_TOO_FINE", model="account.Ledger", field="scale")
    return int(minor)
