"""A service namespace of the demo: functions that belong to no single model."""
from __future__ import annotations

from decimal import Decimal

from modelry import function
from modelry.modules.demo.models import PetShop, ShopReport


@function(open_level="API", type="QUERY", namespace="demo.ShopService")
def report(min_income: Decimal = Decimal(0)) -> ShopReport:
    """Counts and income of shops earning at least `min_income` (a transient result)."""
    shops = PetShop.query_list(income__ge=min_income)
    return ShopReport(shop_count=len(shops), total_income=sum(
        (s.income or Decimal(0) for s in shops), Decimal(0)))
