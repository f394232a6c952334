"""The order module's tables: orders, the callbacks providers sent, every status change,
the providers' settings, and the answer a callback gets."""
from __future__ import annotations

import enum

from modelry import Model, fields
from modelry.modules.order import states

# The status column takes exactly the states of the declared machine, by the same names.
OrderStatus = enum.Enum("OrderStatus", {state: state for state in states.STATES})  # type: ignore[misc]

CALLBACK_KEY = ("provider", "event_id")


class Order(Model, model="order.Order", display_name="Order"):
    """What a merchant asks a customer to pay. Only the module's functions change its
    status and refunded amount (read-only to clients), one compare-and-set at a time."""

    reference = fields.String(size=64, required=True, unique=True,
                              help="the order's reference, as providers report it")
    merchant = fields.String(size=64, required=True, index=True)
    amount = fields.Money(required=True)
    currency = fields.String(size=3, required=True)
    status = fields.Enum(OrderStatus, required=True, default=OrderStatus.CREATED, index=True,
                         readonly=True)
    refunded = fields.Money(required=True, default=0, readonly=True,
                            help="the total refunded so far, within what was paid")
    provider = fields.String(size=32, help="the provider the customer pays through")
    # where the money goes and what it buys: set by create_order, never by a client later
    payer = fields.String(size=64, readonly=True,
                          help="the payer's ledger account code, credited when paid (with "
                               "the account module installed)")
    item = fields.String(size=64, readonly=True,
                         help='what is sold, e.g. "plan:PRO" or "package:SMS-100"')


class Callback(Model, model="order.Callback", display_name="Payment callback",
               unique=[CALLBACK_KEY]):
    """One callback as a provider sent it, kept with the answer it got. A verified one is
    stored once per (provider, event id), so a redelivery finds it and changes nothing; one
    whose signature or body is bad has no event id (its claimed id is not trusted, so it
    cannot block the genuine event)."""

    provider = fields.String(size=32, required=True, readonly=True)
    event_id = fields.String(size=128, readonly=True)
    order = fields.ManyToOne("order.Order", on_delete="RESTRICT", index=True, readonly=True)
    kind = fields.String(size=16, readonly=True, help="paid, failed or refunded")
    headers = fields.Json(readonly=True)
    body = fields.Text(readonly=True, help="the raw body, as received")
    signature_ok = fields.Boolean(required=True, default=False, readonly=True)
    result_code = fields.String(size=40, required=True, readonly=True,
                                help='"ok", or the code it was rejected with')
    outcome = fields.String(size=16, readonly=True,
                            help="applied, duplicate or stale, when accepted")
    status_after = fields.String(size=32, readonly=True,
                                 help="the order's status once the callback was handled")
    message = fields.String(size=512, readonly=True)


class StatusLog(Model, model="order.StatusLog", display_name="Order status change"):
    """One applied transition of an order: from, to, the event, who and why; when is
    `changed_at` (and the audit field `create_date`)."""

    order = fields.ManyToOne("order.Order", required=True, on_delete="RESTRICT", index=True,
                             readonly=True)
    from_state = fields.Enum(OrderStatus, required=True, readonly=True)
    to_state = fields.Enum(OrderStatus, required=True, readonly=True)
    event = fields.String(size=32, required=True, readonly=True)
    who = fields.BigInteger(readonly=True, help="the acting user's id (none: anonymous)")
    why = fields.String(size=256, readonly=True)
    callback = fields.ManyToOne("order.Callback", on_delete="RESTRICT", readonly=True)
    changed_at = fields.DateTime(required=True, readonly=True)


class ProviderConfig(Model, model="order.ProviderConfig", display_name="Payment provider"):
    """A payment provider the module accepts callbacks from: its code (as callbacks name
    it), its kind (the implementation, see `receiving.PROVIDER_KINDS`) and its secret."""

    code = fields.String(size=32, required=True, unique=True)
    kind = fields.String(size=32, required=True, default="local")
    secret = fields.Secret(required=True)
    tolerance_seconds = fields.Integer(required=True, default=300,
                                       help="how old a signed timestamp may be, either side")
    active = fields.Boolean(required=True, default=True)
    requery_after_seconds = fields.Integer(
        required=True, default=600,
        help="the janitor asks the provider about payments started longer ago than this")


class Merchant(Model, model="order.Merchant", display_name="Merchant",
               name="orderMerchant"):
    """Who sells: where to notify them of their orders' changes (`notify_url`, POSTed to),
    and the secret the notifications are signed with (HMAC-SHA256, optional). Its technical
    name is its own (`orderMerchant`), so it sits beside `channel.Merchant`."""

    code = fields.String(size=64, required=True, unique=True, help="as order.Order names it")
    name = fields.String(size=128)
    notify_url = fields.String(size=512)
    secret = fields.Secret()


class CallbackAnswer(Model, model="order.CallbackAnswer", kind="transient"):
    """What `receive_callback` answers: `code` "ok" (accepted, `outcome` applied, duplicate
    or stale) or a rejection code; `redelivered` when the event was received before (the
    first answer, repeated)."""

    code = fields.String(size=40)
    outcome = fields.String(size=16)
    message = fields.String(size=512)
    callback = fields.BigInteger()
    order = fields.String(size=64, help="the order's reference")
    status = fields.String(size=32, help="the order's status after the callback")
    redelivered = fields.Boolean()
