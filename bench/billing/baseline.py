"""The baseline: the rows `ingest` writes (the usage events and their rated lines), computed
before the clock starts and written the plainest fast way, one transaction per batch. On
PostgreSQL one statement through psycopg: `INSERT ... SELECT FROM unnest(<arrays>)` of the
events, RETURNING their ids into an `INSERT ... SELECT` of the lines; on SQLite and
MariaDB two executemany (SQLAlchemy Core), the events' RETURNING their ids. No dedup, no
pricing, no checks: what the database costs."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from modelry.boot import App
from modelry.modules.billing.ingestion import payload_hash

EVENT_COLUMNS = ("tenant", "source", "event_id", "product_id", "timestamp", "quantity",
                 "amount", "properties", "payload_hash")
EVENT_TYPES = ("text", "text", "text", "bigint", "timestamp", "numeric", "numeric", "jsonb",
               "text")
LINE_COLUMNS = ("charge_id", "tenant", "timestamp", "quantity", "unit_price",
                "price_currency", "amount", "currency", "fx_rate", "markup_kind",
                "markup_value", "markup_amount")
LINE_TYPES = ("bigint", "text", "timestamp", "numeric", "numeric", "text", "numeric", "text",
              "numeric", "text", "numeric", "numeric")


@dataclass
class Prepared:
    """A batch as rows: the events' and their lines' (each line names its event's id)."""

    events: list[dict[str, Any]]
    lines: list[dict[str, Any]]


def prepare(batch: list[dict[str, Any]], catalogue: dict[str, tuple[int, list[int]]]
            ) -> Prepared:
    """The rows `ingest` would write for `batch` (prices made up: the values cost the
    database the same)."""
    events, lines = [], []
    for event in batch:
        product, charges = catalogue[event["product"]]
        events.append({"tenant": event["tenant"], "source": event["source"],
                       "event_id": event["event_id"], "product_id": product,
                       "timestamp": event["timestamp"], "quantity": event["quantity"],
                       "amount": event.get("amount"), "properties": event["properties"],
                       "payload_hash": payload_hash(event)})
        for charge in charges:
            lines.append({"event_id": event["event_id"], "charge_id": charge,
                          "tenant": event["tenant"], "timestamp": event["timestamp"],
                          "quantity": event["quantity"], "unit_price": Decimal("0.0015"),
                          "price_currency": "EUR",
                          "amount": (event["quantity"] * Decimal("0.0015")).quantize(
                              Decimal("0.01")), "currency": "EUR", "fx_rate": None,
                          "markup_kind": None, "markup_value": None,
                          "markup_amount": Decimal(0)})
    return Prepared(events, lines)


class Baseline:
    """Writes prepared batches on `app`'s engine and tables."""

    def __init__(self, app: App) -> None:
        self.engine = app.engine
        self.events = app.data.table(app.registry.model("billing.UsageEvent"))
        self.lines = app.data.table(app.registry.model("billing.RatedLine"))
        self.postgresql = self.engine.dialect.name == "postgresql"
        self.statement = _unnest_sql(self.events.name, self.lines.name)

    def write(self, batch: Prepared) -> tuple[int, int]:
        """Write one batch in one transaction; (events, lines) written."""
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if self.postgresql:
            return self._unnest(batch, now)
        with self.engine.begin() as connection:
            ids = connection.scalars(
                sa.insert(self.events).returning(self.events.c.id,
                                                 sort_by_parameter_order=True),
                [{**row, "create_date": now, "write_date": now} for row in batch.events]).all()
            by_key = {row["event_id"]: number for row, number in zip(batch.events, ids)}
            connection.execute(sa.insert(self.lines), [
                {**{k: v for k, v in line.items() if k != "event_id"},
                 "event_id": by_key[line["event_id"]], "create_date": now, "write_date": now}
                for line in batch.lines])
        return len(ids), len(batch.lines)

    def _unnest(self, batch: Prepared, now: dt.datetime) -> tuple[int, int]:
        params: list[Any] = [[row[column] if column != "properties" else
                              json.dumps(row[column]) for row in batch.events]
                             for column in EVENT_COLUMNS]
        params += [[line["event_id"] for line in batch.lines]]
        params += [[line[column] for line in batch.lines] for column in LINE_COLUMNS]
        connection = self.engine.raw_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute(self.statement, [now, *params])
                written = cursor.rowcount
            connection.commit()
        finally:
            connection.close()
        return len(batch.events), written


def _unnest_sql(events: str, lines: str) -> str:
    """One statement: the events from arrays, their lines joined on the new ids."""
    arrays = ", ".join(f"%s::{kind}[]" for kind in EVENT_TYPES)
    line_arrays = ", ".join(f"%s::{kind}[]" for kind in ("text", *LINE_TYPES))
    names = ", ".join(f"e_{column}" for column in EVENT_COLUMNS)
    line_names = ", ".join(f"l_{column}" for column in LINE_COLUMNS)
    return (f"WITH now AS (SELECT %s::timestamp AS t), "
            f"new AS (INSERT INTO {events} ({', '.join(EVENT_COLUMNS)}, create_date, "
            f"write_date) SELECT {names}, now.t, now.t FROM unnest({arrays}) AS e({names}), "
            f"now RETURNING id, event_id) "
            f"INSERT INTO {lines} (event_id, {', '.join(LINE_COLUMNS)}, create_date, "
            f"write_date) SELECT new.id, {line_names}, now.t, now.t "
            f"FROM unnest({line_arrays}) AS l(l_event, {line_names}) "
            f"JOIN new ON new.event_id = l.l_event, now")
