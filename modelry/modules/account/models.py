"""The ledger's models: ledgers, accounts, transfers and their entries (amounts are integers
in the ledger's minor units, never floats)."""
from __future__ import annotations

import enum

from modelry import Model, fields


class AccountKind(enum.Enum):
    """The chart of accounts: what an account holds, so that reports can total by kind."""

    CUSTOMER_CASH = "CUSTOMER_CASH"
    CUSTOMER_VOUCHER = "CUSTOMER_VOUCHER"  # promotional credit: never withdrawn as cash
    MERCHANT = "MERCHANT"
    REVENUE = "REVENUE"
    FEE = "FEE"
    RECEIVABLE = "RECEIVABLE"
    SUSPENSE = "SUSPENSE"


class AccountStatus(enum.Enum):
    """Whether money may move on an account."""

    ACTIVE = "ACTIVE"
    FROZEN = "FROZEN"
    CLOSED = "CLOSED"


class TransferKind(enum.Enum):
    """Why money moved."""

    RECHARGE = "RECHARGE"
    TRANSFER = "TRANSFER"
    WITHDRAW = "WITHDRAW"
    REFUND = "REFUND"
    FEE = "FEE"
    ADJUSTMENT = "ADJUSTMENT"


class TransferStatus(enum.Enum):
    """A transfer's effect: posted, or a hold that is pending, posted or voided."""

    POSTED = "POSTED"
    PENDING = "PENDING"
    VOIDED = "VOIDED"


class EntrySide(enum.Enum):
    """Which side of its transfer an entry records."""

    DEBIT = "DEBIT"
    CREDIT = "CREDIT"


class Ledger(Model, model="account.Ledger", display_name="Ledger"):
    """A book of accounts in one currency; amounts in it are integers of 10^-scale units."""

    code = fields.String(required=True, size=32, unique=True)
    name = fields.String(required=True, size=128)
    currency = fields.String(required=True, size=3, help="ISO 4217 code, e.g. EUR")
    scale = fields.Integer(required=True, default=2, help="digits of the minor unit")


class Account(Model, model="account.Account", display_name="Account",
              unique=[("ledger", "code")]):
    """An account of a ledger, its `code` unique in the ledger. Its four balances change
    only through transfers."""

    ledger = fields.ManyToOne("account.Ledger", required=True, on_delete="RESTRICT")
    code = fields.String(required=True, size=64)
    name = fields.String(size=128)
    owner = fields.String(size=128, help="who owns it (free text, or a partner's reference)")
    kind = fields.Enum(AccountKind, required=True, default=AccountKind.CUSTOMER_CASH,
                       index=True)
    status = fields.Enum(AccountStatus, required=True, default=AccountStatus.ACTIVE)
    debits_must_not_exceed_credits = fields.Boolean(default=False)
    credits_must_not_exceed_debits = fields.Boolean(default=False)
    credit_limit = fields.BigInteger(default=0, help="how far the flag's limit may be passed")
    debits_pending = fields.BigInteger(required=True, default=0, readonly=True)
    debits_posted = fields.BigInteger(required=True, default=0, readonly=True)
    credits_pending = fields.BigInteger(required=True, default=0, readonly=True)
    credits_posted = fields.BigInteger(required=True, default=0, readonly=True)


class Transfer(Model, model="account.Transfer", display_name="Transfer"):
    """A movement of money between two accounts of a ledger; immutable once written (a
    hold's `status` and `amount_posted` record how it was resolved).

    The client's `key` is unique per ledger through `ledger_key` = "<ledger id>:<key>": one
    unique column, so that a batch spanning ledgers looks all its keys up with one IN
    (a `unique=[("ledger", "key")]` set would need one lookup per ledger). Transfers and entries
    are appended in bulk: their references are checked once per statement by the data
    manager (`constraint=False`), not by a foreign key's trigger per row.
    """

    ledger = fields.ManyToOne("account.Ledger", required=True, constraint=False)
    key = fields.String(required=True, size=64)
    ledger_key = fields.String(required=True, size=96, unique=True)
    debit_account = fields.ManyToOne("account.Account", required=True, constraint=False)
    credit_account = fields.ManyToOne("account.Account", required=True, constraint=False)
    amount = fields.BigInteger(required=True, help="as requested (0 on a post: all of it)")
    amount_posted = fields.BigInteger(default=0)
    kind = fields.Enum(TransferKind, required=True, default=TransferKind.TRANSFER)
    pending = fields.Boolean(default=False)
    post_pending = fields.Boolean(default=False)
    void_pending = fields.Boolean(default=False)
    pending_key = fields.String(size=64, help="the key of the hold a post or void resolves")
    pending_transfer = fields.ManyToOne("account.Transfer", constraint=False,
                                        help="the hold a post or void resolves")
    timeout = fields.Integer(default=0, help="seconds a hold lives (0: until resolved)")
    expires_at = fields.BigInteger(help="when a hold expires, in seconds since the epoch")
    refund_of = fields.String(size=64, help="the key of the transfer a refund gives back")
    refunded_transfer = fields.ManyToOne("account.Transfer", constraint=False,
                                         help="the transfer a refund gives back")
    note = fields.String(size=256)
    status = fields.Enum(TransferStatus, required=True, index=True)
    code = fields.String(size=40, default="ok", help="the result code it was applied with")


class Entry(Model, model="account.Entry", display_name="Entry"):
    """One side of a transfer on one account: signed changes of that side's pending and
    posted totals, and the account's posted balance (credits - debits) after it."""

    account = fields.ManyToOne("account.Account", required=True, constraint=False)
    transfer = fields.ManyToOne("account.Transfer", required=True, constraint=False)
    side = fields.Enum(EntrySide, required=True)
    pending = fields.BigInteger(required=True, default=0)
    posted = fields.BigInteger(required=True, default=0)
    balance = fields.BigInteger(required=True)


class TransferRequest(Model, model="account.TransferRequest", kind="transient"):
    """One transfer of a `submit` batch, as a client sends it."""

    ledger = fields.String(size=32, help="the ledger's code")
    key = fields.String(size=64)
    debit_account = fields.BigInteger(help="account id (a post or void may leave it out)")
    credit_account = fields.BigInteger()
    amount = fields.BigInteger(default=0)
    kind = fields.Enum(TransferKind, default=TransferKind.TRANSFER)
    pending = fields.Boolean(default=False)
    post_pending = fields.Boolean(default=False)
    void_pending = fields.Boolean(default=False)
    pending_key = fields.String(size=64)
    timeout = fields.Integer(default=0)
    linked = fields.Boolean(default=False)
    note = fields.String(size=256)
    refund_of = fields.String(size=64, help="a REFUND's original: the key of the transfer "
                                            "it gives back (its accounts may be left out)")


class TransferResult(Model, model="account.TransferResult", kind="transient"):
    """The answer for one transfer of a batch: `code` is "ok" or why it was refused."""

    index = fields.Integer()
    key = fields.String(size=64)
    code = fields.String(size=40)
    transfer_id = fields.BigInteger()


class Balance(Model, model="account.Balance", kind="transient"):
    """An account's balances: `posted` = credits - debits posted; `available` also takes
    off the debits held."""

    account = fields.BigInteger()
    debits_pending = fields.BigInteger()
    debits_posted = fields.BigInteger()
    credits_pending = fields.BigInteger()
    credits_posted = fields.BigInteger()
    posted = fields.BigInteger()
    available = fields.BigInteger()


class StatementLine(Model, model="account.StatementLine", kind="transient"):
    """One entry of a statement, with the running posted balance after it."""

    entry = fields.BigInteger()
    transfer = fields.BigInteger()
    key = fields.String(size=64)
    kind = fields.String(size=16)
    date = fields.DateTime()
    side = fields.String(size=8)
    pending = fields.BigInteger()
    posted = fields.BigInteger()
    balance = fields.BigInteger()
    note = fields.String(size=256)
