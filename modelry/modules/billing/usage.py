"""Usage as it arrives: `billing.UsageEvent`, stored once per (tenant, source, event id),
and the transient input and result of `ingest`."""
from __future__ import annotations

from modelry import Model, fields

EVENT_KEY = ("tenant", "source", "event_id")


class UsageEvent(Model, model="billing.UsageEvent", display_name="Usage event",
                 unique=[EVENT_KEY]):
    """Something a tenant used, as its source reported it; `payload_hash` (see
    `ingestion.payload_hash`) tells a repeat of the same event from a conflicting one."""

    tenant = fields.String(required=True, size=64)
    source = fields.String(required=True, size=64)
    # indexed alone: `ingest` looks a batch's keys up by event id (its tenants and sources
    # only filter), each key one probe; the unique set leads with the tenant, and a batch of
    # many tenants there is a probe per (tenant, event id) pair, or a scan of the table
    event_id = fields.String(required=True, size=128, index=True)
    product = fields.ManyToOne("billing.Product", required=True, on_delete="RESTRICT")
    timestamp = fields.DateTime(required=True, help="when it happened (naive UTC)")
    started_at = fields.DateTime(help="when a usage with a duration started (naive UTC)")
    ended_at = fields.DateTime(help="when it ended (naive UTC)")
    quantity = fields.Decimal(24, 6, required=True, default=0)
    amount = fields.Decimal(24, 8, help="an amount a percentage charge takes a share of")
    properties = fields.Json()
    payload_hash = fields.String(required=True, size=64)


class UsageRecord(Model, model="billing.UsageRecord", kind="transient"):
    """One event of an `ingest` batch, as a source sends it (`product` is its code). Not
    named UsageEventInput: GraphQL's input type of `billing.UsageEvent` has that name."""

    tenant = fields.String(size=64)
    source = fields.String(size=64)
    event_id = fields.String(size=128)
    product = fields.String(size=64)
    timestamp = fields.DateTime(help="when it happened; started_at when absent")
    started_at = fields.DateTime()
    ended_at = fields.DateTime()
    quantity = fields.Decimal(24, 6, default=0)
    amount = fields.Decimal(24, 8)
    properties = fields.Json()


class IngestResult(Model, model="billing.IngestResult", kind="transient"):
    """The answer for one event of a batch: `code` "ok" (stored), DUPLICATE (stored
    before with the same payload: ignored), CONFLICT (stored before with another payload:
    refused), PRODUCT_UNKNOWN, EVENT_INVALID or ABNORMAL (kept as the
    `billing.AbnormalRecord` `abnormal`, not rated; `abnormal_code` says why); `event` is
    the stored event's id."""

    index = fields.Integer()
    event_id = fields.String(size=128)
    code = fields.String(size=40)
    event = fields.BigInteger()
    rated = fields.Integer(help="lines rated for it now")
    abnormal = fields.BigInteger(help="the billing.AbnormalRecord it is kept as")
    abnormal_code = fields.String(size=40)
    message = fields.String(size=256)
