"""The FastAPI app mounted in front of Reflex (`rx.App(api_transformer=...)`): /api/* routes.

Every module in this package (domain sub-packages api/<domain>/ included) that defines `router`
is included, so adding a route module is adding a file (no shared list to edit). The app is the
outermost ASGI app, so its middleware (security headers) covers the Reflex pages, static files
and event endpoint too.
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter, FastAPI

import traceiq_app.api as api_package


def routers() -> list[APIRouter]:
    found = []
    prefix = f"{api_package.__name__}."
    for info in sorted(pkgutil.walk_packages(api_package.__path__, prefix=prefix), key=lambda m: m.name):
        module = importlib.import_module(info.name)
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def create_api() -> FastAPI:
    from traceiq_app.api.deps import install_error_handlers
    from traceiq_app.api.input_errors import install_input_error_handlers
    from traceiq_app.api.metrics_middleware import MetricsMiddleware
    from traceiq_app.api.platform import v1_docs
    from traceiq_app.api.rate_limits import ApiRateLimitMiddleware
    from traceiq_app.api.request_ids import RequestIdMiddleware
    from traceiq_app.api.request_limits import RequestLimitsMiddleware
    from traceiq_app.api.security_headers import SecurityHeadersMiddleware

    # Docs at /api/docs (not /docs: the app owns that), served by api/platform/v1_docs.py.
    # telemetry off: FastAPI >= 0.16x would open its own request span once a tracer provider
    # exists; ours (api/tracing_middleware.py) is the one, with stable names on every version.
    api = FastAPI(title="TraceIQ API", docs_url=None, openapi_url=v1_docs.OPENAPI_URL, redoc_url=None,
                  telemetry={"tracing": False, "metrics": False, "logs": False})
    api.openapi = lambda: v1_docs.openapi(api)  # type: ignore[method-assign]
    for router in routers():
        api.include_router(router)
    v1_docs.install_fallback(api)
    install_input_error_handlers(api)  # first: install_error_handlers may override these
    install_error_handlers(api)
    # Middleware: the first added is the innermost.
    api.add_middleware(RequestLimitsMiddleware)  # body caps and the /_upload gate, before any body is read
    api.add_middleware(ApiRateLimitMiddleware)  # per token / session / IP, before the body is read
    api.add_middleware(SecurityHeadersMiddleware)  # around the limits: the 413s and 429s get the headers too
    api.add_middleware(RequestIdMiddleware)
    api.add_middleware(MetricsMiddleware)  # times the whole request
    from traceiq_app.services.observability import tracing

    if tracing.setup("traceiq-web"):  # OTEL_EXPORTER_OTLP_ENDPOINT set (nothing imported otherwise)
        from traceiq_app.api.tracing_middleware import TracingMiddleware

        api.add_middleware(TracingMiddleware)  # outermost: the request's span holds everything
    return api
