"""Suppliers whose API needs code (issue 17): most suppliers are connected by a declared
field mapping (`mapping`, kind "mapping"); a supplier whose API a mapping cannot express
(a signature over a JSON body in a header, a token fetched first, XML) is a *coded*
supplier: its `kind` names a `SupplierProvider` registered with `register_supplier_kind`.

A provider is built for each call from the `channel.Supplier` row by its kind's factory.
`submit` and `query` are called outside any transaction, with a `SupplierCall` (what a
mapping's placeholders read, plus the supplier's secret and timeout); they answer a
`SupplierOutcome` as a mapped answer reads, and never fail an order they cannot vouch for:
a timeout or no answer is UNKNOWN (the order is queried later). A provider records what
it sent and what it got in `call.request` and `call.response` (they are logged on the
order's `channel.RechargeAttempt`, the supplier's secret masked). An exception a provider
raises from `submit` or `query` is taken as UNKNOWN too, its text logged. `callback`
reads and verifies a supplier's notification (a ModelryError, such as `SupplierError`
with CALLBACK_BAD_SIGNATURE, is answered 400 with its code) and says which submission it
reports, what it says, and what to answer the supplier.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from modelry import DataError, DeclarationError, ModelryError
from modelry.modules.channel.mapping import MASK, UNKNOWN, SupplierOutcome

MAPPING_KIND = "mapping"             # the supplier's API is its declared mapping
SUPPLIER_KIND_UNKNOWN = "SUPPLIER_KIND_UNKNOWN"
SUPPLIER_MODEL = "channel.Supplier"
LOGGED_RESPONSE = 4000               # characters of a response kept on the attempt


class SupplierError(ModelryError):
    """A coded supplier refuses what it was given (a callback's signature, a body it cannot
    read); `code` says why."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message, code=code, model=SUPPLIER_MODEL, field=field)


@dataclass
class SupplierCall:
    """One call to a coded supplier: the order as the supplier sees it (`number` is the
    number this submission is sent as, `RC<id>` or `RC<id>-<n>`), the supplier's
    credentials and how long the call may take; `request` and `response` are for the
    provider to fill with what it sent and received (logged, the secret masked)."""

    number: str
    target: str
    amount: Decimal
    currency: str
    product: str
    channel: str
    endpoint: str
    account: str
    secret: str
    timeout: float
    now: dt.datetime
    request: dict[str, Any] | None = field(default=None)
    response: str | None = field(default=None)

    @classmethod
    def of(cls, context: Mapping[str, Any], timeout: float) -> SupplierCall:
        """The call for a mapping's placeholder context (`fulfilling.context_of`)."""
        order, supplier = context["order"], context["supplier"]
        return cls(number=order["number"], target=order["target"],
                   amount=Decimal(order["amount"]), currency=order["currency"],
                   product=order["product"], channel=context["channel"]["code"],
                   endpoint=supplier["endpoint"], account=supplier["account"],
                   secret=supplier["secret"], timeout=timeout, now=context["now"])

    def described(self, part: str, kind: str) -> dict[str, Any]:
        """The call as plain data for a log or an operator's preview, the secret masked."""
        return {"kind": kind, "part": part, "number": self.number, "target": self.target,
                "amount": format(self.amount, "f"), "currency": self.currency,
                "product": self.product, "channel": self.channel, "endpoint": self.endpoint,
                "account": self.account, "secret": MASK if self.secret else "",
                "timeout": self.timeout}


@dataclass(frozen=True)
class CallbackReport:
    """What a supplier's callback says: the number of the submission it reports (as the
    supplier was sent it), the outcome, and the body to answer the supplier with."""

    number: str
    outcome: SupplierOutcome
    ack: str = "success"
    media_type: str = "text/plain"


@runtime_checkable
class SupplierProvider(Protocol):
    """What fulfilment needs of a coded supplier."""

    def submit(self, call: SupplierCall) -> SupplierOutcome:
        """Send the order; what the supplier answered (UNKNOWN when it did not in time)."""
        ...

    def query(self, call: SupplierCall) -> SupplierOutcome:
        """Ask what became of the submission `call.number`."""
        ...

    def callback(self, headers: Mapping[str, str], body: bytes) -> CallbackReport:
        """Read and verify a notification the supplier posted; a ModelryError when it does
        not verify or cannot be read."""
        ...


SupplierFactory = Callable[[Any], SupplierProvider]

# How each coded kind of supplier is built from its channel.Supplier row.
SUPPLIER_KINDS: dict[str, SupplierFactory] = {}


def register_supplier_kind(kind: str, factory: SupplierFactory) -> None:
    """Make `kind` a kind of supplier, built from its `channel.Supplier` row by `factory`.
    Registering the same factory again does nothing; another factory for a kind already
    registered, or the kind "mapping", is refused (SUPPLIER_KIND_TAKEN)."""
    if not isinstance(kind, str) or not kind or len(kind) > 32:
        raise DeclarationError(f"{SUPPLIER_MODEL}: a supplier kind is a name of 1 to 32 "
                               f"characters, not {kind!r}", code="SUPPLIER_KIND_INVALID",
                               model=SUPPLIER_MODEL, field="kind")
    known = SUPPLIER_KINDS.get(kind)
    if kind == MAPPING_KIND or (known is not None and known is not factory):
        raise DeclarationError(f"{SUPPLIER_MODEL}: supplier kind {kind!r} is taken",
                               code="SUPPLIER_KIND_TAKEN", model=SUPPLIER_MODEL, field="kind")
    SUPPLIER_KINDS[kind] = factory


def kinds() -> list[str]:
    """Every kind a supplier may be saved with."""
    return [MAPPING_KIND, *sorted(SUPPLIER_KINDS)]


def kind_problem(kind: str | None) -> str | None:
    """Why a supplier cannot be saved with `kind`, or None."""
    if (kind or MAPPING_KIND) == MAPPING_KIND or kind in SUPPLIER_KINDS:
        return None
    return f"{kind!r} is not a registered supplier kind (one of {', '.join(kinds())})"


def is_coded(supplier: Any) -> bool:
    """Whether `supplier` (a channel.Supplier) is called through a provider."""
    return (supplier.kind or MAPPING_KIND) != MAPPING_KIND


def provider_for(supplier: Any) -> SupplierProvider:
    """The provider of a coded `supplier`, built by its kind's factory;
    SUPPLIER_KIND_UNKNOWN when its kind is not registered in this process,
    SUPPLIER_PROVIDER_INVALID when the factory built no `SupplierProvider`."""
    problem = kind_problem(supplier.kind)
    if problem is not None or not is_coded(supplier):
        raise DataError(f"{SUPPLIER_MODEL} {supplier.code!r}: " + (
                        f"its kind {problem}" if problem else
                        "its API is its mapping, not a provider"),
                        code=SUPPLIER_KIND_UNKNOWN, model=SUPPLIER_MODEL, field="kind")
    provider = SUPPLIER_KINDS[supplier.kind](supplier)
    if not isinstance(provider, SupplierProvider):
        raise DataError(f"{SUPPLIER_MODEL} {supplier.code!r}: kind {supplier.kind!r} built "
                        f"a {type(provider).__name__}, which lacks submit, query or "
                        "callback", code="SUPPLIER_PROVIDER_INVALID", model=SUPPLIER_MODEL,
                        field="kind")
    return provider


@dataclass(frozen=True)
class Exchange:
    """One call to a supplier, prepared inside the attempt's transaction and sent outside
    it: `request` is logged before it is sent; `send()` makes the call and answers the
    outcome, the request as sent (None: as logged) and the response's text."""

    request: dict[str, Any]
    send: Callable[[], tuple[SupplierOutcome, dict[str, Any] | None, str | None]]


def coded_exchange(supplier: Any, part: str, call: SupplierCall) -> Exchange:
    """The exchange of a coded supplier's `part` ("submit" or "query")."""
    provider = provider_for(supplier)

    def send() -> tuple[SupplierOutcome, dict[str, Any] | None, str | None]:
        try:
            outcome = getattr(provider, part)(call)
        except Exception as error:       # not known to have failed: queried later
            outcome = SupplierOutcome(UNKNOWN, None,
                                      f"{type(error).__name__}: {error}"[:256], None)
        if not isinstance(outcome, SupplierOutcome):
            outcome = SupplierOutcome(UNKNOWN, None, (f"the provider answered {outcome!r}, "
                                                      "not a SupplierOutcome")[:256], None)
        request = None if call.request is None else _masked(call.request, call.secret)
        response = None if call.response is None else \
            _masked(str(call.response), call.secret)[:LOGGED_RESPONSE]
        return outcome, request, response

    return Exchange(call.described(part, supplier.kind), send)


def _masked(value: Any, secret: str) -> Any:
    """`value` (text, or JSON-like data) with every occurrence of `secret` as "****"."""
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, MASK)
    return json.loads(json.dumps(value, default=str).replace(
        json.dumps(secret)[1:-1], MASK))
