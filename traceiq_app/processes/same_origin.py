"""The web app works from whatever host name, IP and port the browser used.

Reflex bakes `api_url` (`http://localhost:<port>` unless TRACEIQ_PUBLIC_URL is set) into the
built frontend. Its `getBackendURL` swaps the host name `localhost` for the page's, but keeps the
baked port and scheme, so a proxy on another port broke the websocket; and the socket.io server
refused every Origin but localhost/127.0.0.1, so a teammate opening http://the-server:3000 got a
page that never connected.

* `SameOriginPlugin` (rxconfig.py) patches `getBackendURL` in `.web/utils/state.js` at every
  compile: a baked `localhost` URL becomes the page's own origin (scheme, host AND port), for
  the websocket, uploads and every other backend URL. With TRACEIQ_PUBLIC_URL set, Reflex uses
  that URL as it is. The build no longer depends on the port either.
* `socket_origin_allowed` replaces socket.io's Origin list (traceiq_app.py): a websocket is
  accepted from the origin the request was addressed to (its Host header), from
  TRACEIQ_PUBLIC_URL, and from localhost/127.0.0.1 on our port; never from another site.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import reflex as rx

from traceiq_app.settings import get_settings

STATE_JS = "utils/state.js"
MARKER = "TraceIQ SameOriginPlugin"
ANCHOR = "    endpoint.hostname = frontend_hostname;\n"
PATCH = (
    ANCHOR
    + f"    // {MARKER}: the page's own origin, port included (any host name, any proxy port).\n"
    + "    endpoint.host = window.location.host;\n"
    + '    if (endpoint.protocol === "ws:" || endpoint.protocol === "wss:") {\n'
    + '      endpoint.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";\n'
    + "    } else {\n"
    + "      endpoint.protocol = window.location.protocol;\n"
    + "    }\n"
    + "    return endpoint;\n"
)


def patch_state_js(source: str) -> str:
    if MARKER in source:
        return source
    if ANCHOR not in source:
        raise RuntimeError(f"{STATE_JS}: getBackendURL changed in this Reflex version; update {__name__}")
    return source.replace(ANCHOR, PATCH, 1)


class SameOriginPlugin(rx.plugins.Plugin):
    def pre_compile(self, **context: Any) -> None:
        context["add_modify_task"](STATE_JS, patch_state_js)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def socket_origin_allowed(origin: str | None, environ: dict[str, Any] | None = None) -> bool:
    """socket.io's Origin check (engineio calls it with the handshake's WSGI-style environ)."""
    if not origin:
        return True  # not a browser (browsers always send Origin on websockets)
    origin = origin.lower().rstrip("/")
    settings = get_settings()
    allowed = {_origin(settings.public_url_effective), f"http://localhost:{settings.port}",
               f"http://127.0.0.1:{settings.port}"}
    host = (environ or {}).get("HTTP_HOST")
    if host:
        allowed |= {f"http://{host}".lower(), f"https://{host}".lower()}
    return origin in allowed


def allow_same_origin_sockets(app: rx.App) -> None:
    if app.sio is not None:
        app.sio.eio.cors_allowed_origins = socket_origin_allowed
