"""Bills post to the ledger: billing's `billing.Bill` `post` extension point, implemented
on the ledger. Billing is not imported (each module installs alone): the point passes
plain postings (bill id, key, the payer's account code, amount, currency), and this runs
only when both modules are installed.

Each bill is one FEE transfer keyed `bill-<id>` (its idempotency key, so posting a bill
twice answers EXISTS and moves nothing) from the payer's account to the billing revenue
account of the ledger in the bill's currency (code `revenue:billing`, kind REVENUE, made on
first use). A transfer the ledger refuses (e.g. EXCEEDS_CREDITS: the payer's guarded
account holds too little) leaves its bill unposted, due; the others post. A payer with no
account in such a ledger, or an amount finer than its minor unit, posts nothing.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from modelry import Call, ext_point
from modelry.modules.account import codes as C
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Account, AccountKind, Ledger
from modelry.modules.account.system_accounts import system_account

REVENUE = "revenue:billing"


@ext_point.implement("billing.Bill", "post")
def post_bills(call: Call) -> list[int]:
    """Post each bill from its payer's account; the ids of the bills posted."""
    postings: list[dict[str, Any]] = call.args[0]
    ledgers = {}
    for ledger in Ledger.query_list(currency__in=sorted({p["currency"] for p in postings}),
                                    sort="id"):
        ledgers.setdefault(ledger.currency, ledger)     # the first ledger of a currency
    accounts = {(a.ledger_id, a.code): a.id for a in Account.query_list(
        ledger__in=sorted(ledger.id for ledger in ledgers.values()),
        code__in=sorted({p["account"] for p in postings}))} if ledgers else {}
    transfers, bills = [], []
    for posting in postings:
        ledger = ledgers.get(posting["currency"])
        payer = None if ledger is None else accounts.get((ledger.id, posting["account"]))
        minor = Decimal(posting["amount"]).scaleb(ledger.scale) if ledger else None
        if payer is None or minor is None or minor != minor.to_integral_value():
            continue
        transfers.append(dict(ledger=ledger.code, key=posting["key"], kind="FEE",
                              debit_account=payer, credit_account=_revenue(ledger),
                              amount=int(minor), note=f"bill {posting['bill']}"))
        bills.append(posting["bill"])
    if not transfers:
        return []
    results = submit(transfers)
    return [bill for bill, result in zip(bills, results) if result.code in (C.OK, C.EXISTS)]


def _revenue(ledger: Any) -> int:
    """The id of the ledger's billing revenue account, made on first use."""
    return system_account(ledger, REVENUE, AccountKind.REVENUE, "Billing revenue")
