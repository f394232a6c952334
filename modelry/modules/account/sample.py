"""Sample data for `modelry serve --demo`: a euro wallet ledger with a chart of accounts,
a refund policy, and a few transfers (recharges, a hold and its post, a payment with its
fee, a voucher) so that balances and statements have something to show."""
from __future__ import annotations

from decimal import Decimal

from modelry.modules.account.functions import submit
from modelry.modules.account.models import Account, AccountKind, Ledger
from modelry.modules.account.refund_models import RefundPolicy

CHART = [("bank", "Bank (money in and out)", AccountKind.SUSPENSE, None, False),
         ("ann", "Ann's wallet", AccountKind.CUSTOMER_CASH, "Ann", True),
         ("ann-voucher", "Ann's vouchers", AccountKind.CUSTOMER_VOUCHER, "Ann", True),
         ("bob", "Bob's wallet", AccountKind.CUSTOMER_CASH, "Bob", True),
         ("shop", "Charging stations", AccountKind.MERCHANT, None, True),
         ("fees", "Fees earned", AccountKind.FEE, None, False),
         ("promotions", "Promotions given", AccountKind.REVENUE, None, False)]


def load_sample_data() -> int:
    """Create the sample ledger unless one with its code exists; how many transfers
    applied."""
    if Ledger.count(code="EUR"):
        return 0
    ledger = Ledger(code="EUR", name="Euro wallets", currency="EUR", scale=2).create()
    ids = {code: Account(ledger=ledger.id, code=code, name=name, kind=kind, owner=owner,
                         debits_must_not_exceed_credits=guarded).create().id
           for code, name, kind, owner, guarded in CHART}
    RefundPolicy(ledger=ledger.id, fee_rate=Decimal("0.006"), fee_account=ids["fees"],
                 payout_account=ids["bank"],
                 voucher_sink_account=ids["promotions"]).create()

    def move(key: str, debit: str | None, credit: str | None, amount: int,
             **flags: object) -> dict[str, object]:
        return {"ledger": "EUR", "key": key, "amount": amount, **flags,
                "debit_account": ids[debit] if debit else None,
                "credit_account": ids[credit] if credit else None}

    results = submit([
        move("recharge-ann-1", "bank", "ann", 20_000, kind="RECHARGE"),
        move("recharge-bob-1", "bank", "bob", 5_000, kind="RECHARGE"),
        move("voucher-ann-1", "promotions", "ann-voucher", 1_000, kind="ADJUSTMENT"),
        move("charge-ann-1", "ann", "shop", 3_000, pending=True, timeout=86_400),
        move("charge-ann-1-post", None, None, 2_150, post_pending=True,
             pending_key="charge-ann-1"),
        move("pay-bob-1", "bob", "shop", 1_200, linked=True),
        move("pay-bob-1-fee", "bob", "fees", 12, kind="FEE"),
    ])
    return sum(result.code == "ok" for result in results)
