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
    from traceiq_app.api.platform import v1_docs
    from traceiq_app.api.security_headers import SecurityHeadersMiddleware

    # Docs at /api/docs (not /docs: the app owns that), served by api/platform/v1_docs.py.
    api = FastAPI(title="TraceIQ API", docs_url=None, openapi_url=v1_docs.OPENAPI_URL, redoc_url=None)
    api.openapi = lambda: v1_docs.openapi(api)  # type: ignore[method-assign]
    for router in routers():
        api.include_router(router)
    v1_docs.install_fallback(api)
    install_error_handlers(api)
    from traceiq_app.api.rate_limits import ApiRateLimitMiddleware

    api.add_middleware(ApiRateLimitMiddleware)
    api.add_middleware(SecurityHeadersMiddleware)
    return api
