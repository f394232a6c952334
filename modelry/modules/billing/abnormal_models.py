"""Abnormal usage kept for review: `billing.AbnormalRecord` (an event `ingest` would not
rate, as it was received), its audit log `billing.AbnormalReview`, and the
`billing.UsagePolicy` that says which times are plausible."""
from __future__ import annotations

import datetime as dt
import enum

from modelry import Model, fields

# used while no billing.UsagePolicy row exists
DEFAULT_FLOOR = dt.datetime(2000, 1, 1)
DEFAULT_FUTURE_TOLERANCE = 300      # seconds: a source's clock a little ahead is fine


class AbnormalKind(enum.Enum):
    """HARD: the event's times are impossible; SOFT: it lacks what rating needs."""

    HARD = "HARD"
    SOFT = "SOFT"


class AbnormalStatus(enum.Enum):
    """OPEN until a reviewer corrects it (then rated) or rejects it; decided once."""

    OPEN = "OPEN"
    CORRECTED = "CORRECTED"
    REJECTED = "REJECTED"


class UsagePolicy(Model, model="billing.UsagePolicy", display_name="Usage policy"):
    """Which times `ingest` accepts: not before `floor` (naive UTC; a device whose battery
    died boots in 1999) and at most `future_tolerance` seconds ahead of now. The row with
    the smallest id applies; without one, 2000-01-01 and 300 seconds."""

    floor = fields.DateTime(required=True)
    future_tolerance = fields.Integer(required=True, default=DEFAULT_FUTURE_TOLERANCE)


class AbnormalRecord(Model, model="billing.AbnormalRecord", display_name="Abnormal record",
                     unique=[("tenant", "source", "event_id")]):
    """A usage event with a hard or soft error, as it was received (never stored as a
    `billing.UsageEvent` nor rated), once per (tenant, source, event id); `usage_event` is
    the usage event its correction stored."""

    tenant = fields.String(required=True, size=64, readonly=True)
    source = fields.String(required=True, size=64, readonly=True)
    event_id = fields.String(required=True, size=128, readonly=True)
    product = fields.String(required=True, size=64, readonly=True, help="its code")
    timestamp = fields.DateTime(readonly=True)
    started_at = fields.DateTime(readonly=True)
    ended_at = fields.DateTime(readonly=True)
    quantity = fields.Decimal(24, 6, readonly=True)
    amount = fields.Decimal(24, 8, readonly=True)
    properties = fields.Json(readonly=True)
    payload = fields.Json(readonly=True, help="the canonical fields the hash is of")
    payload_hash = fields.String(required=True, size=64, readonly=True)
    kind = fields.Enum(AbnormalKind, required=True, readonly=True)
    code = fields.String(required=True, size=40, readonly=True)
    message = fields.String(size=256, readonly=True)
    status = fields.Enum(AbnormalStatus, required=True, default=AbnormalStatus.OPEN,
                         readonly=True)
    usage_event = fields.ManyToOne("billing.UsageEvent", on_delete="RESTRICT", readonly=True)


class AbnormalReview(Model, model="billing.AbnormalReview", display_name="Abnormal review"):
    """One decision on an abnormal record: who (`user_id`, the session's user), when
    (`create_date`), what changed (`changes`: field → [received, corrected]) and why."""

    record = fields.ManyToOne("billing.AbnormalRecord", required=True, on_delete="RESTRICT",
                              index=True, readonly=True)
    status = fields.Enum(AbnormalStatus, required=True, readonly=True)
    user_id = fields.BigInteger(readonly=True, help="the reviewer's user id")
    changes = fields.Json(readonly=True)
    reason = fields.String(required=True, size=512, readonly=True)
