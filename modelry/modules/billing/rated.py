"""`billing.RatedLine`: what one usage event cost under one charge, with everything it was
priced with (unit price, currencies, exchange rate, markup), so that a later change of a
price or a rate never re-prices it."""
from __future__ import annotations

from modelry import Model, fields
from modelry.modules.billing.catalogue import MarkupKind


class RatedLine(Model, model="billing.RatedLine", display_name="Rated line",
                unique=[("event", "charge")]):
    """One per (event, charge): an event is never rated twice by one charge."""

    event = fields.ManyToOne("billing.UsageEvent", required=True, on_delete="RESTRICT")
    charge = fields.ManyToOne("billing.Charge", required=True, on_delete="RESTRICT")
    tenant = fields.String(required=True, size=64, help="the event's, for billing runs")
    timestamp = fields.DateTime(required=True, index=True, help="the event's (naive UTC)")
    quantity = fields.Decimal(24, 6, required=True)
    unit_price = fields.Decimal(24, 8, help="in price_currency, when one explains the amount")
    price_currency = fields.String(required=True, size=3)
    amount = fields.Decimal(24, 8, required=True, help="in currency, rounded half up once")
    currency = fields.String(required=True, size=3)
    fx_rate = fields.Decimal(24, 10, help="price_currency → currency (empty: the same)")
    markup_kind = fields.Enum(MarkupKind)
    markup_value = fields.Decimal(24, 8)
    markup_amount = fields.Decimal(24, 8, default=0)
