"""The FastAPI app mounted in front of Reflex (`rx.App(api_transformer=...)`): /api/* routes."""

from __future__ import annotations

from fastapi import FastAPI

from traceiq_app.api import health


def create_api() -> FastAPI:
    api = FastAPI(title="TraceIQ API", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    api.include_router(health.router)
    return api
