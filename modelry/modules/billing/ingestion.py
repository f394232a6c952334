"""`ingest`: store a batch of usage events once each, and rate the new ones at once.

Idempotency lives in the database: (tenant, source, event_id) is a unique set. A batch is
validated, hashed and priced before anything is written (`rating.price_events`), then
inserted with one `insert_bulk(..., skip_existing=EVENT_KEY)`, in key order: a key
already stored, or committed meanwhile by a concurrent batch (the insert waits for it),
is skipped, not an error, so nothing is locked or read first and concurrent batches
overlap. Only the skipped keys are read (one statement), and answered DUPLICATE (same
payload: accepted and ignored) or CONFLICT (another payload: refused); the lines of the
events inserted follow in one more statement. A concurrent clash on an abnormal record's
key is read and inserted again in a savepoint (`modelry.transaction()`), as
`account.apply` does.

The payload hash is the SHA-256 (hex) of the canonical JSON of the event's fields:
`tenant`, `source`, `event_id`, `product` (its code), `timestamp` (ISO 8601, naive UTC
to the microsecond; an aware time is converted to UTC first), `quantity` and `amount`
(plain decimals without exponent or trailing zeros; `amount` null when absent) and
`properties` (null when absent), keys sorted, no spaces, UTF-8; `started_at` and
`ended_at` (ISO 8601 like `timestamp`) only when given, so the hash of an event without
them is unchanged. An event given `started_at` but no `timestamp` happened at its start.

Abnormal events (`abnormal_checks`: a time before the policy's floor or in the future,
an end before the start, no time at all, no amount for a percentage charge) are neither
stored as usage events nor rated: they are kept as `billing.AbnormalRecord` rows (one
`insert_bulk`, once per key: a redelivery with the same payload answers the same record,
with another payload CONFLICT) and answered ABNORMAL with the record's id, for a
reviewer to correct or reject (`abnormal`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from modelry import DataError, UniqueViolation, function, in_transaction, transaction
from modelry.modules.billing.abnormal_checks import (Abnormality, abnormality,
                                                     products_needing_amount, time_bounds)
from modelry.modules.billing.abnormal_models import AbnormalRecord, AbnormalStatus
from modelry.modules.billing.catalogue import Product
from modelry.modules.billing.money import plain
from modelry.modules.billing.rated import RatedLine
from modelry.modules.billing.rating import EventLines, EventView, price_events
from modelry.modules.billing.usage import EVENT_KEY, IngestResult, UsageEvent, UsageRecord

MAX_BATCH = 10_000
OK, DUPLICATE, CONFLICT = "ok", "DUPLICATE", "CONFLICT"
PRODUCT_UNKNOWN, EVENT_INVALID = "PRODUCT_UNKNOWN", "EVENT_INVALID"
ABNORMAL = "ABNORMAL"

Key = tuple[str, str, str]


@dataclass(slots=True)
class _Answer:
    """What `ingest` answers for one event, made into its `billing.IngestResult` once all
    is decided (a record's fields cost more to set one by one)."""

    code: str | None = None
    event: int | None = None
    rated: int = 0
    message: str | None = None
    abnormal: int | None = None
    abnormal_code: str | None = None


@dataclass(slots=True)
class _Event:
    """One valid input event: its key, its hash and the row it would be stored as; an
    abnormal one (`abnormal`) is kept as a `billing.AbnormalRecord` instead."""

    index: int
    key: Key
    hash: str
    product_code: str
    timestamp: dt.datetime | None
    quantity: Decimal
    amount: Decimal | None
    properties: Any
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    payload: dict[str, Any] | None = None
    abnormal: Abnormality | None = None
    lines: EventLines | None = None      # priced before it is stored


def canonical(event: Any) -> dict[str, Any]:
    """A usage event's fields as its payload hash reads them (module docstring)."""
    return _canonical(_given(event))


def _given(event: Any) -> dict[str, Any]:
    """The input fields of an event (a dict or a record), read once."""
    if isinstance(event, dict):
        return {name: event.get(name) for name in _INPUT}
    return {name: getattr(event, name, None) for name in _INPUT}


_INPUT = ("tenant", "source", "event_id", "product", "timestamp", "started_at", "ended_at",
          "quantity", "amount", "properties")


def _canonical(given: dict[str, Any]) -> dict[str, Any]:
    amount = given["amount"]
    fields = {
        "tenant": given["tenant"], "source": given["source"],
        "event_id": given["event_id"], "product": given["product"],
        "timestamp": _iso(given["timestamp"]),
        "quantity": plain(Decimal(given["quantity"] or 0)),
        "amount": None if amount is None else plain(Decimal(amount)),
        "properties": given["properties"],
    }
    for name in ("started_at", "ended_at"):
        if given[name] is not None:
            fields[name] = _iso(given[name])
    return fields


def payload_hash(event: Any) -> str:
    """The SHA-256 of the canonical JSON of a usage event's fields (module docstring)."""
    return _hash_of(canonical(event))


def _hash_of(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def canonical_json(fields: dict[str, Any]) -> bytes:
    """The canonical JSON (UTF-8) of an event's fields: `json.dumps(sort_keys=True,
    separators=(",", ":"), ensure_ascii=False)`, written by orjson (6x faster, the same
    bytes) when every value is one both write alike: texts, booleans, nulls, integers
    within 64 bits, lists and dicts keyed by text (floats are not: 1e-07 is 1e-7 there)."""
    if _alike(fields):
        try:
            return orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:   # an integer past 64 bits, a lone surrogate
            pass
    return _CANONICAL_JSON.encode(fields).encode("utf-8", "surrogatepass")


def _alike(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or type(item) not in _SCALARS and not _alike(item):
                return False
        return True
    if kind is list:
        for item in value:
            if type(item) not in _SCALARS and not _alike(item):
                return False
        return True
    return kind in _SCALARS


_SCALARS = frozenset({str, int, bool, type(None)})   # written alike by both encoders


# json.dumps with these options would build an encoder per call
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else _utc(moment).isoformat(timespec="microseconds")


def _get(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _invalid(given: dict[str, Any]) -> str | None:
    """Why an input event (its `_given` fields) cannot be stored, or None."""
    for name in ("tenant", "source", "event_id", "product"):
        if given[name] in (None, ""):
            return f"{name} is required"
    quantity, amount = given["quantity"] or 0, given["amount"]
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
    PRODUCT_UNKNOWN, EVENT_INVALID, or ABNORMAL with the id of the
    `billing.AbnormalRecord` it is kept as, not rated). Part of the caller's transaction,
    or in one of its own outside one."""
    if len(events) > MAX_BATCH:
        raise DataError(f"billing.UsageEvent.ingest: {len(events)} events in one batch; at "
                        f"most {MAX_BATCH}", code="BATCH_TOO_LARGE", model="billing.UsageEvent")
    results = [_Answer() for _ in events]
    valid: list[_Event] = []
    for index, event in enumerate(events):
        given = _given(event)
        why = _invalid(given)
        if why is not None:
            _answer(results[index], EVENT_INVALID, message=f"billing.UsageEvent: {why}")
            continue
        started = _utc(given["started_at"])
        fields = _canonical(given)
        amount = given["amount"]
        valid.append(_Event(index, (given["tenant"], given["source"], given["event_id"]),
                            _hash_of(fields), given["product"],
                            _utc(given["timestamp"]) or started,
                            Decimal(given["quantity"] or 0),
                            None if amount is None else Decimal(amount), given["properties"],
                            started, _utc(given["ended_at"]), fields))
    # the reads before the write, in one read-only transaction of their own (on PostgreSQL
    # no BEGIN or COMMIT at all), or in the caller's
    with nullcontext() if in_transaction() else transaction(readonly=True):
        products = {p.code: p.id for p in Product.query_list(
            code__in=sorted({e.product_code for e in valid}))} if valid else {}
        known = []
        for event in valid:
            if event.product_code in products:
                known.append(event)
            else:
                _answer(results[event.index], PRODUCT_UNKNOWN, message=f"billing.Product: "
                        f"no product with code {event.product_code!r}")
        if known:
            _classify(known, products)
            _price(known, products)
    # a clash means a concurrent batch committed an abnormal record of one of these keys,
    # which the next attempt reads: at most one attempt per key, however many batches race
    for attempt in range(len(known) + 1):
        try:
            with transaction():       # the caller's (a savepoint), or one of its own
                _store(known, products, results, retry=attempt > 0)
            break
        except UniqueViolation as clash:
            if tuple(clash.fields) != EVENT_KEY or attempt == len(known):
                raise
    return [IngestResult(index=index, event_id=_get(event, "event_id"), code=answer.code,
                         event=answer.event, rated=answer.rated, message=answer.message,
                         abnormal=answer.abnormal, abnormal_code=answer.abnormal_code)
            for index, (event, answer) in enumerate(zip(events, results))]


def _classify(events: Sequence[_Event], products: dict[str, int]) -> None:
    """Mark the abnormal events (two reads: the policy, the percentage charges)."""
    bounds = time_bounds()
    needing = products_needing_amount(products[event.product_code] for event in events)
    for event in events:
        times = {"timestamp": event.timestamp, "started_at": event.started_at,
                 "ended_at": event.ended_at}
        event.abnormal = abnormality(times, event.amount,
                                     products[event.product_code] in needing, bounds)


def _price(events: Sequence[_Event], products: dict[str, int]) -> None:
    """Price the events to be rated before the transaction, so that concurrent batches
    price while another holds the products' locks; a repeat's lines are never written."""
    rated = [event for event in events if event.abnormal is None]
    priced = price_events([EventView(None, products[event.product_code],  # type: ignore[arg-type]
                                     event.timestamp, event.quantity, event.amount,
                                     event.key[0]) for event in rated])
    for event, lines in zip(rated, priced):
        event.lines = lines


def _store(events: Sequence[_Event], products: dict[str, int], results: list[_Answer],
           retry: bool = False) -> None:
    """Insert the batch's new events (a key stored already is skipped, not read first),
    answer the repeats from what is stored, write the new events' lines, keep the
    abnormal ones."""
    if retry:                                 # a retry answers afresh
        for event in events:
            _answer(results[event.index], None)
    firsts = list({event.key: event for event in reversed(events)}.values())
    inserted = _insert_new([event for event in firsts if event.abnormal is None], products)
    stored = _stored([event for event in firsts if event.key not in inserted])
    kept = _stored([event for event in events if event.abnormal is not None], AbnormalRecord)
    first: dict[Key, _Event] = {}
    odd: list[_Event] = []
    for event in events:
        earlier = stored.get(event.key)
        if event.abnormal is not None and event.key in kept:
            number, digest = kept[event.key]
            _abnormal(results[event.index], event.hash == digest, number, event.abnormal)
        elif earlier is not None:
            _repeat(results[event.index], event.hash == earlier[1], earlier[0])
        elif event.key in first:
            results[event.index].code = DUPLICATE if first[event.key].hash == event.hash \
                else CONFLICT
        else:
            first[event.key] = event
            if event.abnormal is not None:
                odd.append(event)
    kept_ids = _keep(odd)
    for event in events:
        result = results[event.index]
        if result.code is None and event.abnormal is not None:
            _abnormal(result, True, kept_ids[event.key], event.abnormal)
        elif result.code is None:
            number = inserted.get(event.key)
            if number is None:
                raise DataError(f"billing.UsageEvent: event {event.key[2]!r} was stored "
                                "when this batch was inserted, and is gone", model=
                                "billing.UsageEvent", code="EVENT_DELETED")
            assert event.lines is not None
            _answer(result, OK, number, len(event.lines.rows))
            failed = event.lines.failure
            if failed is not None:
                result.message = f"not rated by charge {failed[0]!r}: {failed[1].message}"[:256]
        elif result.event is None and event.key in inserted:   # repeated in the batch
            _repeat(result, result.code == DUPLICATE, inserted[event.key])
        elif result.abnormal is None and event.key in kept_ids:
            _abnormal(result, result.code == DUPLICATE, kept_ids[event.key],
                      first[event.key].abnormal)


def _insert_new(events: list[_Event], products: dict[str, int]) -> dict[Key, int]:
    """Insert the events (one statement, in key order) but those whose key is stored, and
    write the lines of those inserted; their ids by key."""
    if not events:
        return {}
    events.sort(key=lambda event: event.key)
    ids = UsageEvent.insert_bulk([
        {"tenant": e.key[0], "source": e.key[1], "event_id": e.key[2],
         "product": products[e.product_code], "timestamp": e.timestamp,
         "started_at": e.started_at, "ended_at": e.ended_at, "quantity": e.quantity,
         "amount": e.amount, "properties": e.properties, "payload_hash": e.hash}
        for e in events], returning_ids=True, skip_existing=EVENT_KEY)
    new = [(event, number) for event, number in zip(events, ids) if number is not None]
    _write_lines(new)
    return {event.key: number for event, number in new}


def _write_lines(new: Sequence[tuple[_Event, int]]) -> None:
    """The priced lines of the events just stored, under their ids (one statement): new
    events, so no line of theirs can exist yet."""
    rows = []
    for event, number in new:
        assert event.lines is not None
        for row in event.lines.rows:
            row["event"] = number
        rows += event.lines.rows
    if rows:
        RatedLine.insert_bulk(rows)


def _keep(events: list[_Event]) -> dict[Key, int]:
    """Insert the abnormal events as records (one statement); their ids by key."""
    if not events:
        return {}
    events.sort(key=lambda event: event.key)
    ids = AbnormalRecord.insert_bulk([
        {"tenant": e.key[0], "source": e.key[1], "event_id": e.key[2],
         "product": e.product_code, "timestamp": e.timestamp,
         "started_at": e.started_at, "ended_at": e.ended_at, "quantity": e.quantity,
         "amount": e.amount, "properties": e.properties, "payload": e.payload,
         "payload_hash": e.hash, "kind": e.abnormal.kind, "code": e.abnormal.code,
         "message": e.abnormal.message[:256], "status": AbnormalStatus.OPEN}
        for e in events], returning_ids=True)
    return {event.key: number for event, number in zip(events, ids)}


def _abnormal(result: _Answer, same: bool, record: int,
              why: Abnormality | None) -> None:
    if same and why is not None:
        _answer(result, ABNORMAL, message=f"billing.AbnormalRecord: {why.code}: "
                f"{why.message}"[:256], abnormal=record, abnormal_code=why.code)
    else:
        _answer(result, CONFLICT, message="billing.AbnormalRecord: this event id was kept "
                "as abnormal with another payload", abnormal=record)


def _repeat(result: _Answer, same: bool, stored_id: int) -> None:
    if same:
        _answer(result, DUPLICATE, stored_id)
    else:
        _answer(result, CONFLICT, stored_id, message="billing.UsageEvent: this event id was "
                "stored with another payload")


def _answer(result: _Answer, code: str | None, event: int | None = None, rated: int = 0,
            message: str | None = None, abnormal: int | None = None,
            abnormal_code: str | None = None) -> None:
    result.code, result.event, result.rated, result.message = code, event, rated, message
    result.abnormal, result.abnormal_code = abnormal, abnormal_code


def _stored(events: Sequence[_Event], model: Any = UsageEvent) -> dict[Key, tuple[int, str]]:
    """The id and hash of every key of `events` stored in `model` (one statement)."""
    if not events:
        return {}
    wanted = {event.key for event in events}
    rows = model.query_list(tenant__in=sorted({k[0] for k in wanted}),
                            source__in=sorted({k[1] for k in wanted}),
                            event_id__in=sorted({k[2] for k in wanted}))
    return {(r.tenant, r.source, r.event_id): (r.id, r.payload_hash) for r in rows
            if (r.tenant, r.source, r.event_id) in wanted}
