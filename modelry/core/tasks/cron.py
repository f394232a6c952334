"""Cron expressions (five fields, UTC): which minutes a schedule is due.

    minute hour day-of-month month day-of-week      e.g. "0 2 * * *", "*/15 9-17 * * mon-fri"

Each field takes `*`, numbers, ranges `a-b`, steps `*/n` `a-b/n` `a/n`, lists `a,b`,
month names jan-dec and weekday names sun-sat (0 or 7 is Sunday). As in Vixie cron, when
both day fields are restricted a day matches either. Macros: @yearly (@annually),
@monthly, @weekly, @daily (@midnight), @hourly. Written here (about 120 lines) rather
than depending on croniter, whose maintenance has been uncertain.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from modelry.errors import DeclarationError

MACROS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
          "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
          "@hourly": "0 * * * *"}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}),
          ("month", 1, 12, {name: number for number, name in enumerate(MONTHS, 1)}),
          ("day of week", 0, 7, {name: number for number, name in enumerate(WEEKDAYS)}))
SEARCH_YEARS = 5  # an expression no date matches within this is refused (e.g. 30 February)


class CronError(DeclarationError):
    """A cron expression cannot be read, or is never due."""

    code = "BAD_CRON"


@dataclass(frozen=True)
class Cron:
    """A parsed cron expression."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]      # 0 = Sunday
    any_day: bool                 # day of month was `*`
    any_weekday: bool             # day of week was `*`

    def _day_matches(self, day: dt.date) -> bool:
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self.any_day or self.any_weekday:
            return in_month and in_week
        return in_month or in_week

    def matches(self, moment: dt.datetime) -> bool:
        """True when the schedule is due at this minute."""
        return (moment.minute in self.minutes and moment.hour in self.hours
                and moment.month in self.months and self._day_matches(moment.date()))

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first due minute strictly after `moment`."""
        at = moment.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        limit = at + dt.timedelta(days=366 * SEARCH_YEARS)
        while at < limit:
            if at.month not in self.months:
                at = (at.replace(day=1) + dt.timedelta(days=32)).replace(day=1, hour=0,
                                                                         minute=0)
            elif not self._day_matches(at.date()):
                at = at.replace(hour=0, minute=0) + dt.timedelta(days=1)
            elif at.hour not in self.hours:
                at = at.replace(minute=0) + dt.timedelta(hours=1)
            elif at.minute not in self.minutes:
                at += dt.timedelta(minutes=1)
            else:
                return at
        raise CronError(f"cron {self.expression!r} is never due")

    def due_between(self, after: dt.datetime, until: dt.datetime) -> Iterator[dt.datetime]:
        """Every due minute in (`after`, `until`], oldest first."""
        at = self.next_after(after)
        while at <= until:
            yield at
            at = self.next_after(at)


def parse(expression: str) -> Cron:
    """Read a cron expression; CronError names the field it cannot read."""
    text = MACROS.get(expression.strip().lower(), expression)
    parts = text.split()
    if len(parts) != 5:
        raise CronError(f"cron {expression!r}: expected 5 fields (minute hour day-of-month "
                        f"month day-of-week) or a macro like @daily, got {len(parts)}")
    values = [_field(expression, part, *spec) for part, spec in zip(parts, FIELDS)]
    weekdays = frozenset(0 if day == 7 else day for day in values[4])
    cron = Cron(expression, *values[:4], weekdays, any_day=parts[2] == "*",
                any_weekday=parts[4] == "*")
    cron.next_after(dt.datetime(2000, 1, 1))  # refuses expressions never due
    return cron


def _field(expression: str, text: str, name: str, low: int, high: int,
           names: dict[str, int]) -> frozenset[int]:
    found: set[int] = set()
    for item in text.lower().split(","):
        span, _, step_text = item.partition("/")
        step = _number(expression, name, step_text, names={}) if step_text else 1
        if span == "*":
            start, end = low, high
        elif "-" in span:
            first, _, last = span.partition("-")
            start, end = _number(expression, name, first, names), \
                _number(expression, name, last, names)
        else:
            start = _number(expression, name, span, names)
            end = high if step_text else start
        if not low <= start <= end <= high or step < 1:
            raise CronError(f"cron {expression!r}: {name} {item!r} is out of range "
                            f"{low}-{high}")
        found.update(range(start, end + 1, step))
    return frozenset(found)


def _number(expression: str, name: str, text: str, names: dict[str, int]) -> int:
    if text in names:
        return names[text]
    if not text.isdigit():
        raise CronError(f"cron {expression!r}: cannot read {name} {text!r}")
    return int(text)
