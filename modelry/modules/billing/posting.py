"""Bills reach a ledger through an extension point, so billing installs alone: billing
declares `billing.Bill` `post` (by default nothing is posted), and a ledger module
implements it (the account module does, in `account.bill_posting`).

`post` gets a list of plain postings — bill id, idempotency key `bill-<id>`, the payer's
account code, amount, currency — and answers the ids of the bills it posted. A posted
bill is PAID and leaves its payer's arrears; one the ledger refused (too little money on
the account) stays OPEN, in the arrears that credit control watches.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from modelry import directives, ext_point
from modelry.directives import Directive
from modelry.modules.billing.bills import Bill, BillStatus
from modelry.modules.billing.subscriptions import Customer

BILL = "billing.Bill"


@ext_point.declare(BILL, "post")
def post(postings: list[dict[str, Any]]) -> list[int]:
    """The ids of the bills posted to a ledger (none without a ledger module)."""
    return []


def post_bills(ids: Sequence[int]) -> list[int]:
    """Offer the OPEN bills with these ids whose payer has a ledger account to the ledger;
    mark those it posted PAID and take them off their payers' arrears."""
    bills = Bill.query_list(id__in=sorted(set(ids)), status=BillStatus.OPEN, posted=False,
                            total__gt=0, sort="id") if ids else []
    payers = {c.id: c for c in Customer.query_list(
        id__in=sorted({b.payer_id for b in bills}), account__ne=None)} if bills else {}
    postings = [{"bill": bill.id, "key": f"bill-{bill.id}", "account": payers[bill.payer_id]
                 .account, "amount": bill.total, "currency": bill.currency,
                 "customer": payers[bill.payer_id].code}
                for bill in bills if bill.payer_id in payers]
    if not postings:
        return []
    with directives.scope(directives.current() | Directive.EXT_POINT):
        posted = sorted(set(post(postings)) & {p["bill"] for p in postings})
    if posted:
        Bill.update_where({"id__in": posted}, status=BillStatus.PAID, posted=True)
        paid: dict[int, Decimal] = defaultdict(Decimal)
        for bill in bills:
            if bill.id in posted:
                paid[bill.payer_id] -= bill.total
        Customer.increment_batch({payer: {"arrears": owed} for payer, owed in paid.items()})
    return posted
