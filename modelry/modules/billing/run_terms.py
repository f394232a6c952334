"""What a billing run reads of the catalogue, once per run: plans and packages with their
charges, calculators, quotas and exchange rates, built into the pure terms of
`bill_pricing` (a charge or package that cannot be built fails only its subscriptions'
bills, naming it)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from modelry.modules.billing import adjustments, errors
from modelry.modules.billing.bill_pricing import FeeTerms, PeriodCharge, Quota
from modelry.modules.billing.calculator_models import Calculator, CalculatorSegment
from modelry.modules.billing.calculators import Calculator as PureCalculator
from modelry.modules.billing.calculators import Segment
from modelry.modules.billing.catalogue import (Aggregation, Charge, ChargeModel,
                                               ExchangeRate, MarkupKind, Product)
from modelry.modules.billing.charges import GraduatedCharge, VolumeCharge
from modelry.modules.billing.errors import PricingError
from modelry.modules.billing.plans import Package, PackageQuota, PricePlan
from modelry.modules.billing.pricing import FxRate, Markup

PERIOD_MODELS = (ChargeModel.GRADUATED, ChargeModel.VOLUME)


@dataclass(frozen=True)
class Offer:
    """A plan or a package as bills price it."""

    code: str
    currency: str
    interval: str
    in_advance: bool
    trial_days: int
    fee: FeeTerms
    period_charges: tuple[PeriodCharge, ...] = ()
    aggregations: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    quotas: tuple[Quota, ...] = ()
    error: PricingError | None = None


def markup_of(kind: MarkupKind | None, value: Decimal | None) -> Markup | None:
    """A stored markup as the pricing layer's."""
    if kind is None:
        return None
    return Markup(adjustments.FIXED if kind is MarkupKind.FIXED else adjustments.PERCENT,
                  value or 0)


class Catalogue:
    """The catalogue read once: offers by ("plan" | "package", id)."""

    def __init__(self) -> None:
        self.rates = {(r.source, r.target): r.rate for r in ExchangeRate.query_list()}
        self.products = {p.id: p.code for p in Product.query_list()}
        charges = Charge.query_list(sort="id")
        self.global_charges = [c for c in charges if c.plan_id is None]
        # what a rated line of each charge bills: (currency, product, code, plan)
        self.charges = {c.id: (c.sell_currency or c.currency, c.product_id, c.code, c.plan_id)
                        for c in charges}
        by_plan: dict[int, list[Any]] = defaultdict(list)
        for charge in charges:
            if charge.plan_id is not None:
                by_plan[charge.plan_id].append(charge)
        calculators = self._calculators({c.calculator_id for c in charges
                                         if c.charge_model in PERIOD_MODELS})
        self.offers: dict[tuple[str, int], Offer] = {}
        global_period = [c for c in self.global_charges if c.charge_model in PERIOD_MODELS]
        for plan in PricePlan.query_list():
            mine = [c for c in by_plan[plan.id] if c.charge_model in PERIOD_MODELS]
            offer = Offer(plan.code, plan.currency, plan.interval.value, plan.pay_in_advance,
                          plan.trial_days, FeeTerms(plan.name, plan.fee, plan.currency))
            self.offers[("plan", plan.id)] = self._charged(offer, mine + global_period,
                                                           calculators)
        quotas: dict[int, list[Any]] = defaultdict(list)
        for quota in PackageQuota.query_list(sort="id"):
            quotas[quota.package_id].append(quota)
        for package in Package.query_list():
            covered = {q.product_id for q in quotas[package.id]}
            others = [c for c in global_period if c.product_id not in covered]
            offer = Offer(package.code, package.currency, package.interval.value, False,
                          package.trial_days, FeeTerms(package.name, package.price,
                                                       package.price_currency),
                          quotas=tuple(Quota(q.product_id, self.products[q.product_id],
                                             q.quota, q.overage_price)
                                       for q in quotas[package.id]))
            try:
                owner = f"billing.Package {package.code!r}"
                offer = replace(offer, fee=replace(
                    offer.fee, fx=self.fx(package.price_currency, package.currency, owner),
                    markup=markup_of(package.markup_kind, package.markup_value)))
            except PricingError as error:
                offer = replace(offer, error=error)
            self.offers[("package", package.id)] = self._charged(offer, others, calculators)

    def offer(self, subscription: Any) -> Offer:
        """The plan or package `subscription` is on."""
        if subscription.plan_id is not None:
            return self.offers[("plan", subscription.plan_id)]
        return self.offers[("package", subscription.package_id)]

    def fx(self, source: str, target: str, owner: str) -> FxRate | None:
        """The exchange rate source → target (None when they are one currency)."""
        if source == target:
            return None
        rate = self.rates.get((source, target))
        if rate is None:
            raise PricingError("FX_RATE_MISSING", f"{owner}: no billing.ExchangeRate "
                               f"{source}→{target}", field="currency")
        return FxRate(source, target, rate)

    def _charged(self, offer: Offer, charges: list[Any],
                 calculators: dict[int, PureCalculator]) -> Offer:
        """`offer` with these period charges, or with the error of the first that cannot
        be built."""
        if offer.error is not None:
            return offer
        try:
            built = tuple(self._period_charge(c, calculators) for c in charges)
        except PricingError as error:
            return replace(offer, error=error)
        return replace(offer, period_charges=built, aggregations={
            c.id: (c.aggregation.value, c.aggregation_property) for c in charges})

    def _period_charge(self, charge: Any, calculators: dict[int, Any]) -> PeriodCharge:
        owner = f"billing.Charge {charge.code!r}"
        calculator = calculators.get(charge.calculator_id)
        if calculator is None:
            raise PricingError(errors.CHARGE_INVALID, f"{owner}: a "
                               f"{charge.charge_model.value} charge needs a calculator",
                               field="calculator")
        if charge.aggregation is Aggregation.UNIQUE_COUNT and not charge.aggregation_property:
            raise PricingError(errors.CHARGE_INVALID, f"{owner}: a unique count needs "
                               "aggregation_property", field="aggregation_property")
        pure = GraduatedCharge(calculator) if charge.charge_model is ChargeModel.GRADUATED \
            else VolumeCharge(calculator)
        return PeriodCharge(charge.id, charge.code, charge.product_id, pure, charge.currency,
                            self.fx(charge.currency, charge.sell_currency or charge.currency,
                                    owner),
                            markup_of(charge.markup_kind, charge.markup_value))

    @staticmethod
    def _calculators(ids: set[Any]) -> dict[int, PureCalculator]:
        ids.discard(None)
        if not ids:
            return {}
        segments: dict[int, list[Any]] = defaultdict(list)
        for row in CalculatorSegment.query_list(calculator__in=sorted(ids), sort="position"):
            segments[row.calculator_id].append(row)
        return {c.id: PureCalculator(tuple(Segment(s.lower, s.upper, s.flat_fee, s.unit_price)
                                           for s in segments[c.id]), c.kind.pure, c.code)
                for c in Calculator.query_list(id__in=sorted(ids))}
