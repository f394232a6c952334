"""One bill priced without a database (`price_bill`), as property tests: money is never lost
or doubled. For random terms (a fee converted and marked up, trial and paused days, rated
totals, period charges on random calculators, package quotas with overage, several
discounts of every kind and scope) the total is exactly the sum of the lines' nets, each
line is rounded to the currency's minor unit, a fixed discount takes at most its value, a
percentage exactly its share of each line in scope; and a plain model in Fractions prices
the same lines. Then the issue's cases."""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from modelry.modules.billing.adjustments import FIXED, PERCENT
from modelry.modules.billing.bill_pricing import (ALL, FEE, OVERAGE, PLAN, PRODUCT, SITE, USAGE,
                                                  BillDraft, BillTerms, DiscountTerms,
                                                  FeeTerms, PeriodCharge,
                                                  PeriodUsage, Quota, price_bill)
from modelry.modules.billing.charges import GraduatedCharge, VolumeCharge
from modelry.modules.billing.money import MINOR_UNITS, quantum
from modelry.modules.billing.periods import Days, Period
from modelry.modules.billing.pricing import FxRate, Markup
from tests.modules.billing import reference
from tests.modules.billing.strategies import calculator_of, money, rows

CURRENCIES = ("EUR", "JPY", "KWD", "CNY")
PRODUCTS = {1: "sms", 2: "seats", 3: "data", 4: "calls", 5: "storage", 6: "api"}
PLANS = ("pro", "basic")
SITES = ("paris", "tokyo")
START = date(2026, 1, 1)


# --- random terms ----------------------------------------------------------------------

def _places(currency: str) -> int:
    return MINOR_UNITS[currency]


@st.composite
def converted(draw: st.DrawFn, currency: str) -> tuple[str, FxRate | None, Markup | None]:
    """A price currency (the bill's, or another with a rate to it) and a markup or none."""
    source = draw(st.sampled_from(CURRENCIES))
    fx = None if source == currency else \
        FxRate(source, currency, draw(money("0.0001", "200", 4).filter(lambda r: r > 0)))
    markup = draw(st.one_of(
        st.none(),
        st.builds(Markup, st.just(PERCENT), money("-100", "100", 2)),
        st.builds(Markup, st.just(FIXED), money("-50", "50", 3))))
    return source, fx, markup


@st.composite
def fee_days(draw: st.DrawFn, trial_only: bool = False) -> tuple[Period, Days]:
    """A fee period and how its full period's days count (some trial, some paused)."""
    period_days = draw(st.integers(1, 366))
    active = draw(st.integers(0, period_days))
    trial = active if trial_only else draw(st.integers(0, active))
    stub = draw(st.integers(1, period_days))
    return (Period(START, START + timedelta(days=stub)),
            Days(period_days, active, trial, active - trial))


@st.composite
def discounts(draw: st.DrawFn, currency: str, quota_codes: list[str],
              fine_fixed: bool = False, any_product: bool = False) -> list[DiscountTerms]:
    """0 to 4 discounts, fixed (in the bill currency's minor unit, or finer) or percent, of
    every scope (a product scope names a quota's product, or one no line has, or, with
    `any_product`, any product)."""
    offered: list[DiscountTerms] = []
    products = sorted(PRODUCTS.values()) if any_product else quota_codes + ["nothing"]
    for number in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from((FIXED, PERCENT)))
        value = draw(money("0", "100", 2)) if kind == PERCENT else \
            draw(money("0", "300", _places(currency) + (3 if fine_fixed else 0)))
        scope = draw(st.sampled_from((ALL, PRODUCT, PLAN, SITE)))
        code = {ALL: st.none(), PRODUCT: st.sampled_from(products),
                PLAN: st.sampled_from(PLANS), SITE: st.sampled_from(SITES)}[scope]
        offered.append(DiscountTerms(100 + number, f"d{number}", kind, value, scope,
                                     draw(code)))
    return offered


@st.composite
def bills(draw: st.DrawFn, trial_only: bool = False, fine_fixed: bool = False,
          any_product: bool = False) -> tuple[BillTerms, PeriodUsage]:
    """Random terms of one bill and its period's usage."""
    currency = draw(st.sampled_from(CURRENCIES))
    places = _places(currency)
    source, fx, markup = draw(converted(currency))
    fee = FeeTerms("Plan", draw(money("0", "1000", 4)), source, fx, markup)
    period, days = draw(fee_days(trial_only))
    charged = trial_only or draw(st.booleans())
    products = draw(st.permutations(sorted(PRODUCTS)))
    quota_products, period_products = products[:2], products[2:4]
    quotas = [Quota(product, PRODUCTS[product], draw(money("0", "50", 2)),
                    draw(money("0", "5", 4)))
              for product in quota_products[:draw(st.integers(0, 2))]]
    rated = {charge: (draw(money("-50", "500", places)), draw(money("0", "1000", 3)),
                      currency, product, f"c{charge}")
             for charge, product in zip(draw(st.sets(st.integers(1, 9), max_size=4)),
                                        draw(st.lists(st.sampled_from(sorted(PRODUCTS)),
                                                      min_size=4, max_size=4)))}
    period_charges, aggregated = [], {}
    for charge, product in zip((20, 21), period_products[:draw(st.integers(0, 2))]):
        price_currency, charge_fx, charge_markup = draw(converted(currency))
        table = draw(rows())
        pure = draw(st.sampled_from((GraduatedCharge, VolumeCharge)))(calculator_of(table))
        period_charges.append(PeriodCharge(charge, f"c{charge}", product, pure,
                                           price_currency, charge_fx, charge_markup))
        aggregated[charge] = Decimal(draw(st.integers(0, 150)))
    used = {quota.product: draw(money("0", "100", 3)) for quota in quotas}
    terms = BillTerms(currency, draw(st.sampled_from(PLANS)),
                      draw(st.sampled_from((None,) + SITES)), fee,
                      period if charged else None, days if charged else None,
                      (START, period.end), period_charges, quotas,
                      draw(discounts(currency, [q.product_code for q in quotas], fine_fixed,
                                     any_product)), PRODUCTS)
    return terms, PeriodUsage(rated, aggregated, used)


# --- the plain model -------------------------------------------------------------------

def rounded(amount: Fraction, currency: str) -> Fraction:
    """`amount` to the currency's minor unit, ties away from zero."""
    unit = Fraction(10) ** _places(currency)
    units = int(abs(amount) * unit + Fraction(1, 2))
    return Fraction(units if amount >= 0 else -units) / unit


def marked_up(cost: Fraction, markup: Markup | None) -> Fraction:
    """`cost` plus its markup; a negative markup stops at zero (or at a negative cost)."""
    if markup is None:
        return cost
    added = Fraction(markup.value) if markup.kind == FIXED else cost * Fraction(markup.value) / 100
    return cost + added if added >= 0 else max(cost + added, min(cost, Fraction(0)))


def in_rate(amount: Fraction, fx: FxRate | None) -> Fraction:
    """`amount` converted at the rate, if any."""
    return amount if fx is None else amount * Fraction(fx.rate)


def in_scope(product: int | None, terms: BillTerms, offered: DiscountTerms) -> bool:
    """Whether a line of `product` is in the discount's scope (a product scope: the lines
    of that product, whatever their kind)."""
    if offered.scope == PLAN:
        return offered.scope_code == terms.plan_code
    if offered.scope == SITE:
        return terms.site is not None and offered.scope_code == terms.site
    if offered.scope == PRODUCT:
        return product is not None and PRODUCTS[product] == offered.scope_code
    return True


def expected_lines(terms: BillTerms, usage: PeriodUsage) -> list[tuple[str, int | None,
                                                                        Fraction]]:
    """(kind, product, amount) of each line the plain model prices, in bill order."""
    currency, fee = terms.currency, terms.fee
    lines: list[tuple[str, int | None, Fraction]] = []
    if terms.days is not None:
        full = marked_up(in_rate(Fraction(fee.price), fee.fx), fee.markup)
        lines.append((FEE, None, rounded(full * terms.days.billable / terms.days.period_days,
                                         currency)))
    quota_products = {quota.product for quota in terms.quotas}
    lines += [(USAGE, product, Fraction(amount))
              for _, (amount, _, _, product, _) in sorted(usage.rated.items())
              if product not in quota_products]
    for charge in terms.period_charges:
        quantity = usage.aggregated[charge.charge]
        table = [(s.lower, s.upper, s.a, s.b) for s in charge.pure.calculator.segments]
        cost = reference.graduated_units(table, 0, int(quantity)) \
            if isinstance(charge.pure, GraduatedCharge) else \
            reference.volume(table, Fraction(quantity))
        amount = rounded(marked_up(in_rate(cost, charge.fx), charge.markup), currency)
        if quantity or amount:
            lines.append((USAGE, charge.product, amount))
    for quota in terms.quotas:
        over = max(Fraction(usage.used[quota.product]) - Fraction(quota.quota), Fraction(0))
        cost = in_rate(over * Fraction(quota.overage_price), fee.fx)
        priced = marked_up(cost, fee.markup) if cost else Fraction(0)   # none over: free
        lines.append((OVERAGE, quota.product, rounded(priced, currency)))
    return lines


def expected_discounts(terms: BillTerms, lines: list[tuple[str, int | None, Fraction]]
                       ) -> list[Fraction]:
    """What the discounts take off each line: in turn, a percentage off each positive net
    in scope (the net rounded half up), a fixed amount (in whole minor units, never more
    than its value) off them in order until used up."""
    taken = [Fraction(0)] * len(lines)
    unit = Fraction(quantum(terms.currency))
    for offered in terms.discounts:
        value = Fraction(offered.value)
        left = value if offered.kind == PERCENT else (value // unit) * unit
        for index, (_, product, amount) in enumerate(lines):
            net = amount - taken[index]
            if not in_scope(product, terms, offered) or net <= 0:
                continue
            off = net - rounded(net * (100 - value) / 100, terms.currency) \
                if offered.kind == PERCENT else min(left, net)
            taken[index] += off
            left -= off
    return taken


# --- properties --------------------------------------------------------------------------

def check_money_is_kept(terms: BillTerms, draft: BillDraft) -> None:
    """The bill's sums, each line's split and rounding."""
    unit = quantum(terms.currency)
    assert draft.total == sum(line.net for line in draft.lines)
    assert draft.discount_total == sum(line.discount_amount for line in draft.lines)
    for line in draft.lines:
        assert line.currency == terms.currency
        assert line.amount == line.net + line.discount_amount
        assert line.amount == line.amount.quantize(unit)
        assert line.discount_amount == line.discount_amount.quantize(unit)
        assert line.discount_amount >= 0
        if line.amount >= 0:
            assert line.net >= 0


def check_each_discount(terms: BillTerms, usage: PeriodUsage) -> None:
    """Priced with the first k discounts and with the first k + 1: the (k+1)th takes
    exactly its percentage of each net in scope, or its fixed value or all it can."""
    before = price_bill(dataclasses.replace(terms, discounts=()), usage)
    for count, offered in enumerate(terms.discounts, start=1):
        after = price_bill(dataclasses.replace(terms, discounts=terms.discounts[:count]),
                           usage)
        offs = [b.discount_amount - a.discount_amount
                for a, b in zip(before.lines, after.lines)]
        nets = [line.net for line in before.lines]
        inside = [in_scope(line.product, terms, offered) for line in before.lines]
        assert after.total == before.total - sum(offs)
        assert all(off == 0 for off, hit in zip(offs, inside) if not hit)
        if offered.kind == PERCENT:
            share = Fraction(offered.value) / 100
            half = Fraction(quantum(terms.currency)) / 2
            for off, net, hit in zip(offs, nets, inside):
                if hit and net > 0:      # what is left is rounded half up, once
                    exact = Fraction(net) * share
                    assert Fraction(net - off) == rounded(Fraction(net) - exact, terms.currency)
                    assert abs(Fraction(off) - exact) <= half
                elif hit:
                    assert off == 0
        else:
            reachable = sum(net for net, hit in zip(nets, inside) if hit and net > 0)
            assert sum(offs) == min(offered.value, reachable) <= offered.value
        # a use of the discount's duration is a bill it took something off
        assert (offered.discount in after.discounts_used) == (sum(offs) > 0)
        before = after


@given(bills())
def test_a_bill_keeps_every_minor_unit(bill: tuple[BillTerms, PeriodUsage]) -> None:
    terms, usage = bill
    draft = price_bill(terms, usage)
    check_money_is_kept(terms, draft)
    check_each_discount(terms, usage)


@given(bills())
def test_the_plain_model_prices_the_same_lines(bill: tuple[BillTerms, PeriodUsage]) -> None:
    terms, usage = bill
    draft = price_bill(terms, usage)
    lines = expected_lines(terms, usage)
    taken = expected_discounts(terms, lines)
    assert [(line.kind, line.product, Fraction(line.amount)) for line in draft.lines] == lines
    assert [Fraction(line.discount_amount) for line in draft.lines] == taken
    assert Fraction(draft.total) == sum(amount for _, _, amount in lines) - sum(taken)
    assert Fraction(draft.discount_total) == sum(taken)


@given(bills(trial_only=True))
def test_a_fee_is_nothing_when_every_billable_day_is_trial(
        bill: tuple[BillTerms, PeriodUsage]) -> None:
    terms, usage = bill
    fee = price_bill(terms, usage).lines[0]
    assert (fee.kind, fee.amount, fee.net, fee.quantity) == (FEE, 0, 0, 0)
    assert fee.description.endswith(" (trial)") == (terms.days.trial > 0)


# --- the cases -------------------------------------------------------------------

def plain_terms(currency: str, price: str, days: Days, **more: Any) -> BillTerms:
    """A monthly plan 'pro' billing January 2026."""
    fee = more.pop("fee", FeeTerms("Pro", Decimal(price), currency))
    return BillTerms(currency, "pro", None, fee, Period(START, date(2026, 2, 1)), days,
                     (START, date(2026, 2, 1)), **more)


FULL_MONTH = Days(31, 31, 0, 31)


def test_400_yen_at_half_price_shows_200_at_50_percent_off() -> None:
    half = DiscountTerms(1, "HALF", PERCENT, Decimal(50), PLAN, "pro")
    draft = price_bill(plain_terms("JPY", "400", FULL_MONTH, discounts=[half]), PeriodUsage())
    [fee] = draft.lines
    assert (fee.amount, fee.discount_amount, fee.net, fee.label, fee.discount) == \
        (Decimal(400), Decimal(200), Decimal(200), "200 (50% off)", 1)
    assert (draft.total, draft.discount_total, draft.discounts_used) == \
        (Decimal(200), Decimal(200), (1,))


def test_a_trial_month_bills_its_fee_at_nothing_and_its_usage_in_full() -> None:
    draft = price_bill(plain_terms("EUR", "10", Days(31, 31, 31, 0)),
                       PeriodUsage(rated={7: (Decimal("6.00"), Decimal(120), "EUR", 1,
                                              "sms")}))
    fee, sms = draft.lines
    assert (fee.description, fee.amount) == ("Pro, 2026-01-01 to 2026-01-31 (trial)", 0)
    assert (sms.description, sms.amount, draft.total) == ("sms: 120", Decimal("6.00"),
                                                          Decimal("6.00"))


def test_a_package_in_euro_sold_in_yuan_with_a_markup() -> None:
    fee = FeeTerms("10 GB", Decimal(5), "EUR", FxRate("EUR", "CNY", Decimal("7.8125")),
                   Markup(PERCENT, 10))
    terms = plain_terms("CNY", "5", FULL_MONTH, fee=fee,
                        quotas=[Quota(3, "data", Decimal(10), Decimal("0.8"))])
    draft = price_bill(terms, PeriodUsage(used={3: Decimal("12.5")}))
    package, overage = draft.lines
    # 5 EUR × 7.8125 = 39.0625 CNY + 10 % = 42.96875 → 42.97
    assert (package.amount, package.fx_rate, package.markup) == \
        (Decimal("42.97"), Decimal("7.8125"), Markup(PERCENT, 10))
    # 2.5 GB × 0.8 EUR = 2 EUR × 7.8125 = 15.625 CNY + 10 % = 17.1875 → 17.19
    assert (overage.description, overage.quantity, overage.amount) == \
        ("data: 12.5 used, 10 included", Decimal("2.5"), Decimal("17.19"))
    assert draft.total == Decimal("60.16")
    promoted = dataclasses.replace(terms, discounts=[
        DiscountTerms(2, "DATA", FIXED, Decimal("20"), PRODUCT, "data"),
        DiscountTerms(3, "TENTH", PERCENT, Decimal("10"), ALL)])
    package, overage = price_bill(promoted, PeriodUsage(used={3: Decimal("12.5")})).lines
    # the data discount takes all 17.19 of the overage, then 10 % of what is left of each
    assert (overage.net, overage.discount_amount) == (0, Decimal("17.19"))
    assert (package.net, package.discount_amount, package.label) == \
        (Decimal("38.67"), Decimal("4.30"), "38.67 (10% off)")
