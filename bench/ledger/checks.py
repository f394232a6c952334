"""The ledger's invariants re-checked in SQL after a run: per ledger debits = credits
(pending and posted), and every account's balances = the sums of its entries."""
from __future__ import annotations

import sqlalchemy as sa

from modelry.boot import App


def check(app: App) -> str:
    """Raise AssertionError naming the first broken invariant; a summary line otherwise."""
    a = app.data.table(app.registry.model("account.Account"))
    e = app.data.table(app.registry.model("account.Entry"))
    t = app.data.table(app.registry.model("account.Transfer"))
    with app.engine.connect() as connection:
        for ledger, dp, cp, dpo, cpo in connection.execute(sa.select(
                a.c.ledger_id, sa.func.sum(a.c.debits_pending), sa.func.sum(a.c.credits_pending),
                sa.func.sum(a.c.debits_posted), sa.func.sum(a.c.credits_posted))
                .group_by(a.c.ledger_id)):
            assert dp == cp and dpo == cpo, f"ledger {ledger}: {dp}/{cp} pending, {dpo}/{cpo}"
        sums: dict[int, list[int]] = {}
        for account, side, pending, posted in connection.execute(sa.select(
                e.c.account_id, e.c.side, sa.func.sum(e.c.pending), sa.func.sum(e.c.posted))
                .group_by(e.c.account_id, e.c.side)):
            s = sums.setdefault(account, [0, 0, 0, 0])
            offset = 0 if side == "DEBIT" else 2
            s[offset], s[offset + 1] = int(pending), int(posted)
        accounts = 0
        for row in connection.execute(sa.select(a.c.id, a.c.debits_pending, a.c.debits_posted,
                                                a.c.credits_pending, a.c.credits_posted)):
            stored = [row.debits_pending, row.debits_posted, row.credits_pending,
                      row.credits_posted]
            assert sums.get(row.id, [0, 0, 0, 0]) == stored, f"account {row.id}: {stored}"
            accounts += 1
        transfers = connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        entries = connection.execute(sa.select(sa.func.count()).select_from(e)).scalar_one()
    assert entries == 2 * transfers, f"{entries} entries for {transfers} transfers"
    return (f"invariants hold: {accounts} accounts, {transfers} transfers, {entries} entries; "
            "debits = credits; balances = sums of entries")
