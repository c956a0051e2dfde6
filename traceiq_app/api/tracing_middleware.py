"""One OpenTelemetry span per HTTP request (installed only when tracing is on): named
`HTTP <METHOD> <route template>` once routing matched, continuing a `traceparent` the client
sent. Runs started by the request hang under it (see services/observability/tracing.py)."""

from __future__ import annotations

from typing import Any

from traceiq_app.api.metrics_middleware import _route
from traceiq_app.services.observability import tracing


class TracingMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not tracing.active():
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        carrier = {k: headers[k] for k in ("traceparent", "tracestate") if k in headers}
        method = str(scope.get("method", "GET"))
        status = 500

        async def send_and_note(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        attributes = {"http.request.method": method, "url.path": scope.get("path", "")}
        with tracing.span(f"HTTP {method}", attributes, kind="SERVER", parent=tracing.extract(carrier)) as span:
            try:
                await self.app(scope, receive, send_and_note)
            finally:
                route = _route(scope)
                span.update_name(f"HTTP {method} {route}")
                tracing.set_attributes(span, {"http.route": route, "http.response.status_code": status})
                if status >= 500:
                    from opentelemetry.trace import Status, StatusCode

                    span.set_status(Status(StatusCode.ERROR))
