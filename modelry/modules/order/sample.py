"""Sample data for `modelry serve --demo`: the local test provider (its secret is the
demo's, never one to deploy), an order for a month of the Pro plan paid by Ann through a
signed callback (which credits her wallet and renews her plan when the account and billing
modules are installed), and an order still waiting for its payment."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from modelry.modules.order.models import Order, ProviderConfig
from modelry.modules.order.payments import start_payment
from modelry.modules.order.providers.base import ProviderEvent
from modelry.modules.order.providers.local import LocalProvider
from modelry.modules.order.receiving import create_order, receive_callback

DEMO_SECRET = "demo-secret-do-not-deploy"


def load_sample_data(item: str | None = "plan:pro") -> int:
    """Create the provider and two orders unless the provider exists; how many orders were
    paid."""
    if ProviderConfig.count(code="local"):
        return 0
    ProviderConfig(code="local", kind="local", secret=DEMO_SECRET).create()
    paid = create_order("DEMO-1", "demo-shop", Decimal("30.00"), "EUR", "local")
    Order.update_where({"id": paid.id}, payer="ann", item=item)
    create_order("DEMO-2", "demo-shop", Decimal("12.50"), "EUR", "local")
    start_payment("DEMO-2", "local")
    event = ProviderEvent("demo-paid-1", "DEMO-1", "paid", Decimal("30.00"), "EUR",
                          dt.datetime.now(dt.timezone.utc))
    headers, body = LocalProvider(DEMO_SECRET.encode()).callback(event)
    answer = receive_callback("local", headers, body.decode())
    return int(answer.code == "ok")
