"""Real-time rating with the issue's numbers: time-of-day SMS at 0.02 / 0.03 EUR, and data
packages priced in EUR sold in CNY with the exchange rate and the markup copied onto the
line; rating again changes nothing; period charges are left to billing runs."""
from __future__ import annotations

from decimal import Decimal

import pytest

from modelry import DataError
from modelry.boot import App
from modelry.modules.billing.calculator_checks import save_calculator
from modelry.modules.billing.calculator_models import Calculator
from modelry.modules.billing.catalogue import Charge, ExchangeRate, MarkupKind
from modelry.modules.billing.ingestion import ingest
from modelry.modules.billing.rated import RatedLine
from modelry.modules.billing.rating import rate
from tests.modules.billing.conftest import Catalogue, event


def _line(event_id: int) -> tuple:
    line = RatedLine.query_one(event=event_id)
    return (line.quantity, line.unit_price, line.amount, line.currency, line.fx_rate)


def _lines() -> list[tuple]:
    return [(line.id, line.amount, line.write_date) for line in RatedLine.query_list(sort="id")]


def test_time_of_day_prices_each_event_by_its_hour(billing_app: App,
                                                   catalogue: Catalogue) -> None:
    with billing_app.transaction():
        night, day, edge = ingest([event("n", hour=3), event("d", hour=7),
                                   event("e", hour=6, quantity=1)])
    assert [r.rated for r in (night, day, edge)] == [1, 1, 1]
    assert _line(night.event) == (100, Decimal("0.02"), Decimal("2.00"), "EUR", None)
    assert _line(day.event) == (100, Decimal("0.03"), Decimal("3.00"), "EUR", None)
    assert _line(edge.event)[2] == Decimal("0.03")          # 06:00 is the day's price


def test_a_package_in_euro_sold_in_yuan_keeps_its_rate_and_markup(
        billing_app: App, catalogue: Catalogue) -> None:
    with billing_app.transaction():
        [used] = ingest([event("gb", product="data", quantity=25)])
    line = RatedLine.query_one(event=used.event)
    # 3 packages × 4.99 EUR = 14.97 EUR × 7.8125 = 116.953125 CNY, + 10 % = 128.6484375
    assert (line.quantity, line.price_currency, line.amount, line.currency) == \
        (25, "EUR", Decimal("128.65"), "CNY")
    assert (line.fx_rate, line.markup_kind, line.markup_value, line.markup_amount) == \
        (Decimal("7.8125"), MarkupKind.PERCENT, 10, Decimal("11.6953125"))
    assert line.charge_id == catalogue.data_packages.id and line.unit_price is None
    with billing_app.transaction():                        # the rate changes later...
        ExchangeRate.update_where({"source": "EUR", "target": "CNY"}, rate=8)
        assert rate([used.event]) == 0                      # ...history is not re-priced
        [later] = ingest([event("gb2", product="data", quantity=25)])
    assert RatedLine.query_by_id(line.id).amount == Decimal("128.65")
    assert _line(later.event)[2:] == (Decimal("131.74"), "CNY", 8)


def test_rating_again_changes_nothing_and_rates_only_new_charges(
        billing_app: App, catalogue: Catalogue) -> None:
    with billing_app.transaction():
        results = ingest([event("a", hour=1), event("b", hour=12)])
    ids = [r.event for r in results]
    before = _lines()
    with billing_app.transaction():
        assert rate(ids) == 0
    assert _lines() == before
    with billing_app.transaction():
        Charge(product=catalogue.sms.id, code="sms-flat", charge_model="STANDARD",
               currency="EUR", unit_price=Decimal("0.001")).create()
        assert rate(ids) == 2 and rate(ids) == 0
    flat = RatedLine.query_list(charge__ne=catalogue.sms_by_time.id, sort="event")
    assert [(line.event_id, line.amount) for line in flat] == [(ids[0], Decimal("0.10")),
                                                     (ids[1], Decimal("0.10"))]


def test_percentage_charges_take_a_bounded_share_of_each_amount(
        billing_app: App, catalogue: Catalogue) -> None:
    with billing_app.transaction():
        [none] = ingest([event("n", product="data", quantity=1)])   # before the fee existed
        Charge(product=catalogue.data.id, code="data-fee", charge_model="PERCENTAGE",
               currency="EUR", sell_currency="EUR", percentage_rate=Decimal("0.6"),
               percentage_min=Decimal("0.10"), percentage_max=5).create()
        small, big, later = ingest([event("s", product="data", quantity=1, amount=10),
                                    event("b", product="data", quantity=1, amount=2000),
                                    event("l", product="data", quantity=1)])
    fees = {line.event_id: line.amount for line in RatedLine.query_list(currency="EUR")}
    assert fees == {small.event: Decimal("0.10"), big.event: Decimal("5.00")}
    # no amount for a percentage charge: kept as abnormal, not stored nor rated
    assert (later.code, later.abnormal_code, later.rated) == ("ABNORMAL",
                                                              "TIME_WITHOUT_AMOUNT", 0)
    assert (none.code, none.rated) == ("ok", 1)
    with pytest.raises(DataError) as refused, billing_app.transaction():
        rate([none.event])
    assert refused.value.code == "USAGE_AMOUNT_MISSING"
    assert f"billing.UsageEvent {none.event}: charge 'data-fee'" in refused.value.message


def test_period_charges_are_not_rated_per_event(billing_app: App,
                                                catalogue: Catalogue) -> None:
    with billing_app.transaction():
        volume = save_calculator(Calculator(code="volume", name="Volume", currency="EUR"),
                                 [dict(lower=0, upper=1_000_000, unit_price="0.03"),
                                  dict(lower=1_000_000, upper=None, unit_price="0.02")])
        Charge(product=catalogue.sms.id, code="sms-volume", charge_model="VOLUME",
               currency="EUR", calculator=volume.id).create()
        [result] = ingest([event("v")])
    assert result.rated == 1 and RatedLine.query_one(event=result.event).charge_id == \
        catalogue.sms_by_time.id


def test_a_zone_reads_stored_utc_times_on_its_own_clock(billing_app: App,
                                                        catalogue: Catalogue) -> None:
    with billing_app.transaction():
        Charge.update_where({"id": catalogue.sms_by_time.id}, zone="Asia/Shanghai")
        [late] = ingest([event("z", hour=20)])            # 04:00 in Shanghai
    assert _line(late.event)[1:3] == (Decimal("0.02"), Decimal("2.00"))
    assert RatedLine.count() == 1


def test_ingest_and_rate_open_their_own_transaction_outside_one(
        billing_app: App, catalogue: Catalogue) -> None:
    [stored] = ingest([event("alone")])
    assert stored.code == "ok" and RatedLine.count(event=stored.event) == 1
    assert rate([stored.event]) == 0
    with pytest.raises(DataError) as refused:
        rate([stored.event, stored.event + 1000])
    assert refused.value.code == "EVENT_NOT_FOUND"
