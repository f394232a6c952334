"""`ingest`: store a batch of usage events once each, and rate the new ones at once.

Idempotency lives in the database: (tenant, source, event_id) is a unique set. A batch
locks the products it names (`Product.lock`, in id order), reads the keys it names (one
statement), answers DUPLICATE (same payload: accepted and ignored) or CONFLICT (another
payload: refused) for those already stored, and inserts the others with one
`insert_bulk`, in key order. The product locks queue concurrent batches of one product
instead of letting them race on the unique index: there, a batch that clashes and rolls
its savepoint back frees rows two others wait on, and InnoDB answers them with a
deadlock that kills their whole transaction. A key that still races (one event id sent
with two different products) trips the unique set: the batch is then read and inserted
again in a savepoint (`modelry.transaction()`), as `account.apply` does.

The payload hash is the SHA-256 (hex) of the canonical JSON of the event's fields:
`tenant`, `source`, `event_id`, `product` (its code), `timestamp` (ISO 8601, naive UTC
to the microsecond; an aware time is converted to UTC first), `quantity` and `amount`
(plain decimals without exponent or trailing zeros; `amount` null when absent) and
`properties` (null when absent), keys sorted, no spaces, UTF-8.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from modelry import DataError, UniqueViolation, function, transaction
from modelry.modules.billing.catalogue import Product
from modelry.modules.billing.money import plain
from modelry.modules.billing.rating import EventView, rate_events
from modelry.modules.billing.usage import EVENT_KEY, IngestResult, UsageEvent, UsageRecord

MAX_BATCH = 10_000
OK, DUPLICATE, CONFLICT = "ok", "DUPLICATE", "CONFLICT"
PRODUCT_UNKNOWN, EVENT_INVALID = "PRODUCT_UNKNOWN", "EVENT_INVALID"

Key = tuple[str, str, str]


@dataclass
class _Event:
    """One valid input event: its key, its hash and the row it would be stored as."""

    index: int
    key: Key
    hash: str
    product_code: str
    timestamp: dt.datetime
    quantity: Decimal
    amount: Decimal | None
    properties: Any


def payload_hash(event: Any) -> str:
    """The SHA-256 of the canonical JSON of a usage event's fields (module docstring)."""
    amount = _get(event, "amount")
    canonical = {
        "tenant": _get(event, "tenant"), "source": _get(event, "source"),
        "event_id": _get(event, "event_id"), "product": _get(event, "product"),
        "timestamp": _utc(_get(event, "timestamp")).isoformat(timespec="microseconds"),
        "quantity": plain(Decimal(_get(event, "quantity") or 0)),
        "amount": None if amount is None else plain(Decimal(amount)),
        "properties": _get(event, "properties"),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _invalid(event: Any) -> str | None:
    """Why an input event cannot be stored, or None."""
    for name in ("tenant", "source", "event_id", "product", "timestamp"):
        if _get(event, name) in (None, ""):
            return f"{name} is required"
    quantity, amount = _get(event, "quantity") or 0, _get(event, "amount")
    for name, value in (("quantity", quantity), ("amount", amount)):
        if value is not None and not _finite(value):
            return f"{name} {value!r} is not a finite decimal"
    if Decimal(quantity) < 0:
        return f"quantity {quantity} is negative"
    if Decimal(quantity).as_tuple().exponent < -6:  # type: ignore[operator]
        return f"quantity {quantity} has more than 6 decimal places"
    return None


def _finite(value: Any) -> bool:
    if isinstance(value, float | bool):
        return False
    try:
        return Decimal(value).is_finite()
    except (ArithmeticError, TypeError, ValueError):
        return False


@function(open_level="API", type="CREATE", namespace="billing.UsageEvent")
def ingest(events: list[UsageRecord]) -> list[IngestResult]:
    """Store each event once per (tenant, source, event_id) and rate the new ones: one
    result per event, in order ("ok", DUPLICATE with the stored id, CONFLICT,
    PRODUCT_UNKNOWN or EVENT_INVALID). Part of the caller's transaction, or in one of its
    own outside one."""
    if len(events) > MAX_BATCH:
        raise DataError(f"billing.UsageEvent.ingest: {len(events)} events in one batch; at "
                        f"most {MAX_BATCH}", code="BATCH_TOO_LARGE", model="billing.UsageEvent")
    results = [IngestResult(index=index, event_id=_get(event, "event_id"))
               for index, event in enumerate(events)]
    valid: list[_Event] = []
    for index, event in enumerate(events):
        why = _invalid(event)
        if why is not None:
            _answer(results[index], EVENT_INVALID, message=f"billing.UsageEvent: {why}")
            continue
        valid.append(_Event(index, (_get(event, "tenant"), _get(event, "source"),
                                    _get(event, "event_id")),
                            payload_hash(event), _get(event, "product"),
                            _utc(_get(event, "timestamp")),
                            Decimal(_get(event, "quantity") or 0),
                            None if _get(event, "amount") is None
                            else Decimal(_get(event, "amount")), _get(event, "properties")))
    products = {p.code: p.id for p in Product.query_list(
        code__in=sorted({e.product_code for e in valid}))} if valid else {}
    known = []
    for event in valid:
        if event.product_code in products:
            known.append(event)
        else:
            _answer(results[event.index], PRODUCT_UNKNOWN,
                    message=f"billing.Product: no product with code {event.product_code!r}")
    with transaction():               # the caller's (a savepoint), or one of its own
        if known:
            Product.lock(sorted({products[event.product_code] for event in known}))
        # each clash means a concurrent batch committed one of these keys, which the next
        # attempt reads: at most one attempt per key, however many batches race
        for attempt in range(len(known) + 1):
            try:
                with transaction():
                    _store(known, products, results)
                return results
            except UniqueViolation as clash:
                if tuple(clash.fields) != EVENT_KEY or attempt == len(known):
                    raise
    return results


def _store(events: Sequence[_Event], products: dict[str, int],
           results: list[IngestResult]) -> None:
    """Read the stored keys, answer repeats, insert and rate the rest (in a savepoint)."""
    for event in events:                      # a retry answers afresh
        _answer(results[event.index], None)
    stored = _stored(events)
    first: dict[Key, _Event] = {}
    new: list[_Event] = []
    for event in events:
        earlier = stored.get(event.key)
        if earlier is not None:
            _repeat(results[event.index], event.hash == earlier[1], earlier[0])
        elif event.key in first:
            results[event.index].code = DUPLICATE if first[event.key].hash == event.hash \
                else CONFLICT
        else:
            first[event.key] = event
            new.append(event)
    new.sort(key=lambda event: event.key)
    ids = UsageEvent.insert_bulk([
        {"tenant": e.key[0], "source": e.key[1], "event_id": e.key[2],
         "product": products[e.product_code], "timestamp": e.timestamp,
         "quantity": e.quantity, "amount": e.amount, "properties": e.properties,
         "payload_hash": e.hash} for e in new], returning_ids=True) if new else []
    stored_ids = {event.key: number for event, number in zip(new, ids)}
    rated = rate_events([EventView(number, products[event.product_code], event.timestamp,
                                   event.quantity, event.amount)
                         for event, number in zip(new, ids)], fresh=True)
    for event in events:
        result = results[event.index]
        if result.code is None:
            number = stored_ids[event.key]
            _answer(result, OK, number, rated.lines.get(number, 0))
            failed = rated.failures.get(number)
            if failed is not None:
                result.message = f"not rated by charge {failed[0]!r}: {failed[1].message}"[:256]
        elif result.event is None and event.key in stored_ids:   # repeated in the batch
            _repeat(result, result.code == DUPLICATE, stored_ids[event.key])


def _repeat(result: IngestResult, same: bool, stored_id: int) -> None:
    if same:
        _answer(result, DUPLICATE, stored_id)
    else:
        _answer(result, CONFLICT, stored_id, message="billing.UsageEvent: this event id was "
                "stored with another payload")


def _answer(result: IngestResult, code: str | None, event: int | None = None, rated: int = 0,
            message: str | None = None) -> None:
    result.code, result.event, result.rated, result.message = code, event, rated, message


def _stored(events: Sequence[_Event]) -> dict[Key, tuple[int, str]]:
    """The stored id and hash of every key of `events` (one statement)."""
    if not events:
        return {}
    wanted = {event.key for event in events}
    rows = UsageEvent.query_list(tenant__in=sorted({k[0] for k in wanted}),
                                 source__in=sorted({k[1] for k in wanted}),
                                 event_id__in=sorted({k[2] for k in wanted}))
    return {(r.tenant, r.source, r.event_id): (r.id, r.payload_hash) for r in rows
            if (r.tenant, r.source, r.event_id) in wanted}
