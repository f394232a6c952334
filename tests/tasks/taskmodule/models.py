"""`tasktest.Effect`: what a task did, one row per key (a unique key: idempotent effects)."""
from __future__ import annotations

import datetime as dt

from modelry import Model, fields, function, schedule


class Effect(Model, model="tasktest.Effect"):
    """One effect of a task; `key` is unique, so an effect keyed by it happens once."""

    key = fields.String(size=128, required=True, unique=True)
    note = fields.Text()

    @function(async_=True, max_attempts=2, backoff=0.01)
    def annotate(self, note: str) -> None:
        """An async method: the record travels as a reference and is read again."""
        self.note = note
        self.update_by_id()

    @function(async_=True, max_attempts=1)
    @classmethod
    def tally(cls, prefix: str) -> None:
        """An async class method: counts the effects whose key starts with `prefix`."""
        cls(key=f"{prefix}-tally", note=str(cls.count(rsql=f"key=starts={prefix}"))).create()

    @schedule("30 * * * *", name="tasktest.hourly-tally")
    @function()
    @classmethod
    def hourly(cls, due: dt.datetime) -> None:
        """A scheduled class method, under a name of its own."""
        cls(key=f"hourly@{due:%H:%M}").create()
