"""The FastAPI app mounted in front of Reflex (`rx.App(api_transformer=...)`): /api/* routes.

Every module in this package that defines `router` is included, so adding a route module is
adding a file (no shared list to edit).
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter, FastAPI

import traceiq_app.api as api_package


def routers() -> list[APIRouter]:
    found = []
    for info in sorted(pkgutil.iter_modules(api_package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{api_package.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            found.append(router)
    return found


def create_api() -> FastAPI:
    api = FastAPI(title="TraceIQ API", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    for router in routers():
        api.include_router(router)
    return api
