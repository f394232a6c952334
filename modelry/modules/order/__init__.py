"""order: orders paid through payment providers, callbacks that are never applied twice
(issue 16), written with modelry's public API only.

The pure layer registers nothing: `states` (the declared state machine), `providers` (the
provider interface and a local HMAC-SHA256 test provider) and `callbacks` (what a provider
callback or status query may do to an order, and how much may be refunded). Declared when
the package is imported: the models (`models`, `payment_models`), the one path every status
change takes (`applying`), the extension points that move money (`settlement`), merchant
notifications (`notifying`), and the functions: `receiving` (`receive_callback`,
`create_order`), `payments` (`start_payment`, `complete_manually`), `refunds`
(`refund_order`), `closing` (`close_order`) and `janitor` (`requery_payments`, scheduled);
`webhook` takes the providers' callbacks over HTTP (`POST /api/order/callbacks/{provider}`).
"""
from modelry import Module

module = Module("order", version="1.0.0", depends=["base"], display_name="Orders")

from modelry.modules.order import (  # noqa: E402,F401  (declares them)
    closing, janitor, models, notifying, payment_models, payments, receiving, refunds,
    settlement, webhook)
