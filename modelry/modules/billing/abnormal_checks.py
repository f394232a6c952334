"""Which usage events are abnormal, and why: the checks `ingest` runs on every event of a
known product, and that a correction must pass again.

Hard errors (the times are impossible): TIMESTAMP_BEFORE_FLOOR and TIMESTAMP_IN_FUTURE
(for `timestamp`, `started_at` and `ended_at`, against the `billing.UsagePolicy`) and
END_BEFORE_START (only for an event that carries both `started_at` and `ended_at`).
Soft errors (rating lacks something): AMOUNT_WITHOUT_TIME (no time at all) and
TIME_WITHOUT_AMOUNT (no amount for a product with a PERCENTAGE charge, which prices an
amount). Hard errors are reported before soft ones; the first found is the code.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from modelry.modules.billing.abnormal_models import (DEFAULT_FLOOR, DEFAULT_FUTURE_TOLERANCE,
                                                     AbnormalKind, UsagePolicy)
from modelry.modules.billing.catalogue import Charge, ChargeModel

TIMESTAMP_BEFORE_FLOOR = "TIMESTAMP_BEFORE_FLOOR"
TIMESTAMP_IN_FUTURE = "TIMESTAMP_IN_FUTURE"
END_BEFORE_START = "END_BEFORE_START"
AMOUNT_WITHOUT_TIME = "AMOUNT_WITHOUT_TIME"
TIME_WITHOUT_AMOUNT = "TIME_WITHOUT_AMOUNT"


@dataclass(frozen=True)
class Abnormality:
    """Why an event is kept for review instead of rated."""

    kind: AbnormalKind
    code: str
    message: str


@dataclass(frozen=True)
class TimeBounds:
    """The plausible times: from `floor` to `latest` (now plus the tolerance), naive UTC."""

    floor: dt.datetime
    latest: dt.datetime


def time_bounds() -> TimeBounds:
    """The bounds of the `billing.UsagePolicy` with the smallest id, or the defaults (one
    read)."""
    found = UsagePolicy.query_list(sort="id", limit=1)
    floor = found[0].floor if found else DEFAULT_FLOOR
    tolerance = found[0].future_tolerance if found else DEFAULT_FUTURE_TOLERANCE
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    return TimeBounds(floor, now + dt.timedelta(seconds=tolerance))


def products_needing_amount(products: Iterable[int]) -> set[int]:
    """The products among these with a PERCENTAGE charge (one read)."""
    wanted = sorted(set(products))
    if not wanted:
        return set()
    return {charge.product_id for charge in Charge.query_list(
        product__in=wanted, charge_model=ChargeModel.PERCENTAGE.value)}


def abnormality(times: dict[str, dt.datetime | None], amount: Decimal | None,
                needs_amount: bool, bounds: TimeBounds) -> Abnormality | None:
    """Why an event with these `times` (timestamp, started_at, ended_at: naive UTC or
    None) and `amount` is abnormal, or None."""
    given = {name: moment for name, moment in times.items() if moment is not None}
    for name, moment in given.items():
        if moment < bounds.floor:
            return Abnormality(AbnormalKind.HARD, TIMESTAMP_BEFORE_FLOOR,
                               f"{name} {moment.isoformat()} is before the floor "
                               f"{bounds.floor.isoformat()} (billing.UsagePolicy)")
        if moment > bounds.latest:
            return Abnormality(AbnormalKind.HARD, TIMESTAMP_IN_FUTURE,
                               f"{name} {moment.isoformat()} is in the future (later than "
                               f"{bounds.latest.isoformat(timespec='seconds')})")
    start, end = given.get("started_at"), given.get("ended_at")
    if start is not None and end is not None and end < start:
        return Abnormality(AbnormalKind.HARD, END_BEFORE_START,
                           f"ended_at {end.isoformat()} is before started_at "
                           f"{start.isoformat()}")
    if not given:
        return Abnormality(AbnormalKind.SOFT, AMOUNT_WITHOUT_TIME,
                           "the event has a quantity or amount but no time")
    if needs_amount and amount is None:
        return Abnormality(AbnormalKind.SOFT, TIME_WITHOUT_AMOUNT,
                           "the event has a time but no amount, and its product has a "
                           "percentage charge")
    return None
