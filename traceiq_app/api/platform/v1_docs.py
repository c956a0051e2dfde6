"""The API's own documentation, served entirely from our origin (self-hosted installs are often
offline): the OpenAPI document of /api/v1 at /api/v1/openapi.json (FastAPI serves it, from
`openapi()` below) and Swagger UI at /api/docs with its files from the `swagger-ui-bundle`
package under /api/docs/assets/. Also the catch-all that answers unknown /api/v1 paths with the
error envelope (without it they would fall through to the web app's pages).
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse

router = APIRouter()

OPENAPI_URL = "/api/v1/openapi.json"
DESCRIPTION = """The public TraceIQ API. Authenticate with `Authorization: Bearer tiq_...` (an API
token from Settings → API tokens). Errors are `{"error": {"code", "message", "details"}}`; lists
are cursor-paged (`?limit=&cursor=` → `{"items", "next_cursor"}`). See docs/api.md."""


@lru_cache(maxsize=1)
def assets_dir() -> Path:
    import swagger_ui_bundle

    return Path(swagger_ui_bundle.swagger_ui_path).resolve()


def openapi(api: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the /api/v1 routes only (the web app's own routes are not a contract)."""
    if api.openapi_schema:
        return api.openapi_schema
    schema = get_openapi(title="TraceIQ API", version="1", description=DESCRIPTION, routes=api.routes)
    schema["paths"] = {path: ops for path, ops in schema.get("paths", {}).items() if path.startswith("/api/v1/")}
    schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
        "type": "http", "scheme": "bearer", "description": "an API token (tiq_...)"}
    schema["security"] = [{"bearer": []}]
    api.openapi_schema = schema
    return schema


@router.get("/api/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=OPENAPI_URL, title="TraceIQ API",
                               swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
                               swagger_css_url="/api/docs/assets/swagger-ui.css",
                               swagger_favicon_url="/api/docs/assets/favicon-32x32.png")


@router.get("/api/docs/assets/{name}", include_in_schema=False)
def docs_asset(name: str) -> FileResponse:
    root = assets_dir()
    file = (root / name).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(file, media_type=mimetypes.guess_type(file.name)[0] or "application/octet-stream",
                        headers={"Cache-Control": "public, max-age=86400"})


def install_fallback(api: FastAPI) -> None:
    """Unknown /api/v1 paths answer 404 in the envelope (added after every other route)."""

    @api.api_route("/api/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown_route(rest: str) -> None:
        raise HTTPException(status_code=404, detail="no such API route")
