"""Fee snapshots: each price rounded once to the currency's minor unit, the profits adding up
to the margin exactly, and a snapshot that later rate changes cannot reach."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modelry.modules.channel import errors
from modelry.modules.channel.errors import ChannelError
from modelry.modules.channel.fees import FeeSnapshot, Share, Tier, snapshot

D = Decimal
PLACES = {"CNY": 2, "USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}

rates = st.decimals(min_value=D("0.5"), max_value=D("1.2"), places=6)


@st.composite
def orders(draw: st.DrawFn) -> tuple[Decimal, str, list[Tier], Decimal]:
    currency = draw(st.sampled_from(sorted(PLACES)))
    amount = draw(st.decimals(min_value=D(1), max_value=D(100_000), places=PLACES[currency]))
    agents = draw(st.integers(0, 4))
    tiers = [Tier("M1", draw(rates))] + [Tier(f"A{level}", draw(rates))
                                         for level in range(1, agents + 1)]
    return amount, currency, tiers, draw(rates)


def _cents(value: Decimal, currency: str) -> bool:
    return value == value.quantize(D(1).scaleb(-PLACES[currency]))


# --- data cases -----------------------------------------------------------------------------

def test_the_issue_example() -> None:
    fees = snapshot(D(100), "CNY", [Tier("M1", D("0.985")), Tier("A1", D("0.98"))], D("0.97"))
    assert fees == FeeSnapshot(
        amount=D(100), currency="CNY", merchant="M1", merchant_rate=D("0.985"),
        merchant_price=D("98.50"), channel_rate=D("0.97"), cost=D("97.00"),
        platform_price=D("98.00"), platform_profit=D("1.00"),
        shares=(Share("A1", D("0.98"), sells_at=D("98.50"), buys_at=D("98.00"),
                      profit=D("0.50")),))
    assert str(fees.merchant_price) == "98.50"           # to the cent, as the merchant sees it
    assert (fees.margin, fees.losses) == (D("1.50"), ())


CASES = [
    # amount, currency, tier rates (merchant first), channel rate,
    #   merchant price, agents' profits, platform price, cost, platform profit
    ("100", "CNY", ["0.985"], "0.97", "98.50", [], "98.50", "97.00", "1.50"),
    ("100", "CNY", ["0.985", "0.98", "0.975"], "0.97",
     "98.50", ["0.50", "0.50"], "97.50", "97.00", "0.50"),
    ("1", "USD", ["0.125"], "0.115", "0.13", [], "0.13", "0.12", "0.01"),  # half up, once
    ("1", "USD", ["0.135", "0.125"], "0.114", "0.14", ["0.01"], "0.13", "0.11", "0.02"),
    ("333", "JPY", ["0.985"], "0.97", "328", [], "328", "323", "5"),   # 328.005, 323.01
    ("3", "JPY", ["0.5"], "0.5", "2", [], "2", "2", "0"),              # 1.5 -> 2
    ("12.345", "KWD", ["0.99"], "0.98", "12.222", [], "12.222", "12.098", "0.124"),
    # Negative profits are facts: A1 sells below its cost, the channel costs more than the
    # platform's price.
    ("50", "EUR", ["0.97", "0.98"], "0.99", "48.50", ["-0.50"], "49.00", "49.50", "-0.50"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]} {c[1]} {'/'.join(c[2])}" for c in CASES])
def test_data_cases(case: tuple) -> None:
    amount, currency, tier_rates, channel_rate, price, profits, top, cost, platform = case
    tiers = [Tier("M1" if level == 0 else f"A{level}", D(rate))
             for level, rate in enumerate(tier_rates)]
    fees = snapshot(D(amount), currency, tiers, D(channel_rate))
    assert (fees.merchant_price, fees.platform_price, fees.cost, fees.platform_profit) == (
        D(price), D(top), D(cost), D(platform))
    assert [share.profit for share in fees.shares] == [D(p) for p in profits]
    for figure in (fees.merchant_price, fees.platform_price, fees.cost):
        assert figure.as_tuple().exponent == -PLACES[currency]   # written to the minor unit


def test_losses_name_the_agents_then_the_platform() -> None:
    fees = snapshot(D(50), "EUR", [Tier("M1", D("0.97")), Tier("A1", D("0.98")),
                                   Tier("A2", D("0.975"))], D("0.99"))
    assert [share.profit for share in fees.shares] == [D("-0.50"), D("0.25")]
    assert fees.losses == ("A1", "platform")
    assert fees.shares[1] == Share("A2", D("0.975"), sells_at=D("49.00"), buys_at=D("48.75"),
                                   profit=D("0.25"))


def test_int_amounts_and_rates_are_decimals() -> None:
    fees = snapshot(100, "CNY", [Tier("M1", 1)], 1)
    assert (fees.amount, fees.merchant_rate, fees.channel_rate) == (D(100), D(1), D(1))
    assert all(type(value) is Decimal for value in (fees.amount, fees.merchant_rate,
                                                    fees.channel_rate, fees.platform_profit))


# --- properties -----------------------------------------------------------------------------

@given(orders())
def test_profits_add_up_to_the_margin_exactly(order: tuple) -> None:
    amount, currency, tiers, channel_rate = order
    fees = snapshot(amount, currency, tiers, channel_rate)
    assert sum((share.profit for share in fees.shares), fees.platform_profit) == (
        fees.merchant_price - fees.cost) == fees.margin
    assert len(fees.shares) == len(tiers) - 1
    assert [share.party for share in fees.shares] == [tier.party for tier in tiers[1:]]
    # Each price is amount × rate rounded once, half up, to the minor unit.
    for tier, price in zip(tiers, [fees.merchant_price] + [s.buys_at for s in fees.shares]):
        exact = amount * tier.rate
        assert _cents(price, currency)
        assert abs(price - exact) <= D("0.5") * D(1).scaleb(-PLACES[currency])
    assert fees.platform_price == ([fees.merchant_price] + [s.buys_at for s in fees.shares])[-1]
    assert fees.losses == tuple(s.party for s in fees.shares if s.profit < 0) + (
        ("platform",) if fees.platform_profit < 0 else ())


@given(orders(), orders())
def test_a_snapshot_keeps_its_figures_when_the_rates_change(order: tuple,
                                                            later: tuple) -> None:
    amount, currency, tiers, channel_rate = order
    fees = snapshot(amount, currency, tiers, channel_rate)
    copy = snapshot(amount, currency, list(tiers), channel_rate)
    hash(fees)                                    # holds nothing mutable (no list, no dict)
    assert isinstance(fees.shares, tuple)
    # The rates change: the caller's list of tiers is edited in place and priced again.
    _, _, new_tiers, new_channel_rate = later
    tiers[:] = [Tier(tier.party, new.rate) for tier, new in zip(tiers, new_tiers)]
    tiers.append(Tier("A9", D("0.5")))
    snapshot(amount, currency, tiers, new_channel_rate)
    assert fees == copy
    assert fees.merchant_rate == copy.merchant_rate and len(fees.shares) == len(copy.shares)


# --- refusals -------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "currency", "code"), [
    (D(0), "CNY", errors.AMOUNT_INVALID), (D(-1), "CNY", errors.AMOUNT_INVALID),
    (100.0, "CNY", errors.AMOUNT_INVALID), (D("NaN"), "CNY", errors.AMOUNT_INVALID),
    ("100", "CNY", errors.AMOUNT_INVALID), (D("100.005"), "CNY", errors.AMOUNT_INVALID),
    (D("100.5"), "JPY", errors.AMOUNT_INVALID), (D(100), "XXX", errors.CURRENCY_UNKNOWN)])
def test_bad_amounts_are_refused(amount: object, currency: str, code: str) -> None:
    with pytest.raises(ChannelError) as caught:
        snapshot(amount, currency, [Tier("M1", D("0.985"))], D("0.97"))  # type: ignore[arg-type]
    assert caught.value.code == code


def test_an_amount_written_with_more_zeros_is_still_money() -> None:
    assert snapshot(D("100.0000"), "CNY", [Tier("M1", D("0.985"))],
                    D("0.97")).merchant_price == D("98.50")


@pytest.mark.parametrize("rate", [D(0), D("-0.1"), 0.985, D("Infinity"), D("sNaN"), "0.985"])
def test_bad_rates_are_refused_naming_the_party(rate: object) -> None:
    with pytest.raises(ChannelError) as caught:
        Tier("A7", rate)  # type: ignore[arg-type]
    assert (caught.value.code, caught.value.field) == (errors.RATE_INVALID, "rate")
    assert "'A7'" in str(caught.value)
    with pytest.raises(ChannelError) as caught:
        snapshot(D(100), "CNY", [Tier("M1", D("0.985"))], rate)  # type: ignore[arg-type]
    assert caught.value.code == errors.RATE_INVALID
    assert "channel rate" in str(caught.value)


@pytest.mark.parametrize(("tiers", "code"), [
    ([], errors.TIERS_INVALID),
    ([Tier("M1", D(1)), Tier("A1", D(1)), Tier("M1", D(1))], errors.TIERS_INVALID),
    ([("M1", D(1))], errors.TIERS_INVALID)])
def test_bad_chains_are_refused(tiers: list, code: str) -> None:
    with pytest.raises(ChannelError) as caught:
        snapshot(D(100), "CNY", tiers, D("0.97"))
    assert caught.value.code == code


@pytest.mark.parametrize("party", ["", "platform", None])
def test_bad_parties_are_refused(party: object) -> None:
    with pytest.raises(ChannelError) as caught:
        Tier(party, D(1))  # type: ignore[arg-type]
    assert caught.value.code == errors.PARTY_INVALID


@pytest.mark.parametrize(("amount", "rate"), [
    ("1" * 35 + ".11", "0." + "7" * 30),     # a product of 67 digits
    ("1" + "0" * 58, "0.99")])               # 61 digits once written to the cent
def test_a_price_that_cannot_be_exact_is_refused(amount: str, rate: str) -> None:
    with pytest.raises(ChannelError) as caught:
        snapshot(D(amount), "CNY", [Tier("M1", D(rate))], D(1))
    assert caught.value.code == errors.PRECISION_EXCEEDED
