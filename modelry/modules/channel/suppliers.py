"""Where orders are fulfilled: upstream `channel.Supplier`s (their API declared as a field
mapping, see `mapping`, or, for an API that needs code, a registered provider, see
`providers`) and their `channel.Channel`s (a rate and the amounts accepted)."""
from __future__ import annotations

from modelry import Model, fields


class Supplier(Model, model="channel.Supplier", display_name="Supplier"):
    """An upstream supplier: `endpoint` (its API's base URL), `account` and `secret` (its
    credentials), `kind` ("mapping": its API is `mapping`, its API as data, checked when
    saved; another kind: a coded provider registered under that name, and no mapping is
    needed), `timeout_seconds` a call may take before the order is queried instead;
    `ledger_account` the code of the ledger account its costs are paid to."""

    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    endpoint = fields.String(required=True, size=512)
    account = fields.String(size=128)
    secret = fields.Secret(help="sealed at rest; never read by clients")
    kind = fields.String(required=True, size=32, default="mapping",
                         help="mapping, or the kind of a registered coded provider")
    mapping = fields.Json(help="its API as data (a supplier of kind mapping)")
    timeout_seconds = fields.Integer(required=True, default=10)
    ledger_account = fields.String(required=True, size=64)
    enabled = fields.Boolean(required=True, default=True)


class Channel(Model, model="channel.Channel", display_name="Channel", archived="retired"):
    """One way to fulfil orders through a supplier: costs `rate` per unit of face value,
    accepts the amounts of `amount_rule` ("30|50|100|200", "1-9999", empty: any).
    A retired channel is in the recycle bin: kept for the orders that used it, never
    routed to, hidden from lists unless asked for."""

    supplier = fields.ManyToOne("channel.Supplier", required=True, on_delete="RESTRICT",
                                index=True)
    code = fields.String(required=True, size=64, unique=True)
    name = fields.String(required=True, size=128)
    rate = fields.Decimal(12, 6, required=True)
    amount_rule = fields.String(size=256)
    enabled = fields.Boolean(required=True, default=True)
    retired = fields.Boolean(required=True, default=False, index=True)
    retired_at = fields.DateTime()
