"""order: orders paid through payment providers, callbacks that are never applied twice
(issue 16), written with modelry's public API only.

The pure layer registers nothing: `states` (the declared state machine), `providers` (the
provider interface and a local HMAC-SHA256 test provider) and `callbacks` (what a provider
callback or status query may do to an order, and how much may be refunded). The models
(`models`) and the functions (`receiving`: `receive_callback`, `create_order`) are declared
when the package is imported. Payment attempts, manual completion and refunds come next.
"""
from modelry import Module

module = Module("order", version="1.0.0", depends=["base"], display_name="Orders")

from modelry.modules.order import models, receiving  # noqa: E402,F401  (declares them)
