"""billing: catalogue, usage ingestion, real-time rating and the review of abnormal usage
(issue 16), written with modelry's public API only.

The pure pricing layer (`pricing`, `calculators`, `charges`, `time_of_day`, `discounts`,
`money`) registers nothing; the models and functions below are declared when the package
is imported: subscriptions (`subscribing`), billing runs (`runs`), `simulate`, posting to
a ledger through an extension point (`posting`) and credit control (`credit`).
"""
from modelry import Module

module = Module("billing", version="1.0.0", depends=["base"], display_name="Billing")

from modelry.modules.billing import (  # noqa: E402,F401  (declares them)
    abnormal, abnormal_models, bills, calculator_checks, calculator_models, catalogue,
    credit, discount_models, ingestion, order_fulfilment, plans, posting, rated, rating, runs,
    simulation, subscribing, subscriptions, usage)
