"""Security headers on EVERY HTTP response of the app (API routes, Reflex pages, static
files): the FastAPI app is the outermost app (`rx.App(api_transformer=create_api())`), and this
pure ASGI middleware is installed on it by `create_api()`. Websocket traffic passes untouched.

The CSP allows what the app needs and no more:
* Reflex: inline scripts/styles and `eval` (its event loop evaluates `rx.call_script` code),
  its websocket to the same origin;
* Playwright's trace viewer served from our origin: a service worker, blob:/data: images and
  frames;
* nothing from other origins, no plugins, no framing by other sites.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from traceiq_app.settings import get_settings


def content_security_policy() -> str:
    settings = get_settings()
    public = urlsplit(settings.public_url_effective)
    ws_scheme = "wss" if public.scheme == "https" else "ws"
    ws_origin = f"{ws_scheme}://{public.netloc}"
    form_action = "'self'"
    if settings.oidc_issuer:
        issuer = urlsplit(settings.oidc_issuer)
        form_action += f" {issuer.scheme}://{issuer.netloc}"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        f"connect-src 'self' {ws_origin}",
        "worker-src 'self' blob:",
        "frame-src 'self' blob: data:",
        "frame-ancestors 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action {form_action}",
    ])


def security_headers() -> list[tuple[str, str]]:
    headers = [
        ("Content-Security-Policy", content_security_policy()),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "SAMEORIGIN"),
        # same-origin: reset/invite links carry tokens in the URL; never send them elsewhere.
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if get_settings().public_url_effective.startswith("https://"):
        headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    return headers


# The interactive docs: Swagger UI from our own origin (api/platform/v1_docs.py), no CDN.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors 'self'; object-src 'none'; base-uri 'self'")

NO_STORE_PREFIXES = ("/api/auth", "/api/me", "/api/audit", "/api/orgs")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers: list[tuple[str, str]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._headers is None:
            self._headers = security_headers()
        extra = self._headers
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    if name not in headers:
                        headers[name] = value
                if path == "/api/docs":
                    headers["Content-Security-Policy"] = DOCS_CSP
                if path.startswith(NO_STORE_PREFIXES):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
