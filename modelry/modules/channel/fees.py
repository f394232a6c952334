"""The fee snapshot of a direct-recharge order: who pays what, and who earns what, copied
when the order is created so that later rate changes never change its history.

A merchant orders a recharge of face value `amount`. It pays `amount × merchant_rate`; its
parent agent buys from its own parent at its own rate, and so on up the reseller chain; the
top level buys from the platform; the supplier's channel costs `amount × channel_rate`.
Each price is rounded once, half up, to the currency's minor unit (see `money`), and every
profit is a difference of two rounded prices, so the profits add up to the order's margin
exactly: Σ agents' profits + platform profit == merchant price − cost, to the last cent.

A negative profit (an agent selling below its own cost, a channel dearer than the platform's
price) is a fact of the rates, not an error: `FeeSnapshot.losses` names who loses.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from modelry.modules.channel import errors, money
from modelry.modules.channel.errors import ChannelError

PLATFORM = "platform"   # the party `losses` names for the platform; no tier may be called so


@dataclass(frozen=True)
class Tier:
    """One level of the reseller chain: a merchant or agent code, and the `rate` it pays its
    seller per unit of face value (e.g. 0.985)."""

    party: str
    rate: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.party, str) or not self.party or self.party == PLATFORM:
            raise ChannelError(errors.PARTY_INVALID,
                               f"a party is a non-empty merchant or agent code other than "
                               f"{PLATFORM!r}, not {self.party!r}", field="party")
        object.__setattr__(self, "rate", _rate(self.rate, f"rate of {self.party!r}"))


@dataclass(frozen=True)
class Share:
    """An agent's part of one order: it sells at its child's price, buys at its own, and
    keeps the difference (negative when it sells below its cost)."""

    party: str
    rate: Decimal
    sells_at: Decimal
    buys_at: Decimal
    profit: Decimal


@dataclass(frozen=True)
class FeeSnapshot:
    """Every figure of one order's fees, frozen at creation: what the merchant pays, what
    the supplier is paid, what the top level pays the platform, and each agent's share
    (nearest the merchant first)."""

    amount: Decimal
    currency: str
    merchant: str
    merchant_rate: Decimal
    merchant_price: Decimal
    channel_rate: Decimal
    cost: Decimal
    platform_price: Decimal
    platform_profit: Decimal
    shares: tuple[Share, ...]

    @property
    def margin(self) -> Decimal:
        """merchant_price − cost: the whole margin of the order, which the agents' profits
        and the platform's add up to."""
        return money.difference(self.merchant_price, self.cost)

    @property
    def losses(self) -> tuple[str, ...]:
        """The parties whose profit on this order is < 0: agents nearest the merchant
        first, then "platform"."""
        agents = tuple(share.party for share in self.shares if share.profit < 0)
        return agents + ((PLATFORM,) if self.platform_profit < 0 else ())


def _rate(value: Decimal | int, what: str) -> Decimal:
    return money.positive(value, errors.RATE_INVALID, what, field="rate")


def snapshot(amount: Decimal, currency: str, tiers: Sequence[Tier],
             channel_rate: Decimal) -> FeeSnapshot:
    """The fee snapshot of a recharge of face value `amount` in `currency`, ordered by
    `tiers[0]` (the merchant) through its agents `tiers[1:]` (parent first), fulfilled over
    a channel of `channel_rate`."""
    face = money.positive(amount, errors.AMOUNT_INVALID, "amount", field="amount")
    if not money.is_money(face, currency):
        raise ChannelError(errors.AMOUNT_INVALID,
                           f"amount {money.plain(face)} has more decimal places than "
                           f"{currency} ({money.minor_unit(currency)})", field="amount")
    chain = tuple(tiers)
    if not chain or not all(isinstance(tier, Tier) for tier in chain):
        raise ChannelError(errors.TIERS_INVALID,
                           f"tiers must be the merchant's Tier then its agents', not {chain!r}")
    parties = [tier.party for tier in chain]
    repeated = sorted({party for party in parties if parties.count(party) > 1})
    if repeated:
        raise ChannelError(errors.TIERS_INVALID,
                           f"the reseller chain {' → '.join(parties)} names "
                           f"{', '.join(repeated)} twice")
    channel = _rate(channel_rate, "channel rate")
    prices = [money.price(face, tier.rate, currency) for tier in chain]
    cost = money.price(face, channel, currency)
    # An agent sells at its child's price and buys at its own.
    shares = tuple(Share(tier.party, tier.rate, sells_at=sells_at, buys_at=buys_at,
                         profit=money.difference(sells_at, buys_at))
                   for tier, sells_at, buys_at in zip(chain[1:], prices, prices[1:]))
    return FeeSnapshot(amount=face, currency=currency, merchant=chain[0].party,
                       merchant_rate=chain[0].rate, merchant_price=prices[0],
                       channel_rate=channel, cost=cost, platform_price=prices[-1],
                       platform_profit=money.difference(prices[-1], cost), shares=shares)
