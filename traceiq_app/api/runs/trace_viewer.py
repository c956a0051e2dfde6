"""Playwright's trace viewer, served from our own origin under /trace-viewer/.

The folder is the viewer bundled in the installed `playwright` package (the version that
records our traces), served as is: its service worker is scoped to /trace-viewer/ and fetches
the trace zip with the user's cookies, so `index.html?trace=/api/v1/artifacts/<id>` loads a trace
through the authorized artifact route. The viewer page itself needs a signed-in user (else a
redirect to sign-in); its other files are the open-source bundle and are public.
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

router = APIRouter()

PROTECTED = {"", "index.html", "uiMode.html"}


@lru_cache(maxsize=1)
def viewer_dir() -> Path:
    import playwright

    return (Path(playwright.__file__).parent / "driver" / "package" / "lib" / "vite" / "traceViewer").resolve()


def _signed_in(request: Request) -> bool:
    from traceiq_app.services.accounts import web_sessions

    raw = request.cookies.get(web_sessions.COOKIE_NAME)
    if not raw:
        return False
    return web_sessions.resolve(raw, ip=request.client.host if request.client else None) is not None


@router.get("/trace-viewer/{path:path}", include_in_schema=False, response_model=None)
def trace_viewer_file(path: str, request: Request) -> Response:
    if path in PROTECTED and not _signed_in(request):
        target = "/trace-viewer/" + path + (("?" + request.url.query) if request.url.query else "")
        return RedirectResponse("/login?next=" + quote(target, safe=""), status_code=303)
    root = viewer_dir()
    file = (root / (path or "index.html")).resolve()
    if not file.is_relative_to(root) or not file.is_file():
        raise HTTPException(status_code=404, detail="not found")
    media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if file.suffix == ".webmanifest":
        media_type = "application/manifest+json"
    headers = {"Cache-Control": "no-cache" if file.suffix == ".html" or file.name == "sw.bundle.js"
               else "public, max-age=3600"}
    return FileResponse(file, media_type=media_type, headers=headers)
