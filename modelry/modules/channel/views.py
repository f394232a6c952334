"""How an order is shown to its merchant (the API's answers and the notifications), and
the notification of an order's final status."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from modelry.modules.base.webhooks import send_webhook
from modelry.modules.channel import signing
from modelry.modules.channel.merchants import Merchant, MerchantKey
from modelry.modules.channel.products import Product


def order_number(order: Any) -> str:
    """The order's number as suppliers see it (unique across merchants)."""
    return f"RC{order.id:010d}"


def order_view(order: Any) -> dict[str, Any]:
    """An order as the merchant API answers it."""
    return {"order_no": order_number(order), "merchant_order_no": order.merchant_order_no,
            "product": Product.query_by_id(order.product_id).code, "target": order.target,
            "amount": _plain(order.amount), "currency": order.currency,
            "price": _plain(order.merchant_price), "status": order.status.value,
            "message": order.message}


def _plain(amount: Decimal) -> str:
    return format(amount.quantize(Decimal("0.01")) if amount == amount.quantize(
        Decimal("0.01")) else amount.normalize(), "f")


def notify(order: Any) -> None:
    """Tell the merchant its order's final status (a webhook, in the caller's transaction,
    event id `recharge-<id>-<status>`, signed with the merchant's first active key and
    naming it in `X-Key-Id`); nothing when it has no `notify_url`."""
    merchant = Merchant.query_by_id(order.merchant_id)
    if not merchant.notify_url:
        return
    keys = MerchantKey.query_list(merchant=merchant.id, active=True, sort="id", limit=1)
    send_webhook(merchant.notify_url, f"recharge-{order.id}-{order.status.value.lower()}",
                 {"event": "recharge." + order.status.value.lower(), **order_view(order)},
                 secret=signing.secret_bytes(keys[0].secret) if keys else None,
                 headers={signing.KEY_HEADER: keys[0].key_id} if keys else None)
