"""channel: merchants, agents and upstream suppliers; direct-recharge orders routed over
supplier channels, with the margin of every order kept and shared (issue 17), written with
modelry's public API only. Money moves through the account module (a declared
dependency): a merchant's balance is held when an order is accepted and posted when it
succeeds, with the supplier's cost and every agent's share in the same linked batch.

The pure layer registers nothing: `money`, `routing`, `fees`, `states`, `signing`,
`mapping`, `providers` (suppliers whose API needs code: `register_supplier_kind`).
Declared when the package is imported: the models (`merchants`, `suppliers`, `products`,
`orders`), `accepting` (`place_order`), `fulfilling` (submission, queries, the one path
outcomes take), `operating` (manual completion, refunds, test orders, the channels'
recycle bin, supplier dry runs), `reports` (totals and daily statements, aggregated),
`share_reports` (an agent's daily statement of its shares), `views` (what merchants see,
and are notified of), and `api` (the signed merchant API and supplier callbacks over
HTTP).
"""
from modelry import Module

module = Module("channel", version="1.0.0", depends=["base", "account"],
                display_name="Channels and resellers", data=["data/roles.yaml"])

from modelry.modules.channel import (  # noqa: E402,F401  (declares them)
    accepting, api, fulfilling, merchants, operating, orders, products, reports,
    share_reports, supplier_checks, suppliers)
