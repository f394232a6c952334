"""What a billing run writes: one `billing.Bill` per subscription and period (a unique
set, so a rerun or two concurrent runs never bill twice) and its `billing.BillLine`s."""
from __future__ import annotations

import enum

from modelry import Model, fields
from modelry.modules.billing.catalogue import MarkupKind

BILL_KEY = ("subscription", "period_start")


class BillStatus(enum.Enum):
    """OPEN: due (counted in the payer's arrears); PAID: settled (posted to its ledger
    account, or paid by a recharge); VOID: cancelled, owes nothing."""

    OPEN = "OPEN"
    PAID = "PAID"
    VOID = "VOID"


class LineKind(enum.Enum):
    """FEE: the plan's or package's fee; USAGE: a charge's usage; OVERAGE: usage past a
    package quota."""

    FEE = "FEE"
    USAGE = "USAGE"
    OVERAGE = "OVERAGE"


class Bill(Model, model="billing.Bill", display_name="Bill", unique=[BILL_KEY]):
    """The bill of `subscription` for the period [`period_start`, `period_end`), to
    `payer`: `total` is exactly the sum of its lines' `net` (each rounded half up to the
    currency's minor unit once); `discount_total` what discounts took off."""

    subscription = fields.ManyToOne("billing.Subscription", required=True,
                                    on_delete="RESTRICT", readonly=True)
    customer = fields.ManyToOne("billing.Customer", required=True, on_delete="RESTRICT",
                                readonly=True, index=True)
    payer = fields.ManyToOne("billing.Customer", required=True, on_delete="RESTRICT",
                             readonly=True, index=True)
    period_start = fields.Date(required=True, readonly=True)
    period_end = fields.Date(required=True, readonly=True)
    currency = fields.String(required=True, size=3, readonly=True)
    total = fields.Decimal(24, 8, required=True, default=0, readonly=True)
    discount_total = fields.Decimal(24, 8, required=True, default=0, readonly=True)
    status = fields.Enum(BillStatus, required=True, default=BillStatus.OPEN, readonly=True,
                         index=True)
    issued_on = fields.Date(required=True, readonly=True)
    posted = fields.Boolean(required=True, default=False, readonly=True,
                            help="posted to the payer's ledger account")
    lines = fields.OneToMany("billing.BillLine", inverse="bill")


class BillLine(Model, model="billing.BillLine", display_name="Bill line"):
    """One line: `amount` before discounts, `discount_amount` off, `net` = amount −
    discount_amount; `label` shows it as the customer sees it, e.g. "200 (50% off)". The
    usage dates [`usage_start`, `usage_end`) may be the previous period's (pay in
    advance); the exchange rate and the markup it was priced with are copied onto it."""

    bill = fields.ManyToOne("billing.Bill", required=True, on_delete="CASCADE", index=True,
                            readonly=True)
    position = fields.Integer(required=True, readonly=True)
    kind = fields.Enum(LineKind, required=True, readonly=True)
    description = fields.String(required=True, size=256, readonly=True)
    product = fields.ManyToOne("billing.Product", on_delete="RESTRICT", readonly=True)
    charge = fields.ManyToOne("billing.Charge", on_delete="RESTRICT", readonly=True)
    quantity = fields.Decimal(24, 6, readonly=True)
    unit_price = fields.Decimal(24, 8, readonly=True)
    usage_start = fields.Date(readonly=True)
    usage_end = fields.Date(readonly=True)
    amount = fields.Decimal(24, 8, required=True, readonly=True)
    discount = fields.ManyToOne("billing.Discount", on_delete="RESTRICT", readonly=True)
    discount_amount = fields.Decimal(24, 8, required=True, default=0, readonly=True)
    net = fields.Decimal(24, 8, required=True, readonly=True)
    currency = fields.String(required=True, size=3, readonly=True)
    fx_rate = fields.Decimal(24, 10, readonly=True)
    markup_kind = fields.Enum(MarkupKind, readonly=True)
    markup_value = fields.Decimal(24, 8, readonly=True)
    label = fields.String(size=128, readonly=True)
