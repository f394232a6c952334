"""Constant date, datetime and time defaults become quoted column defaults on every
database: the table is created, and a DBA's INSERT that leaves them out gets them."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa

from modelry import Model, Module, directives, fields
from modelry.boot import App

temporaltest = Module("temporaltest", depends=["base"], display_name="Temporal defaults")


class Reading(Model, model="temporaltest.Reading"):
    """Times with constant defaults."""

    label = fields.String(size=16)
    day = fields.Date(default=dt.date(2000, 1, 1))
    at = fields.DateTime(default=dt.datetime(2000, 1, 1, 12, 30, 15))
    opens = fields.Time(default=dt.time(6, 30))


def test_temporal_defaults_are_column_defaults(make_app: Callable[..., App]) -> None:
    app = make_app([temporaltest])
    table = app.data.table(app.registry.model("temporaltest.Reading"))
    with app.engine.begin() as connection:  # as a DBA would, naming only the label
        connection.execute(sa.insert(table).values(label="raw"))
    with app.activate(), directives.backend_scope():
        with app.transaction():
            Reading(label="made").create()
        got = {(r.label, r.day, r.at, r.opens) for r in Reading.query_list()}
    assert got == {(label, dt.date(2000, 1, 1), dt.datetime(2000, 1, 1, 12, 30, 15),
                    dt.time(6, 30)) for label in ("raw", "made")}
