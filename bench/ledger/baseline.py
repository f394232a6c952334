"""The naive baseline: one transaction per transfer, `SELECT ... FOR UPDATE` on both
accounts (in id order), two balance UPDATEs, the transfer and its two entries inserted,
in plain SQLAlchemy Core on the module's own tables."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from modelry.boot import App


class Baseline:
    """Transfers written the obvious way, on `app`'s engine and tables."""

    def __init__(self, app: App, ledger: int) -> None:
        self.engine = app.engine
        self.ledger = ledger
        self.accounts = app.data.table(app.registry.model("account.Account"))
        self.transfers = app.data.table(app.registry.model("account.Transfer"))
        self.entries = app.data.table(app.registry.model("account.Entry"))

    def transfer(self, key: str, debit: int, credit: int, amount: int) -> int:
        """Apply one transfer in its own transaction; 1 when applied, 0 when refused."""
        a, e, t = self.accounts, self.entries, self.transfers
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self.engine.begin() as connection:
            rows = {row.id: row for row in connection.execute(
                sa.select(a.c.id, a.c.debits_posted, a.c.credits_posted, a.c.status)
                .where(a.c.id.in_((debit, credit))).order_by(a.c.id).with_for_update())}
            if len(rows) != 2 or any(row.status != "ACTIVE" for row in rows.values()):
                return 0
            for number, column in ((debit, a.c.debits_posted), (credit, a.c.credits_posted)):
                connection.execute(sa.update(a).where(a.c.id == number)
                                   .values({column: column + amount, a.c.write_date: now}))
            number = connection.execute(sa.insert(t).values(
                ledger_id=self.ledger, key=key, ledger_key=f"{self.ledger}:{key}",
                debit_account_id=debit, credit_account_id=credit, amount=amount,
                amount_posted=amount, kind="TRANSFER", pending=False, post_pending=False,
                void_pending=False, timeout=0, status="POSTED", code="ok", create_date=now,
                write_date=now).returning(t.c.id)).scalar_one()
            d, c = rows[debit], rows[credit]
            connection.execute(sa.insert(e), [
                {"account_id": debit, "transfer_id": number, "side": "DEBIT", "pending": 0,
                 "posted": amount, "create_date": now, "write_date": now,
                 "balance": d.credits_posted - d.debits_posted - amount},
                {"account_id": credit, "transfer_id": number, "side": "CREDIT", "pending": 0,
                 "posted": amount, "create_date": now, "write_date": now,
                 "balance": c.credits_posted - c.debits_posted + amount}])
        return 1
