"""The models of balance refund requests (see `refund_requests`): a policy per ledger, the
requests, the log of their steps, and the fee rule (a pure function)."""
from __future__ import annotations

import decimal
import enum

from modelry import Model, fields

FEE_RATE_SCALE = 6  # a rate of 0.006000 is 0.6 %


class RefundStatus(enum.Enum):
    """Where a refund request stands; also the step an event records."""

    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class RefundPolicy(Model, model="account.RefundPolicy", display_name="Refund policy"):
    """How a ledger's customers withdraw their cash: the operator's switch, the fee, and
    the accounts the cash, the fee and cleared vouchers go to."""

    ledger = fields.ManyToOne("account.Ledger", required=True, unique=True,
                              on_delete="RESTRICT")
    enabled = fields.Boolean(required=True, default=True,
                             help="off: new refund requests are refused (open ones can "
                                  "still be approved or rejected)")
    fee_rate = fields.Decimal(precision=9, scale=FEE_RATE_SCALE, required=True, default=0,
                              help="the fee as a fraction of the cash held, 0 to 1 "
                                   "(0.006 = 0.6 %), rounded half up to the minor unit")
    fee_account = fields.ManyToOne("account.Account", required=True, on_delete="RESTRICT")
    payout_account = fields.ManyToOne("account.Account", required=True, on_delete="RESTRICT",
                                      help="where withdrawn cash goes (e.g. a bank account)")
    voucher_sink_account = fields.ManyToOne("account.Account", on_delete="RESTRICT",
                                            help="where a requester's cleared vouchers go")


class RefundRequest(Model, model="account.RefundRequest", display_name="Refund request"):
    """A customer's request to withdraw its cash balance, held until an operator decides.
    Only the functions of `refund_requests` write it (every field is read-only to
    clients); amounts are in the ledger's minor units."""

    ledger = fields.ManyToOne("account.Ledger", required=True, on_delete="RESTRICT",
                              readonly=True)
    account = fields.ManyToOne("account.Account", required=True, on_delete="RESTRICT",
                               index=True, readonly=True, help="the customer's cash account")
    voucher_account = fields.ManyToOne("account.Account", on_delete="RESTRICT", readonly=True,
                                       help="the customer's voucher account, if cleared")
    status = fields.Enum(RefundStatus, required=True, default=RefundStatus.REQUESTED,
                         index=True, readonly=True)
    amount = fields.BigInteger(required=True, readonly=True,
                               help="the cash held: the available balance when requested")
    fee_rate = fields.Decimal(precision=9, scale=FEE_RATE_SCALE, required=True,
                              readonly=True, help="the policy's rate when requested")
    fee = fields.BigInteger(required=True, readonly=True,
                            help="kept on approval; the payout is amount - fee")
    fee_account = fields.ManyToOne("account.Account", required=True, on_delete="RESTRICT",
                                   readonly=True, help="the policy's fee account when "
                                                       "requested")
    vouchers_cleared = fields.BigInteger(required=True, default=0, readonly=True)
    hold_key = fields.String(size=64, readonly=True, help="the key of the hold's transfer")
    hold_transfer = fields.ManyToOne("account.Transfer", on_delete="RESTRICT", readonly=True)
    open_account = fields.BigInteger(unique=True, readonly=True,
                                     help="the account while the request is open, empty "
                                          "once decided: one open request per account")
    reason = fields.String(size=512, readonly=True, help="the customer's reason")
    requested_by = fields.BigInteger(readonly=True, help="the requesting user's id")
    decided_by = fields.BigInteger(readonly=True, help="the deciding user's id")
    decided_at = fields.DateTime(readonly=True)
    decision_reason = fields.String(size=512, readonly=True)


class RefundRequestEvent(Model, model="account.RefundRequestEvent",
                         display_name="Refund request event"):
    """One step of a refund request: what happened and why; who and when are the audit
    fields `create_uid` and `create_date`."""

    request = fields.ManyToOne("account.RefundRequest", required=True, on_delete="RESTRICT",
                               index=True, readonly=True)
    step = fields.Enum(RefundStatus, required=True, readonly=True)
    reason = fields.String(size=512, readonly=True)


def refund_fee(held: int, rate: decimal.Decimal) -> int:
    """The fee on `held` minor units at `rate` (a fraction): rounded half up to a whole
    minor unit: at 0.6 %, 75 pays 0 (0.45), 84 pays 1 (0.504), 750 pays 5 (4.5)."""
    with decimal.localcontext() as exact:
        exact.prec = 60  # a 64-bit amount times any stored rate, without rounding
        product = decimal.Decimal(held) * rate
        return int(product.quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))
