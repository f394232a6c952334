"""Real-time rating: each usage event priced under every per-event charge of its product
(STANDARD, PACKAGE, PERCENTAGE, TIME_OF_DAY) into one `billing.RatedLine` per (event,
charge), with the exchange rate and the markup copied onto the line. A charge of a price
plan rates only the events of tenants subscribed to that plan on the event's day; a
charge without a plan rates every tenant's.

Set-based: a batch of events costs one read each of charges, day segments, exchange rates
and the lines already rated, then one `insert_bulk`; an (event, charge) already rated is
left as it is, so rating again changes nothing. GRADUATED and VOLUME charges price a
period's total, not an event: billing runs rate them (the next slice).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from modelry import DataError, Long, UniqueViolation, function, transaction
from modelry.modules.billing.catalogue import (PER_EVENT, Charge, ChargeModel,
                                               ChargeTimeSegment, ExchangeRate, MarkupKind)
from modelry.modules.billing.charges import PackageCharge, PercentageCharge, StandardCharge
from modelry.modules.billing.charges import Usage
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.money import exact
from modelry.modules.billing.pricing import FxRate, Markup, PricedLine, price_line
from modelry.modules.billing.plan_scope import PlanScope, plans_of
from modelry.modules.billing.rated import RatedLine
from modelry.modules.billing.time_of_day import TimeOfDayCharge, TimeSegment
from modelry.modules.billing.usage import UsageEvent
from modelry.modules.billing import adjustments

RETRIES = 5
FX_RATE_MISSING = "FX_RATE_MISSING"


@dataclass(frozen=True)
class EventView:
    """What rating reads of a usage event."""

    id: int
    product: int
    timestamp: dt.datetime
    quantity: Decimal
    amount: Decimal | None = None
    tenant: str = ""


@dataclass
class Rated:
    """Lines written per event id, and the first pricing failure per event id (with the
    code of the charge that could not price it)."""

    lines: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    failures: dict[int, tuple[str, PricingError]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _ChargeView:
    """What pricing reads of a stored charge, read off its record once per batch."""

    id: int
    plan_id: int | None
    code: str
    zone: str | None
    currency: str
    markup_kind: MarkupKind | None
    markup_value: Decimal | None


@dataclass(frozen=True)
class _Priced:
    charge: _ChargeView
    pure: Any
    fx: FxRate | None
    markup: Markup | None


@dataclass(slots=True)
class EventLines:
    """One event priced: its line rows (`event` holds the view's id: None for an event not
    stored yet, set before the rows are written) and its first pricing failure (the code
    of the charge that could not price it, and why)."""

    rows: list[dict[str, Any]]
    failure: tuple[str, PricingError] | None = None


def price_events(events: Sequence[EventView], strict: bool = False,
                 done: frozenset[tuple[int, int]] | set[tuple[int, int]] = frozenset()
                 ) -> list[EventLines]:
    """Each event priced under its product's per-event charges (those of plans its tenant
    subscribes to), skipping the (event id, charge id) pairs `done`; reads the charges and
    plans, writes nothing, so it may run before the events are stored. A price that cannot
    be computed is that event's failure, or (`strict`) refuses the batch."""
    if not events:
        return []
    pricing = _pricing_of({event.product for event in events})
    return _price_all(events, pricing, _plans_of(events, pricing), done, strict)


def _price_all(events: Sequence[EventView], pricing: dict[int, list[_Priced]],
               plans: PlanScope, done: frozenset[tuple[int, int]] | set[tuple[int, int]],
               strict: bool) -> list[EventLines]:
    priced_events = []
    with exact():         # one exact context for the batch: the charges' own are then free
        for event in events:
            lines = EventLines([])
            for priced in pricing.get(event.product, ()):
                plan = priced.charge.plan_id
                if (event.id, priced.charge.id) in done or (
                        plan is not None and not plans.covers(event, plan)):
                    continue
                try:
                    line = _price(event, priced)
                except PricingError as error:
                    if strict:
                        raise DataError(f"billing.UsageEvent {event.id}: charge "
                                        f"{priced.charge.code!r}: {error.message}",
                                        code=error.code, model="billing.UsageEvent") from None
                    if lines.failure is None:
                        lines.failure = (priced.charge.code, error)
                    continue
                lines.rows.append(_row(event, priced, line))
            priced_events.append(lines)
    return priced_events


def rate_events(events: Sequence[EventView], fresh: bool = False,
                strict: bool = False) -> Rated:
    """Rate `events` under their products' per-event charges and write the lines not
    written yet (`fresh`: the events are new, no line can exist); runs in a savepoint and
    reads the rated pairs again if a concurrent rating wrote one meanwhile. A price that
    cannot be computed is reported per event, or (`strict`) refuses the batch before
    anything is written."""
    outcome = Rated()
    if not events:
        return outcome
    pricing = _pricing_of({event.product for event in events})
    plans = _plans_of(events, pricing)
    for attempt in range(RETRIES):
        done = set() if fresh else _rated_pairs([event.id for event in events])
        priced = _price_all(events, pricing, plans, done, strict)
        try:
            with transaction():
                RatedLine.insert_bulk([row for lines in priced for row in lines.rows])
        except UniqueViolation as clash:
            if set(clash.fields) != {"event", "charge"} or attempt == RETRIES - 1:
                raise
            fresh = False
            continue
        outcome = Rated()
        for event, lines in zip(events, priced):
            if lines.rows:
                outcome.lines[event.id] += len(lines.rows)
            if lines.failure is not None:
                outcome.failures[event.id] = lines.failure
        return outcome
    return outcome


def _plans_of(events: Sequence[EventView], pricing: dict[int, list[_Priced]]) -> PlanScope:
    """The plans the events' tenants subscribed to, read only when a plan's charge could
    rate one of them."""
    if not any(priced.charge.plan_id is not None
               for charges in pricing.values() for priced in charges):
        return PlanScope({})
    return plans_of({event.tenant for event in events})


def _pricing_of(products: Iterable[int]) -> dict[int, list[_Priced]]:
    """The per-event charges of these products, built into pure charges (three reads)."""
    charges = [c for c in Charge.query_list(product__in=sorted(products), sort="id")
               if c.charge_model in PER_EVENT]
    day_ids = [c.id for c in charges if c.charge_model is ChargeModel.TIME_OF_DAY]
    days: dict[int, list[Any]] = defaultdict(list)
    for segment in (ChargeTimeSegment.query_list(charge__in=day_ids, sort="start_time")
                    if day_ids else []):
        days[segment.charge_id].append(segment)
    crossings = {(c.currency, c.sell_currency) for c in charges
                 if c.sell_currency and c.sell_currency != c.currency}
    rates = {}
    if crossings:
        for found in ExchangeRate.query_list(source__in=sorted({s for s, _ in crossings}),
                                             target__in=sorted({t for _, t in crossings})):
            rates[(found.source, found.target)] = found.rate
    by_product: dict[int, list[_Priced]] = defaultdict(list)
    for charge in charges:
        by_product[charge.product_id].append(_build(charge, days[charge.id], rates))
    return by_product


def _build(charge: Any, days: list[Any], rates: dict[tuple[str, str], Decimal]) -> _Priced:
    """A stored charge as the pricing layer's charge, exchange rate and markup; a charge
    that cannot be built prices every event as a failure naming it."""
    try:
        pure = _pure_charge(charge, days)
        fx = None
        if charge.sell_currency and charge.sell_currency != charge.currency:
            rate = rates.get((charge.currency, charge.sell_currency))
            if rate is None:
                raise PricingError(FX_RATE_MISSING,
                                   f"billing.Charge {charge.code!r}: no exchange rate "
                                   f"{charge.currency}→{charge.sell_currency}")
            fx = FxRate(charge.currency, charge.sell_currency, rate)
        markup = None if charge.markup_kind is None else Markup(
            adjustments.FIXED if charge.markup_kind is MarkupKind.FIXED
            else adjustments.PERCENT, charge.markup_value or 0)
    except PricingError as error:
        return _Priced(_view(charge), error, None, None)
    return _Priced(_view(charge), pure, fx, markup)


def _view(charge: Any) -> _ChargeView:
    return _ChargeView(charge.id, charge.plan_id, charge.code, charge.zone, charge.currency,
                       charge.markup_kind, charge.markup_value)


def _pure_charge(charge: Any, days: list[Any]) -> Any:
    model = charge.charge_model
    if model is ChargeModel.STANDARD:
        return StandardCharge(_given(charge, "unit_price"))
    if model is ChargeModel.PACKAGE:
        return PackageCharge(_given(charge, "package_size"), _given(charge, "package_price"),
                             charge.free_units or 0)
    if model is ChargeModel.PERCENTAGE:
        return PercentageCharge(_given(charge, "percentage_rate"), charge.percentage_min,
                                charge.percentage_max)
    return TimeOfDayCharge(tuple(TimeSegment(s.start_time, s.end_time, s.unit_price)
                                 for s in days), charge.zone)


def _given(charge: Any, name: str) -> Decimal:
    value = getattr(charge, name)
    if value is None:
        raise PricingError("CHARGE_INVALID", f"billing.Charge {charge.code!r}: a "
                           f"{charge.charge_model.value} charge needs {name}", field=name)
    return value


def _price(event: EventView, priced: _Priced) -> PricedLine:
    if isinstance(priced.pure, PricingError):
        raise priced.pure
    charge = priced.charge
    moment = event.timestamp
    if charge.zone:  # stored times are naive UTC: say so, so the zone's clock applies
        moment = moment.replace(tzinfo=dt.timezone.utc)
    usage = [Usage(event.quantity, moment, event.amount)]
    return price_line(priced.pure, usage, charge.currency, fx=priced.fx, markup=priced.markup)


def _row(event: EventView, priced: _Priced, line: PricedLine) -> dict[str, Any]:
    markup = priced.charge.markup_kind
    return {"event": event.id, "charge": priced.charge.id, "tenant": event.tenant,
            "timestamp": event.timestamp, "quantity": line.quantity,
            "unit_price": line.unit_price, "price_currency": line.price_currency,
            "amount": line.amount, "currency": line.currency, "fx_rate": line.fx_rate,
            "markup_kind": markup, "markup_value": None if markup is None
            else priced.charge.markup_value, "markup_amount": line.markup_amount}


def _rated_pairs(event_ids: list[int]) -> set[tuple[int, int]]:
    return {(line.event_id, line.charge_id)
            for line in RatedLine.query_list(event__in=sorted(set(event_ids)))}


def view(event: Any) -> EventView:
    """A stored `billing.UsageEvent` as rating reads it."""
    return EventView(event.id, event.product_id, event.timestamp, event.quantity,
                     event.amount, event.tenant)


@function(open_level="API", type="CREATE", namespace="billing.UsageEvent")
def rate(events: list[Long]) -> int:
    """Rate the stored usage events with these ids under every per-event charge of their
    product not yet rated for them; how many lines were written (0: all were rated). A
    price that cannot be computed refuses the call, naming the event and the charge.
    Part of the caller's transaction, or in one of its own outside one."""
    with transaction():               # the caller's (a savepoint), or one of its own
        # locked, so that concurrent ratings of one event queue instead of racing on the
        # (event, charge) unique set (a clash would still be read again and retried)
        found = UsageEvent.lock(sorted(set(events)))
        missing = sorted(set(events) - {event.id for event in found})
        if missing:
            raise DataError(f"billing.UsageEvent: no event with id {missing[0]}",
                            code="EVENT_NOT_FOUND", model="billing.UsageEvent", field="id")
        return sum(rate_events([view(event) for event in found], strict=True).lines.values())
