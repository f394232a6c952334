"""`ingest`: each (tenant, source, event_id) stored once; a repeat with the same payload is
DUPLICATE (the stored id), with another payload CONFLICT; set-based (a fixed number of
statements per batch); through GraphQL too."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from modelry.boot import App
from modelry.modules.billing.ingestion import ingest, payload_hash
from modelry.modules.billing.rated import RatedLine
from modelry.modules.billing.usage import UsageEvent
from tests.functions.helpers import Client
from tests.modules.billing.conftest import Catalogue, event
from tests.sql_capture import statements


def test_ok_duplicate_and_conflict(billing_app: App, catalogue: Catalogue) -> None:
    with billing_app.transaction():
        first = ingest([event("e1"), event("e2", hour=9),
                        event("e2", hour=9),                   # repeated in the batch
                        event("e3", quantity=-1), event("e4", product="fax")])
    assert [r.code for r in first] == ["ok", "ok", "DUPLICATE", "EVENT_INVALID",
                                       "PRODUCT_UNKNOWN"]
    assert first[2].event == first[1].event and first[2].rated == 0
    assert "quantity -1 is negative" in first[3].message and "'fax'" in first[4].message
    with billing_app.transaction():
        again = ingest([event("e1"), event("e2", hour=9, quantity=101),
                        event("e1", tenant="other"),           # another tenant's e1
                        event("e1", properties={"cell": 7})])  # a new payload: conflict
    assert [(r.code, r.event) for r in again[:2]] == [("DUPLICATE", first[0].event),
                                                      ("CONFLICT", first[1].event)]
    assert again[2].code == "ok" and again[2].event not in (first[0].event, first[1].event)
    assert again[3].code == "CONFLICT"
    assert UsageEvent.count() == 3
    stored = UsageEvent.query_by_id(first[0].event)
    assert stored.payload_hash == payload_hash(event("e1")) and len(stored.payload_hash) == 64
    assert (stored.quantity, stored.timestamp) == (100, dt.datetime(2026, 1, 5, 3))


def test_the_payload_hash_is_of_the_canonical_fields() -> None:
    assert payload_hash(event("e1", quantity=Decimal("100.00"))) == payload_hash(event("e1"))
    aware = event("e1", hour=3)
    aware["timestamp"] = dt.datetime(2026, 1, 5, 4, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert payload_hash(aware) == payload_hash(event("e1"))
    assert payload_hash(event("e1", properties={"a": 1, "b": 2})) == \
        payload_hash(event("e1", properties={"b": 2, "a": 1}))
    assert payload_hash(event("e1", amount=0)) != payload_hash(event("e1"))


def test_a_batch_costs_a_fixed_number_of_statements(billing_app: App,
                                                    catalogue: Catalogue) -> None:
    def sent(size: int) -> list[str]:
        batch = [event(f"{size}-{n}", hour=n % 24) for n in range(size)]
        batch += [event(f"{size}-{n}", product="data", quantity=n)
                  for n in range(size, 2 * size)]
        with billing_app.transaction(), statements(billing_app.engine) as seen:
            ingest(batch)
        return seen
    sent(1)                         # the data manager's first-use lookups (a sequence's name)
    assert len(sent(3)) == len(sent(40))
    assert UsageEvent.count() == 88 and RatedLine.count() == 88


INGEST = """mutation($e: [UsageRecordInput!]!) { usageEventMutation {
  ingest(events: $e) { index eventId code event rated } } }"""


def test_one_graphql_ingest_call(billing_app: App, catalogue: Catalogue) -> None:
    batch = [{"tenant": "acme", "source": "gateway", "eventId": "g1", "product": "sms",
              "timestamp": "2026-01-05T03:00:00", "quantity": "100"},
             {"tenant": "acme", "source": "gateway", "eventId": "g1", "product": "sms",
              "timestamp": "2026-01-05T03:00:00", "quantity": "100"},
             {"tenant": "acme", "source": "gateway", "eventId": "g2", "product": "data",
              "timestamp": "2026-01-05T07:00:00", "quantity": "25",
              "properties": {"apn": "internet"}}]
    answer = Client(billing_app).gql(INGEST, {"e": batch}).ok()
    results = answer["usageEventMutation"]["ingest"]
    assert [(r["index"], r["code"], r["rated"]) for r in results] == \
        [(0, "ok", 1), (1, "DUPLICATE", 0), (2, "ok", 1)]
    assert results[0]["event"] == results[1]["event"]
    stored = UsageEvent.query_by_id(int(results[2]["event"]))
    assert stored.properties == {"apn": "internet"}
    line = RatedLine.query_one(event=stored.id)
    assert (line.amount, line.currency, line.fx_rate) == (Decimal("128.65"), "CNY",
                                                          Decimal("7.8125"))
