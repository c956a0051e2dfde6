"""GET /metrics: Prometheus metrics of this node (every web and worker process on it), in the text
exposition format. Open unless TRACEIQ_METRICS_TOKEN is set, then `Authorization: Bearer <token>`.
Not in the public API docs."""

from __future__ import annotations

import asyncio
import hmac

from fastapi import APIRouter, Request, Response

from traceiq_app.services.observability import metrics
from traceiq_app.settings import get_settings

router = APIRouter()


def token_ok(authorization: str | None) -> bool:
    expected = get_settings().metrics_token
    if not expected:
        return True
    scheme, _, value = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), expected.encode())


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(request: Request) -> Response:
    if not token_ok(request.headers.get("authorization")):
        return Response('{"error": {"code": "unauthorized", "message": "a valid metrics token is required"}}',
                        status_code=401, media_type="application/json",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body, content_type = await asyncio.to_thread(metrics.scrape)
    return Response(body, media_type=content_type)
