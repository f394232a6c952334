"""What accepting and fulfilling an order read: a product's routes, and the reseller chain
above a merchant with its rates."""
from __future__ import annotations

from typing import Any

from modelry import DataError
from modelry.modules.channel import routing
from modelry.modules.channel.fees import Tier
from modelry.modules.channel.merchants import Merchant, MerchantRate
from modelry.modules.channel.products import ProductRoute
from modelry.modules.channel.suppliers import Channel

MAX_CHAIN = 8                     # agents above a merchant, at most


def _refuse(message: str, code: str, field: str, model: str) -> DataError:
    return DataError(f"{model}: {message}", code=code, model=model, field=field)


def routes_of(product: Any) -> list[routing.Route]:
    """The product's routes over channels that are not retired, as routing reads them."""
    rows = ProductRoute.query_list(product=product.id)
    channels = {c.id: c for c in Channel.query_list(
        id__in=sorted({r.channel_id for r in rows}), retired=False)} if rows else {}
    return [routing.Route(channel=c.id, code=c.code, priority=r.priority, weight=r.weight,
                          enabled=c.enabled, rule=routing.AmountRule.parse(c.amount_rule or ""))
            for r in rows if (c := channels.get(r.channel_id)) is not None]


def tiers_of(merchant: Any, product: Any) -> tuple[list[Tier], list[Any]]:
    """The merchant's and its agents' rates for `product` (merchant first), and the
    agents."""
    chain = [merchant]
    while chain[-1].parent_id is not None:
        if len(chain) > MAX_CHAIN:
            raise _refuse(f"merchant {merchant.code!r} has more than {MAX_CHAIN} agents above "
                          "it (a loop?)", "RESELLER_CHAIN_INVALID", "parent", "channel.Merchant")
        chain.append(Merchant.query_by_id(chain[-1].parent_id))
    rates = {r.merchant_id: r.rate for r in MerchantRate.query_list(
        product=product.id, merchant__in=[party.id for party in chain])}
    for party in chain:
        if party.id not in rates:
            raise _refuse(f"{party.code!r} has no rate for product {product.code!r}",
                          "RATE_MISSING", "rate", "channel.MerchantRate")
    return [Tier(party.code, rates[party.id]) for party in chain], chain[1:]
