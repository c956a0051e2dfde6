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
    from traceiq_app.api.request_ids import RequestIdMiddleware
    from traceiq_app.api.request_limits import RequestLimitsMiddleware
    from traceiq_app.api.security_headers import SecurityHeadersMiddleware

    api = FastAPI(title="TraceIQ API", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None,
                  swagger_ui_oauth2_redirect_url="/api/docs/oauth2-redirect")  # not /docs: the app owns that
    for router in routers():
        api.include_router(router)
    install_input_error_handlers(api)  # first: install_error_handlers may override these
    install_error_handlers(api)
    api.add_middleware(RequestLimitsMiddleware)  # body caps and the /_upload gate, before any body is read
    api.add_middleware(SecurityHeadersMiddleware)  # around the limits: the 413s get the headers too
    api.add_middleware(RequestIdMiddleware)
    api.add_middleware(MetricsMiddleware)  # outermost: times the whole request
    return api
