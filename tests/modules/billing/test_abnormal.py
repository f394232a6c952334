"""Abnormal usage: hard errors (a 1999 clock, a time in the future, an end before the
start) and soft ones (no time, no amount for a percentage charge) are kept as
`billing.AbnormalRecord` once per key, never stored as usage nor rated (least of all at
zero); a reviewer corrects (then rated) or rejects, once, with a logged reason."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from modelry import DataError
from modelry.boot import App
from modelry.core.security.identity import Identity, acting
from modelry.modules.billing.abnormal import correct_abnormal, reject_abnormal
from modelry.modules.billing.abnormal_models import (AbnormalKind, AbnormalRecord,
                                                     AbnormalReview, AbnormalStatus,
                                                     UsagePolicy)
from modelry.modules.billing.catalogue import Charge
from modelry.modules.billing.ingestion import ingest, payload_hash
from modelry.modules.billing.rated import RatedLine
from modelry.modules.billing.usage import UsageEvent
from tests.functions.helpers import Client
from tests.modules.billing.conftest import Catalogue, event
from tests.sql_capture import statements

DEAD_BATTERY = dt.datetime(1999, 12, 31, 23, 59)
FUTURE = dt.datetime(2100, 1, 1)


def at(moment: dt.datetime | None, event_id: str, **more: Any) -> dict[str, Any]:
    """An input event at `moment` (None: without a time)."""
    sent = event(event_id, **more)
    sent["timestamp"] = moment
    return sent


def with_fee(app: App, catalogue: Catalogue) -> None:
    """A 1 % fee on data, a percentage charge that needs each event's amount."""
    with app.transaction():
        Charge(product=catalogue.data.id, code="data-fee", charge_model="PERCENTAGE",
               currency="EUR", percentage_rate=1).create()


def nothing_rated_at_zero() -> None:
    assert RatedLine.count(amount=0) == 0
    kept = {(r.tenant, r.source, r.event_id) for r in AbnormalRecord.query_list()
            if r.status is not AbnormalStatus.CORRECTED}
    assert not [e for e in UsageEvent.query_list()
                if (e.tenant, e.source, e.event_id) in kept]


def test_hard_errors_are_kept_not_stored_nor_rated(billing_app: App,
                                                    catalogue: Catalogue) -> None:
    with billing_app.transaction():
        results = ingest([at(DEAD_BATTERY, "e1"), at(FUTURE, "e2"),
                          event("e3", started_at=dt.datetime(2026, 1, 5, 4),
                                ended_at=dt.datetime(2026, 1, 5, 3)),
                          event("e4")])
    assert [(r.code, r.abnormal_code, r.rated) for r in results] == [
        ("ABNORMAL", "TIMESTAMP_BEFORE_FLOOR", 0), ("ABNORMAL", "TIMESTAMP_IN_FUTURE", 0),
        ("ABNORMAL", "END_BEFORE_START", 0), ("ok", None, 1)]
    assert "1999-12-31T23:59:00 is before the floor 2000-01-01" in results[0].message
    records = AbnormalRecord.query_list(sort="event_id")
    assert [(r.id, r.kind, r.status, r.timestamp) for r in records] == [
        (results[0].abnormal, AbnormalKind.HARD, AbnormalStatus.OPEN, DEAD_BATTERY),
        (results[1].abnormal, AbnormalKind.HARD, AbnormalStatus.OPEN, FUTURE),
        (results[2].abnormal, AbnormalKind.HARD, AbnormalStatus.OPEN,
         dt.datetime(2026, 1, 5, 3))]
    first = records[0]
    assert (first.product, first.quantity, first.payload_hash) == (
        "sms", 100, payload_hash(at(DEAD_BATTERY, "e1")))
    assert first.payload["timestamp"] == "1999-12-31T23:59:00.000000"
    assert UsageEvent.count() == 1 and RatedLine.count() == 1
    nothing_rated_at_zero()


def test_the_floor_and_the_tolerance_come_from_the_policy(billing_app: App,
                                                         catalogue: Catalogue) -> None:
    with billing_app.transaction():
        UsagePolicy(floor=dt.datetime(1990, 1, 1), future_tolerance=10 * 365 * 86400).create()
        soon = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(days=30)
        results = ingest([at(DEAD_BATTERY, "e1"), at(soon, "e2"),
                          at(dt.datetime(1989, 12, 31), "e3")])
    assert [(r.code, r.abnormal_code) for r in results] == [
        ("ok", None), ("ok", None), ("ABNORMAL", "TIMESTAMP_BEFORE_FLOOR")]


def test_soft_errors(billing_app: App, catalogue: Catalogue) -> None:
    with_fee(billing_app, catalogue)
    with billing_app.transaction():
        results = ingest([at(None, "e1", quantity=5),                 # amount, no time
                          event("e2", product="data", quantity=3),    # time, no amount
                          event("e3", product="data", quantity=3, amount=200),
                          event("e4")])            # sms has no percentage charge
    assert [(r.code, r.abnormal_code) for r in results] == [
        ("ABNORMAL", "AMOUNT_WITHOUT_TIME"), ("ABNORMAL", "TIME_WITHOUT_AMOUNT"),
        ("ok", None), ("ok", None)]
    kinds = {r.code: r.kind for r in AbnormalRecord.query_list()}
    assert kinds == {"AMOUNT_WITHOUT_TIME": AbnormalKind.SOFT,
                     "TIME_WITHOUT_AMOUNT": AbnormalKind.SOFT}
    assert UsageEvent.count() == 2
    nothing_rated_at_zero()


def test_a_redelivered_abnormal_event_is_kept_once(billing_app: App,
                                                   catalogue: Catalogue) -> None:
    with billing_app.transaction():
        first = ingest([at(DEAD_BATTERY, "e1"), at(DEAD_BATTERY, "e1")])
    with billing_app.transaction():
        again = ingest([at(DEAD_BATTERY, "e1"),
                        at(DEAD_BATTERY, "e1", quantity=7)])      # another payload
    assert [(r.code, r.abnormal) for r in first + again[:1]] == \
        [("ABNORMAL", first[0].abnormal)] * 3
    assert (again[1].code, again[1].abnormal) == ("CONFLICT", first[0].abnormal)
    assert AbnormalRecord.count() == 1 and UsageEvent.count() == 0


def test_a_batch_of_abnormal_events_costs_a_fixed_number_of_statements(
        billing_app: App, catalogue: Catalogue) -> None:
    def sent(size: int) -> list[str]:
        batch = [at(DEAD_BATTERY, f"{size}-{n}") for n in range(size)]
        batch += [event(f"{size}-ok-{n}") for n in range(size)]
        with billing_app.transaction(), statements(billing_app.engine) as seen:
            ingest(batch)
        return seen
    sent(1)
    assert len(sent(3)) == len(sent(40))
    assert AbnormalRecord.count() == 44 and UsageEvent.count() == 44


def test_a_correction_is_checked_again_then_rated(billing_app: App,
                                                  catalogue: Catalogue) -> None:
    with billing_app.transaction():
        [kept] = ingest([at(DEAD_BATTERY, "e1")])
    with pytest.raises(DataError) as still, billing_app.transaction():
        correct_abnormal(kept.abnormal, "clock set", timestamp=FUTURE)
    assert still.value.code == "TIMESTAMP_IN_FUTURE"
    with acting(Identity(user_id=9, login="olga")), billing_app.transaction():
        done = correct_abnormal(kept.abnormal, "the gateway's clock was reset",
                                timestamp=dt.datetime(2026, 1, 5, 3), quantity=120)
    assert done.status is AbnormalStatus.CORRECTED
    stored = UsageEvent.query_by_id(done.usage_event_id)
    assert (stored.event_id, stored.timestamp, stored.quantity) == (
        "e1", dt.datetime(2026, 1, 5, 3), 120)
    line = RatedLine.query_one(event=stored.id)
    assert (line.quantity, line.amount, line.currency) == (120, Decimal("2.40"), "EUR")
    [review] = AbnormalReview.query_list(record=done.id)
    assert (review.status, review.user_id, review.reason) == (
        AbnormalStatus.CORRECTED, 9, "the gateway's clock was reset")
    assert review.changes == {"timestamp": ["1999-12-31T23:59:00", "2026-01-05T03:00:00"],
                              "quantity": ["100", "120"]}
    with billing_app.transaction():      # the gateway sends its broken event again
        [again] = ingest([at(DEAD_BATTERY, "e1")])
    assert (again.code, again.abnormal) == ("ABNORMAL", done.id)
    assert UsageEvent.count() == 1 and RatedLine.count() == 1
    nothing_rated_at_zero()


def test_a_soft_error_corrected_with_its_amount(billing_app: App,
                                                catalogue: Catalogue) -> None:
    with_fee(billing_app, catalogue)
    with billing_app.transaction():
        [kept] = ingest([event("e1", product="data", quantity=3)])
        done = correct_abnormal(kept.abnormal, "amount from the invoice", amount=250)
    lines = RatedLine.query_list(event=done.usage_event_id, sort="id")
    assert sorted(line.amount for line in lines) == [Decimal("2.50"), Decimal("42.88")]
    nothing_rated_at_zero()


def test_reject_and_decide_twice(billing_app: App, catalogue: Catalogue) -> None:
    with billing_app.transaction():
        one, two = ingest([at(FUTURE, "e1"), at(None, "e2")])
    with pytest.raises(DataError) as no_reason, billing_app.transaction():
        reject_abnormal(one.abnormal, " ")
    assert no_reason.value.code == "REASON_REQUIRED"
    with billing_app.transaction():
        done = reject_abnormal(one.abnormal, "a test device")
    assert done.status is AbnormalStatus.REJECTED and done.usage_event_id is None
    for decide in (lambda: reject_abnormal(one.abnormal, "again"),
                   lambda: correct_abnormal(one.abnormal, "after all",
                                            timestamp=dt.datetime(2026, 1, 5))):
        with pytest.raises(DataError) as twice, billing_app.transaction():
            decide()
        assert twice.value.code == "ABNORMAL_ALREADY_DECIDED"
        assert f"record {one.abnormal} is REJECTED already" in twice.value.message
    with billing_app.transaction():
        correct_abnormal(two.abnormal, "time from the log", timestamp=dt.datetime(2026, 1, 5))
    with pytest.raises(DataError) as twice, billing_app.transaction():
        reject_abnormal(two.abnormal, "no")
    assert twice.value.code == "ABNORMAL_ALREADY_DECIDED"
    assert [r.status for r in AbnormalReview.query_list(sort="id")] == [
        AbnormalStatus.REJECTED, AbnormalStatus.CORRECTED]
    assert UsageEvent.count() == 1
    nothing_rated_at_zero()


CORRECT = """mutation($r: Long!, $why: String!, $t: DateTime) { abnormalRecordMutation {
  correctAbnormal(record: $r, reason: $why, timestamp: $t) { status code kind } } }"""


def test_one_graphql_correction(billing_app: App, catalogue: Catalogue) -> None:
    with billing_app.transaction():
        [kept] = ingest([at(DEAD_BATTERY, "e1")])
    answer = Client(billing_app).gql(CORRECT, {"r": kept.abnormal, "why": "clock reset",
                                               "t": "2026-01-05T09:00:00"}).ok()
    assert answer["abnormalRecordMutation"]["correctAbnormal"] == {
        "status": "CORRECTED", "code": "TIMESTAMP_BEFORE_FLOOR", "kind": "HARD"}
    [line] = RatedLine.query_list()
    assert line.amount == Decimal("3.00")
