"""What is sold and how it is priced: `billing.Product` (a metered unit), `billing.Charge`
(a product's charge model and its parameters, in one price plan or for every
subscription), the day segments of a time-of-day charge (`billing.ChargeTimeSegment`) and
exchange rates."""
from __future__ import annotations

import enum

from modelry import Model, fields


class ChargeModel(enum.Enum):
    """How a charge prices usage (see `charges` and `time_of_day`)."""

    STANDARD = "STANDARD"          # every unit at unit_price (per event)
    GRADUATED = "GRADUATED"        # each calculator segment prices its own units (per period)
    VOLUME = "VOLUME"              # all units at the segment reached (per period)
    PACKAGE = "PACKAGE"            # ceil(units past the free ones / size) × price (per event)
    PERCENTAGE = "PERCENTAGE"      # a percentage of each event's amount, within min / max
    TIME_OF_DAY = "TIME_OF_DAY"    # the unit price of the time of day the event happened


# Rated event by event as usage arrives; the others price a period's total (billing runs).
PER_EVENT = frozenset({ChargeModel.STANDARD, ChargeModel.PACKAGE, ChargeModel.PERCENTAGE,
                       ChargeModel.TIME_OF_DAY})


class Aggregation(enum.Enum):
    """How a period charge (GRADUATED, VOLUME) reads a period's usage into one quantity."""

    SUM = "SUM"                    # the quantities added up
    COUNT = "COUNT"                # the number of events
    MAX = "MAX"                    # the largest quantity, e.g. the most seats on any day
    UNIQUE_COUNT = "UNIQUE_COUNT"  # distinct values of one property, e.g. active users
    LAST = "LAST"                  # the quantity of the latest event


class MarkupKind(enum.Enum):
    """A markup is a fixed amount per line or a percentage of the converted amount."""

    FIXED = "FIXED"
    PERCENT = "PERCENT"


class Product(Model, model="billing.Product", display_name="Product"):
    """A metered thing usage events count, e.g. "sms" in messages or "storage" in GB."""

    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    unit = fields.String(size=32, help="what a quantity of 1 is, e.g. GB")


class Charge(Model, model="billing.Charge", display_name="Charge"):
    """How a product's usage is priced: in `currency`, sold in `sell_currency` (converted
    with its `billing.ExchangeRate`) plus an optional markup; the rate and the markup are
    copied onto every rated line."""

    product = fields.ManyToOne("billing.Product", required=True, on_delete="RESTRICT")
    plan = fields.ManyToOne("billing.PricePlan", on_delete="CASCADE", index=True,
                            help="the plan it belongs to (empty: every subscription)")
    code = fields.String(required=True, size=64, unique=True)
    charge_model = fields.Enum(ChargeModel, required=True, default=ChargeModel.STANDARD)
    currency = fields.String(required=True, size=3, help="what the prices are in")
    sell_currency = fields.String(size=3, help="what lines are billed in (empty: currency)")
    unit_price = fields.Decimal(24, 8, help="STANDARD")
    calculator = fields.ManyToOne("billing.Calculator", on_delete="RESTRICT",
                                  help="GRADUATED, VOLUME")
    package_size = fields.Decimal(24, 6, help="PACKAGE: units in a package")
    package_price = fields.Decimal(24, 8, help="PACKAGE: the price of a package")
    free_units = fields.Decimal(24, 6, default=0, help="PACKAGE: units free of charge")
    percentage_rate = fields.Decimal(12, 6, help="PERCENTAGE: percent of each amount")
    percentage_min = fields.Decimal(24, 8, help="PERCENTAGE: least fee per event")
    percentage_max = fields.Decimal(24, 8, help="PERCENTAGE: most fee per event")
    zone = fields.String(size=64, help="TIME_OF_DAY: IANA zone aware timestamps are read in")
    markup_kind = fields.Enum(MarkupKind)
    markup_value = fields.Decimal(24, 8, help="an amount, or percent (negative: below cost)")
    aggregation = fields.Enum(Aggregation, required=True, default=Aggregation.SUM,
                              help="GRADUATED, VOLUME: a period's usage as one quantity")
    aggregation_property = fields.String(size=64, help="UNIQUE_COUNT: the property counted")
    time_segments = fields.OneToMany("billing.ChargeTimeSegment", inverse="charge")


class ChargeTimeSegment(Model, model="billing.ChargeTimeSegment",
                        display_name="Time-of-day segment",
                        unique=[("charge", "start_time")]):
    """Events at a wall-clock time in `[start_time, end_time)` (`end_time` empty: 24:00) cost
    `unit_price` per unit."""

    charge = fields.ManyToOne("billing.Charge", required=True, on_delete="CASCADE")
    start_time = fields.Time(required=True)
    end_time = fields.Time()
    unit_price = fields.Decimal(24, 8, required=True)


class ExchangeRate(Model, model="billing.ExchangeRate", display_name="Exchange rate",
                   unique=[("source", "target")]):
    """`rate` units of `target` for one of `source`, as the rate source quotes it now; a
    rated line keeps the rate it was priced with."""

    source = fields.String(required=True, size=3)
    target = fields.String(required=True, size=3)
    rate = fields.Decimal(24, 10, required=True)
