"""Sample data for `modelry serve --demo`: a yuan ledger, a merchant under an agent (a
reseller chain) with an API key, two sandbox suppliers (`sandbox`), a mobile top-up product
routed over three channels (fixed amounts first, then any amount), and orders fulfilled
through the real path: routed and shared, failed over to the next channel, routed past a
channel whose amounts refuse it, and failed with the hold released."""
from __future__ import annotations

from decimal import Decimal

from modelry import directives
from modelry.directives import Directive
from modelry.modules.account.functions import submit
from modelry.modules.account.models import Account, AccountKind, Ledger
from modelry.modules.channel import signing
from modelry.modules.channel.accepting import place_order
from modelry.modules.channel.merchants import Merchant, MerchantKey, MerchantRate
from modelry.modules.channel.orders import OrderStatus, RechargeOrder
from modelry.modules.channel.products import Product, ProductRoute
from modelry.modules.channel.sandbox import SANDBOX_MAPPING
from modelry.modules.channel.suppliers import Channel, Supplier

ACCOUNTS = [("cny-bank", "Bank (money in and out)", AccountKind.SUSPENSE, False),
            ("shop-east", "East Mobile Shop's balance", AccountKind.MERCHANT, True),
            ("agent-east", "East Agency's balance", AccountKind.MERCHANT, True),
            ("sup-swift", "Payable to Swift Top-up", AccountKind.MERCHANT, False),
            ("sup-steady", "Payable to Steady Telecom", AccountKind.MERCHANT, False)]


def load_sample_data() -> int:
    """Create the sample unless its merchant exists; how many orders succeeded."""
    if Merchant.count(code="shop-east"):
        return 0
    ledger = Ledger.query_one(code="CNY") or Ledger(code="CNY", name="Yuan balances",
                                                    currency="CNY", scale=2).create()
    ids = {code: Account(ledger=ledger.id, code=code, name=name, kind=kind,
                         debits_must_not_exceed_credits=guarded).create().id
           for code, name, kind, guarded in ACCOUNTS}
    submit([dict(ledger=ledger.code, key="fund-shop-east", kind="RECHARGE",
                 debit_account=ids["cny-bank"], credit_account=ids["shop-east"],
                 amount=500_000)])
    agent = Merchant(code="agent-east", name="East Agency", kind="AGENT",
                     account="agent-east").create()
    shop = Merchant(code="shop-east", name="East Mobile Shop", parent=agent.id,
                    account="shop-east").create()
    MerchantKey(merchant=shop.id, key_id="mk_demoshopeast0001",
                secret=signing.secret_text(b"demo-secret-do-not-deploy-32byte")).create()
    product = Product(code="mobile-cn", name="Mobile top-up (China)", currency="CNY").create()
    for supplier_code, name, channels in [
            ("swift", "Swift Top-up", [("swift-fixed", "30|50|100|200", "0.970", 1)]),
            ("steady", "Steady Telecom", [("steady-any", "1-5000", "0.975", 2),
                                          ("steady-bulk", "500-5000", "0.960", 3)])]:
        supplier = Supplier(code=supplier_code, name=name, endpoint=f"sandbox://{supplier_code}",
                            account=f"demo-{supplier_code}" + ("-picky" if supplier_code
                                                                == "swift" else ""),
                            secret=f"{supplier_code}-secret",
                            mapping=SANDBOX_MAPPING, ledger_account=f"sup-{supplier_code}"
                            ).create()
        for code, rule, rate, priority in channels:
            channel = Channel(supplier=supplier.id, code=code, name=code, rate=Decimal(rate),
                              amount_rule=rule).create()
            ProductRoute(product=product.id, channel=channel.id, priority=priority).create()
    MerchantRate(merchant=shop.id, product=product.id, rate=Decimal("0.985")).create()
    MerchantRate(merchant=agent.id, product=product.id, rate=Decimal("0.980")).create()
    with directives.scope(directives.current() | Directive.SYNC):     # fulfilled now
        orders = [place_order("shop-east", number, "mobile-cn", target, Decimal(amount))
                  for number, target, amount in [
                      ("E-1001", "13800001111", "100"),    # swift-fixed: shared
                      ("E-1002", "13900001234", "50"),     # swift refuses it: steady-any
                      ("E-1003", "13700005555", "88"),     # not a fixed amount: steady-any
                      ("E-1004", "13600001110", "30")]]    # not in service: failed
    return sum(RechargeOrder.query_by_id(o.id).status is OrderStatus.SUCCEEDED
               for o in orders)
