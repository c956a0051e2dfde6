"""HTTP request latency by route template and status, for /metrics. A pure ASGI middleware: the
route template is read after routing (FastAPI puts the matched route in the scope), so
`/api/v1/runs/{run_id}` is one series, not one per run; everything Reflex serves is grouped by kind."""

from __future__ import annotations

import time
from typing import Any

from traceiq_app.services.observability import metrics

_REFLEX = ("/_event", "/_upload", "/ping", "/_health", "/_all_routes")


def _route(scope: dict[str, Any]) -> str:
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if template:
        return str(template)
    path = str(scope.get("path", ""))
    for prefix in _REFLEX:
        if path.startswith(prefix):
            return prefix
    if path.startswith("/api"):
        return "/api (unmatched)"
    return "(page or static file)"


class MetricsMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            metrics.observe_http(scope.get("method", "GET"), _route(scope), status, time.perf_counter() - started)
