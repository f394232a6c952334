"""Every field type survives create → query_by_id unchanged, on every database."""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from modelry import Model, Module, fields
from modelry.boot import App

module = Module("fieldtest", depends=["base"], display_name="Field round trips")


class Color(enum.Enum):
    """String-valued: values differ from names, so storage by name would show."""

    RED = "red"
    DARK_GREEN = "dark-green"


class Level(enum.Enum):
    """Integer-valued."""

    LOW = 10
    HIGH = 30


class Sample(Model, model="fieldtest.Sample"):
    """One optional field of every scalar type, no defaults."""

    name = fields.String(size=40)
    body = fields.Text()
    small = fields.Integer()
    big = fields.BigInteger()
    ratio = fields.Float()
    amount = fields.Decimal(precision=30, scale=10)
    price = fields.Money()
    flag = fields.Boolean()
    day = fields.Date()
    moment = fields.DateTime()
    at = fields.Time()
    color = fields.Enum(Color)
    level = fields.Enum(Level)
    doc = fields.Json()
    blob = fields.Binary()


SCALARS = ["name", "body", "small", "big", "ratio", "amount", "price", "flag", "day", "moment",
           "at", "color", "level", "doc", "blob"]


@pytest.fixture
def fapp(make_app: Callable[..., App]) -> Iterator[App]:
    """The fieldtest module booted on each database, empty, active."""
    app = make_app([module])
    with app.activate():
        yield app


def round_trip(app: App, **values: Any) -> Sample:
    """Create a Sample in one transaction, read it back in another."""
    with app.transaction():
        created = Sample(**values).create()
    assert isinstance(created.id, int)
    with app.transaction():
        found = Sample.query_by_id(created.id)
    assert found is not None
    return found


def raw_row(app: App, record_id: int, *columns: str) -> tuple[Any, ...]:
    """The stored column values, read with a plain SELECT (no field conversion).

    Untyped `sa.column`s quote names (`blob` is reserved on MariaDB) and convert nothing.
    """
    table = sa.table("fieldtest_sample", sa.column("id"), *map(sa.column, columns))
    query = sa.select(*(table.c[name] for name in columns)).where(table.c.id == record_id)
    with app.engine.connect() as connection:
        return tuple(connection.execute(query).one())


def test_string_keeps_text_up_to_its_size(fapp: App) -> None:
    value = "Ünïcødé ✓ 🐈 " + "x" * 28
    assert len(value) == 40
    found = round_trip(fapp, name=value)
    assert found.name == value


def test_text_keeps_more_than_70k_characters(fapp: App) -> None:
    value = ("long text é 🐕 " * 6000)[:75_001]
    found = round_trip(fapp, body=value)
    assert len(found.body) == 75_001
    assert found.body == value


def round_trip_each(app: App, field: str, values: list[Any]) -> list[Any]:
    """Create one Sample per value in one transaction; the values read back, in order."""
    with app.transaction():
        ids = [Sample(**{field: value}).create().id for value in values]
    with app.transaction():
        return [getattr(Sample.query_by_id(record_id), field) for record_id in ids]


def test_integer_keeps_32_bit_bounds(fapp: App) -> None:
    values = [2**31 - 1, -(2**31), 0]
    assert round_trip_each(fapp, "small", values) == values


def test_big_integer_keeps_values_beyond_double_precision(fapp: App) -> None:
    values = [2**53 + 1, 2**63 - 1, -(2**63)]
    found = round_trip_each(fapp, "big", values)
    assert found == values
    assert all(type(value) is int for value in found)


def test_float_keeps_double_precision(fapp: App) -> None:
    values = [1 / 3, -2.5e-300, 1.7976931348623157e308, 0.1 + 0.2]
    found = round_trip_each(fapp, "ratio", values)
    assert found == values
    assert all(type(value) is float for value in found)


def test_boolean_round_trips_and_false_is_not_none(fapp: App) -> None:
    true, false, none = round_trip_each(fapp, "flag", [True, False, None])
    assert (true, false, none) == (True, False, None)
    assert true is True and false is False  # booleans, not 1 and 0


def test_decimal_of_fifteen_significant_digits_is_exact_everywhere(fapp: App) -> None:
    found = round_trip(fapp, amount=Decimal("-12345.0123456789"), price=Decimal("12345678901.2345"))
    assert (str(found.amount), str(found.price)) == ("-12345.0123456789", "12345678901.2345")


def test_decimal_keeps_precision_and_scale_exactly(fapp: App) -> None:
    value = Decimal("12345678901234567890.0123456789")  # 30 digits, 10 after the point
    found = round_trip(fapp, amount=value)
    assert isinstance(found.amount, Decimal)
    assert found.amount == value
    assert found.amount.as_tuple().exponent == -10


def test_decimal_is_returned_at_the_declared_scale(fapp: App) -> None:
    found = round_trip(fapp, amount=Decimal("-0.5"))
    assert str(found.amount) == "-0.5000000000"


def test_money_keeps_twenty_digits_with_four_after_the_point(fapp: App) -> None:
    value = Decimal("9876543210987654.3219")  # Money: precision 20, scale 4
    found = round_trip(fapp, price=value)
    assert isinstance(found.price, Decimal)
    assert found.price == value
    assert str(found.price) == "9876543210987654.3219"


def test_money_of_one_cent_is_exact(fapp: App) -> None:
    assert str(round_trip(fapp, price=Decimal("0.01")).price) == "0.0100"


def test_date_round_trips(fapp: App) -> None:
    found = round_trip(fapp, day=dt.date(2024, 2, 29))
    assert found.day == dt.date(2024, 2, 29)
    assert type(found.day) is dt.date


def test_datetime_keeps_microseconds(fapp: App) -> None:
    value = dt.datetime(2024, 2, 29, 23, 59, 58, 123456)
    found = round_trip(fapp, moment=value)
    assert found.moment == value
    assert found.moment.tzinfo is None


def test_aware_datetime_is_stored_as_naive_utc(fapp: App) -> None:
    paris_summer = dt.timezone(dt.timedelta(hours=2))
    found = round_trip(fapp, moment=dt.datetime(2024, 6, 1, 1, 30, 0, 5, tzinfo=paris_summer))
    assert found.moment == dt.datetime(2024, 5, 31, 23, 30, 0, 5)
    assert found.moment.tzinfo is None


def test_time_keeps_microseconds(fapp: App) -> None:
    value = dt.time(23, 59, 58, 654321)
    found = round_trip(fapp, at=value)
    assert found.at == value


def test_string_enum_is_stored_by_value(fapp: App) -> None:
    found = round_trip(fapp, color=Color.DARK_GREEN)
    assert found.color is Color.DARK_GREEN
    assert raw_row(fapp, found.id, "color") == ("dark-green",)


def test_int_enum_is_stored_by_value(fapp: App) -> None:
    found = round_trip(fapp, level=Level.HIGH)
    assert found.level is Level.HIGH
    assert raw_row(fapp, found.id, "level") == (30,)


def test_enum_accepts_a_raw_value_and_returns_the_member(fapp: App) -> None:
    found = round_trip(fapp, color="red", level=10)
    assert (found.color, found.level) == (Color.RED, Level.LOW)
    assert raw_row(fapp, found.id, "color", "level") == ("red", 10)


def test_json_keeps_nested_dicts_and_lists(fapp: App) -> None:
    value = {"a": [1, 2.5, {"b": None, "c": "ü 🐈"}], "d": True, "e": {"f": []}, "g": -7}
    assert round_trip(fapp, doc=value).doc == value


def test_json_keeps_a_top_level_list(fapp: App) -> None:
    value = [{"x": 1}, [2, [3]], "four", False]
    assert round_trip(fapp, doc=value).doc == value


def test_binary_keeps_zero_bytes(fapp: App) -> None:
    value = b"\x00" + bytes(range(256)) * 3 + b"\x00\x00"
    found = round_trip(fapp, blob=value)
    assert isinstance(found.blob, bytes)
    assert found.blob == value


def test_every_optional_field_reads_back_as_none(fapp: App) -> None:
    found = round_trip(fapp)
    assert {name: getattr(found, name) for name in SCALARS} == dict.fromkeys(SCALARS)
    assert raw_row(fapp, found.id, *SCALARS) == (None,) * len(SCALARS)


def test_a_batch_round_trips_every_type(fapp: App) -> None:
    values = {
        "name": "batch", "body": "b" * 10, "small": -5, "big": 2**62, "ratio": 0.1,
        "amount": Decimal("0.0000000001"), "price": Decimal("-12.3400"), "flag": False,
        "day": dt.date(1999, 12, 31), "moment": dt.datetime(2000, 1, 1, 0, 0, 0, 1),
        "at": dt.time(0, 0, 0, 1), "color": Color.RED, "level": Level.LOW,
        "doc": {"k": [None]}, "blob": b"\x00\x01"}
    with fapp.transaction():
        Sample.create_batch([Sample(**values), Sample(name="empty")])
    with fapp.transaction():
        full, empty = Sample.query_list(sort="id")
    assert {name: getattr(full, name) for name in SCALARS} == values
    assert {name: getattr(empty, name) for name in SCALARS} == {
        **dict.fromkeys(SCALARS), "name": "empty"}


def null_columns(app: App, record_id: int) -> set[str]:
    """Columns of the row that hold SQL NULL (a JSON `null` would not count)."""
    table = sa.table("fieldtest_sample", sa.column("id"), *map(sa.column, SCALARS))
    query = sa.select(*(sa.case((table.c[name].is_(None), 1), else_=0) for name in SCALARS))
    with app.engine.connect() as connection:
        row = connection.execute(query.where(table.c.id == record_id)).one()
    return {name for name, is_null in zip(SCALARS, row, strict=True) if is_null}


def test_explicit_none_is_stored_as_sql_null(fapp: App) -> None:
    found = round_trip(fapp, **dict.fromkeys(SCALARS))
    assert {name: getattr(found, name) for name in SCALARS} == dict.fromkeys(SCALARS)
    assert null_columns(fapp, found.id) == set(SCALARS)
    with fapp.transaction():
        assert Sample.count(doc__isnull=True) == 1


def test_enum_columns_hold_values_not_names(fapp: App) -> None:
    columns = {c["name"]: c["type"] for c in sa.inspect(fapp.engine).get_columns(
        "fieldtest_sample")}
    assert isinstance(columns["color"], sa.String)
    assert columns["color"].length == 16  # at least 16, more for longer values
    assert isinstance(columns["level"], sa.Integer)
