"""One bill priced from its terms and its period's usage, without a database: the fee
(prorated by billable days, 0 in a trial), one line per charge used, package overage, and
the discounts. Billing runs and `simulate` both price through `price_bill`.

Rounding: every line is rounded once, half up, to the bill currency's minor unit (rated
lines were rounded when rated; their sum is exact); discounts take whole minor units off;
the bill's total is exactly the sum of its lines' nets.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from modelry.modules.billing import errors
from modelry.modules.billing.adjustments import FIXED, PERCENT
from modelry.modules.billing.discounts import Discount, apply_discount, discount_label
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.money import exact, plain, quantum, round_money
from modelry.modules.billing.periods import Days, Period, prorated_fee
from modelry.modules.billing.pricing import FxRate, Markup, price_line

FEE, USAGE, OVERAGE = "FEE", "USAGE", "OVERAGE"
ALL, PRODUCT, PLAN, SITE = "ALL", "PRODUCT", "PLAN", "SITE"


@dataclass(frozen=True)
class FeeTerms:
    """The recurring fee: `price` in `price_currency`, converted with `fx` and marked up."""

    description: str
    price: Decimal
    price_currency: str
    fx: FxRate | None = None
    markup: Markup | None = None


@dataclass(frozen=True)
class PeriodCharge:
    """A charge that prices a period's aggregated quantity (graduated, volume)."""

    charge: int
    code: str
    product: int
    pure: Any                          # a GraduatedCharge or VolumeCharge
    price_currency: str
    fx: FxRate | None = None
    markup: Markup | None = None


@dataclass(frozen=True)
class Quota:
    """`quota` units of a product in the package; each unit past it costs `overage_price`
    (in the package's price currency, converted and marked up like its fee)."""

    product: int
    product_code: str
    quota: Decimal
    overage_price: Decimal


@dataclass(frozen=True)
class DiscountTerms:
    """A discount given to the subscription that applies to this bill's period."""

    discount: int
    code: str
    kind: str                          # adjustments.FIXED or PERCENT
    value: Decimal
    scope: str = ALL
    scope_code: str | None = None


@dataclass(frozen=True)
class BillTerms:
    """What a subscription's bill is priced with."""

    currency: str
    plan_code: str
    site: str | None
    fee: FeeTerms
    fee_period: Period | None          # None: no fee on this bill (the closing bill)
    days: Days | None
    usage_period: tuple[date, date] | None
    period_charges: Sequence[PeriodCharge] = ()
    quotas: Sequence[Quota] = ()
    discounts: Sequence[DiscountTerms] = ()
    products: Mapping[int, str] = field(default_factory=dict)   # codes, for scopes


@dataclass(frozen=True)
class PeriodUsage:
    """The usage window's numbers: rated totals per per-event charge (amount, quantity,
    currency, product), and per period charge its aggregated quantity, and per quota
    product the quantity used."""

    rated: dict[int, tuple[Decimal, Decimal, str, int, str]] = field(default_factory=dict)
    aggregated: dict[int, Decimal] = field(default_factory=dict)
    used: dict[int, Decimal] = field(default_factory=dict)


@dataclass
class LineDraft:
    """A bill line before it is stored; `net` = `amount` − `discount_amount`."""

    kind: str
    description: str
    amount: Decimal
    currency: str
    product: int | None = None
    product_code: str | None = None
    charge: int | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    usage_start: date | None = None
    usage_end: date | None = None
    fx_rate: Decimal | None = None
    markup: Markup | None = None
    discount: int | None = None
    discount_amount: Decimal = Decimal(0)
    label: str | None = None

    @property
    def net(self) -> Decimal:
        with exact():
            return self.amount - self.discount_amount


@dataclass(frozen=True)
class BillDraft:
    """The priced lines, their exact total, what discounts took, and which discounts took
    something off (a use of their duration: a trial bill does not use up a discount)."""

    lines: list[LineDraft]
    total: Decimal
    discount_total: Decimal
    discounts_used: tuple[int, ...]


def price_bill(terms: BillTerms, usage: PeriodUsage) -> BillDraft:
    """The lines of one bill, discounted, with their total (see the module docstring)."""
    lines: list[LineDraft] = []
    if terms.fee_period is not None and terms.days is not None:
        lines.append(_fee_line(terms))
    window = terms.usage_period or (None, None)
    quota_products = {quota.product for quota in terms.quotas}
    for charge in sorted(usage.rated):
        amount, quantity, currency, product, code = usage.rated[charge]
        if product in quota_products:
            continue                   # a package's own products are priced by quota
        if currency != terms.currency:
            raise PricingError(errors.CURRENCY_MISMATCH,
                               f"charge {code!r} rates in {currency}, the bill is in "
                               f"{terms.currency}", field="currency")
        lines.append(LineDraft(USAGE, f"{code}: {plain(quantity)}", amount, currency,
                               product=product, product_code=terms.products.get(product),
                               charge=charge, quantity=quantity,
                               usage_start=window[0], usage_end=window[1]))
    for period in terms.period_charges:
        quantity = usage.aggregated.get(period.charge, Decimal(0))
        priced = price_line(period.pure, quantity, period.price_currency, fx=period.fx,
                            markup=period.markup)
        if priced.currency != terms.currency:
            raise PricingError(errors.CURRENCY_MISMATCH,
                               f"charge {period.code!r} bills in {priced.currency}, the "
                               f"bill is in {terms.currency}", field="currency")
        if quantity == 0 and priced.amount == 0:
            continue                   # nothing used, nothing due: no line
        lines.append(LineDraft(USAGE, f"{period.code}: {plain(quantity)}", priced.amount,
                               priced.currency, product=period.product,
                               product_code=terms.products.get(period.product),
                               charge=period.charge,
                               quantity=quantity, unit_price=priced.unit_price,
                               usage_start=window[0], usage_end=window[1],
                               fx_rate=priced.fx_rate, markup=period.markup))
    for quota in terms.quotas:
        lines.append(_overage_line(terms, quota, usage.used.get(quota.product, Decimal(0)),
                                   window))
    used = _discount(lines, terms)
    with exact():
        total = sum((line.net for line in lines), Decimal(0))
        taken = sum((line.discount_amount for line in lines), Decimal(0))
    return BillDraft(lines, total, taken, used)


def _converted(terms: BillTerms, price: Decimal) -> tuple[Decimal, Decimal | None]:
    """`price` in the fee's price currency as an exact amount in the bill's currency, marked
    up; and the exchange rate used."""
    fee = terms.fee
    cost = price if fee.fx is None else fee.fx.convert(price)
    added = Decimal(0) if fee.markup is None else fee.markup.on(cost)[0]
    with exact():
        return cost + added, None if fee.fx is None else fee.fx.rate


def _fee_line(terms: BillTerms) -> LineDraft:
    period, days = terms.fee_period, terms.days
    assert period is not None and days is not None
    if terms.fee.fx is None and terms.fee.price_currency != terms.currency:
        raise PricingError(errors.CURRENCY_MISMATCH,
                           f"the fee is priced in {terms.fee.price_currency}, the bill is in "
                           f"{terms.currency}, and there is no exchange rate",
                           field="currency")
    full, rate = _converted(terms, terms.fee.price)
    amount = prorated_fee(full, terms.currency, days)
    last = date.fromordinal(period.end.toordinal() - 1)
    text = f"{terms.fee.description}, {period.start.isoformat()} to {last.isoformat()}"
    if days.billable == 0 and days.trial:
        text += " (trial)"
    elif days.billable != days.period_days:
        text += f" ({days.billable} of {days.period_days} days)"
    return LineDraft(FEE, text, amount, terms.currency, quantity=Decimal(days.billable),
                     usage_start=period.start, usage_end=period.end, fx_rate=rate,
                     markup=terms.fee.markup)


def _overage_line(terms: BillTerms, quota: Quota, used: Decimal,
                  window: tuple[date | None, date | None]) -> LineDraft:
    with exact():
        over = max(used - quota.quota, Decimal(0))
        price = over * quota.overage_price
    # nothing over the quota costs nothing: a fixed markup applies to a price, not to none
    exact_amount, rate = _converted(terms, price) if price else (Decimal(0), None)
    return LineDraft(OVERAGE, f"{quota.product_code}: {plain(used)} used, "
                     f"{plain(quota.quota)} included", round_money(exact_amount, terms.currency),
                     terms.currency, product=quota.product, product_code=quota.product_code,
                     quantity=over, unit_price=quota.overage_price, usage_start=window[0],
                     usage_end=window[1], fx_rate=rate, markup=terms.fee.markup)


def _in_scope(line: LineDraft, terms: BillTerms, given: DiscountTerms) -> bool:
    if given.scope == ALL:
        return True
    if given.scope == PLAN:
        return given.scope_code == terms.plan_code
    if given.scope == SITE:
        return given.scope_code is not None and given.scope_code == terms.site
    return line.product_code is not None and line.product_code == given.scope_code


def _discount(lines: list[LineDraft], terms: BillTerms) -> tuple[int, ...]:
    """Take each discount off the lines in its scope, in order: a percentage off each line's
    net, a fixed amount off the lines in turn until it is used up."""
    used = []
    for given in terms.discounts:
        scoped = [line for line in lines if _in_scope(line, terms, given)]
        # a fixed discount takes whole minor units, never more than its value
        left = given.value.quantize(quantum(terms.currency), rounding=ROUND_DOWN) \
            if given.kind == FIXED else given.value
        took = False
        for line in scoped:
            if line.net <= 0 or (given.kind == FIXED and left <= 0):
                continue
            value = left if given.kind == FIXED else given.value
            off = apply_discount(line.net, terms.currency, Discount(given.kind, value))
            with exact():
                line.discount_amount += off.discount_amount
                left -= off.discount_amount if given.kind == FIXED else 0
            line.discount = given.discount
            took = took or off.discount_amount > 0
            shown = off if line.discount_amount == off.discount_amount else None
            line.label = discount_label(shown) if shown is not None and given.kind == PERCENT \
                else f"{line.net} ({line.discount_amount} off)"
        if took:
            used.append(given.discount)
    return tuple(used)
