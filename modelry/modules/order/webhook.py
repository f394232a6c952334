"""Where providers post their callbacks: `POST /api/order/callbacks/{provider}`, the raw
body and headers handed to `receive_callback` as they came. A provider reads the status:
200 for an accepted callback (applied, or a duplicate or stale one it may stop sending),
400 with the rejection code otherwise (an unknown provider, a bad signature, an amount
that does not match), so a genuine callback refused for a passing reason is sent again."""
from __future__ import annotations

from modelry import HttpRequest, HttpResponse, endpoint
from modelry.modules.order.receiving import MAX_BODY, OK, receive_callback


@endpoint("/callbacks/{provider}", max_body=MAX_BODY * 4)
def provider_callback(request: HttpRequest) -> HttpResponse:
    """One provider callback, answered with the callback's answer as JSON."""
    answer = receive_callback(request.path_params["provider"], dict(request.headers),
                              request.text())
    return HttpResponse.json({"code": answer.code, "outcome": answer.outcome,
                              "order": answer.order, "status": answer.status,
                              "message": answer.message},
                             200 if answer.code == OK else 400)
