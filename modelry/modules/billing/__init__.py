"""billing: catalogue, usage ingestion, real-time rating and the review of abnormal usage
(issue 16), written with modelry's public API only.

The pure pricing layer (`pricing`, `calculators`, `charges`, `time_of_day`, `discounts`,
`money`) registers nothing; the models and functions below are declared when the package
is imported. Periodic billing (graduated and volume charges, bills) comes next.
"""
from modelry import Module

module = Module("billing", version="1.0.0", depends=["base"], display_name="Billing")

from modelry.modules.billing import (  # noqa: E402,F401  (declares them)
    abnormal, abnormal_models, bills, calculator_checks, calculator_models, catalogue,
    discount_models, ingestion, plans, rated, rating, subscriptions, usage)
