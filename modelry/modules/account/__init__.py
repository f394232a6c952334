"""The account module: a double-entry ledger with holds (two-phase transfers), linked
batches and idempotency keys, written with modelry's public API only."""
from modelry import Module

module = Module("account", version="1.0.0", depends=["base"], display_name="Accounts")

from modelry.modules.account import (  # noqa: F401  (declares them)
    functions, immutable, models, reconcile, refund_requests, reports)
from modelry.modules.account import order_settlement  # noqa: E402,F401  (paid orders)
from modelry.modules.account import bill_posting  # noqa: E402,F401  (bills posted)
