"""FastAPI dependencies for authentication. Every /api route that is not public takes one:

    @router.post("/api/v1/projects/{project}/runs")
    def start(project_id: uuid.UUID, principal: Principal = Depends(require_principal)):
        authorize(principal, "run.start", project_id=project_id)   # PermissionDenied -> 403/404
        ...

`current_principal` (None when anonymous) / `require_principal` (401 when anonymous) accept:

* `Authorization: Bearer tiq_...` — an API token (scopes, project/org limits apply), or
* the HttpOnly `tiq_session` cookie. For unsafe methods (POST/PUT/PATCH/DELETE) a cookie is
  only accepted from our own origin: `Origin` (or `Sec-Fetch-Site: same-origin`, or a
  same-origin `Referer`) must match, else 403 — that is the CSRF protection.

`PermissionDenied`, `AccountError` and `RateLimited` raised in a route are turned into JSON
errors by handlers installed in `create_api()` (see `install_error_handlers`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from traceiq_app.services.accounts import tokens, web_sessions
from traceiq_app.services.accounts.rate_limit import RateLimited
from traceiq_app.services.accounts.users import AccountError
from traceiq_app.services.observability import logs
from traceiq_app.services.platform.permissions import PermissionDenied, Principal
from traceiq_app.settings import get_settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def client_ip(request: Request) -> str | None:
    """The connecting address, or X-Forwarded-For's client when it came through TRACEIQ_TRUSTED_PROXIES."""
    from traceiq_app.api.rate_limits import client_ip as resolve

    return resolve(request.client.host if request.client else None, request.headers.get("x-forwarded-for"))


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(request: Request) -> set[str]:
    origins = {get_settings().public_url_effective.lower()}
    host = request.headers.get("host")
    if host:
        origins.add(f"{request.url.scheme}://{host}".lower())
    return origins


def same_origin(request: Request) -> bool:
    """Did this request come from a page of ours (not a cross-site form or fetch)?"""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return origin.lower().rstrip("/") in allowed_origins(request)
    if origin == "null":
        return False
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site:
        return fetch_site in ("same-origin", "none")
    referer = request.headers.get("referer")
    if referer:
        return _origin_of(referer) in allowed_origins(request)
    return False


def check_csrf(request: Request) -> None:
    if request.method not in SAFE_METHODS and not same_origin(request):
        raise HTTPException(status_code=403, detail="cross-site request refused (Origin does not match)")


def current_principal(request: Request) -> Principal | None:
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise HTTPException(status_code=401, detail="use 'Authorization: Bearer tiq_...'",
                                headers={"WWW-Authenticate": "Bearer"})
        principal = tokens.verify_token(value.strip(), ip=client_ip(request))
        if principal is None:
            raise HTTPException(status_code=401, detail="invalid, expired or revoked API token",
                                headers={"WWW-Authenticate": "Bearer"})
        return principal
    cookie = request.cookies.get(web_sessions.COOKIE_NAME)
    if not cookie:
        return None
    principal = web_sessions.resolve(cookie, ip=client_ip(request))
    if principal is not None:
        check_csrf(request)
    return principal


def require_principal(principal: Principal | None = Depends(current_principal)) -> Principal:
    if principal is None:
        raise HTTPException(status_code=401, detail="sign in first", headers={"WWW-Authenticate": "Bearer"})
    logs.bind(user_id=principal.user_id, token=principal.token_prefix)
    from traceiq_app.services.accounts.two_factor import enrolment_required

    if enrolment_required(principal.user_id):
        raise HTTPException(status_code=403, detail="your organization requires two-factor sign-in: set it up "
                                                    "at /settings/security first")
    return principal


def require_session_user_any(principal: Principal | None = Depends(current_principal)) -> Principal:
    """A signed-in web session, even one that still has to set up two-factor sign-in (for the
    forms of /settings/security)."""
    if principal is None:
        raise HTTPException(status_code=401, detail="sign in first")
    if principal.is_token:
        raise HTTPException(status_code=403, detail="API tokens cannot do this; sign in to the web app")
    return principal


def require_session_user(principal: Principal = Depends(require_principal)) -> Principal:
    """For routes API tokens must not use (token management, sign-out)."""
    if principal.is_token:
        raise HTTPException(status_code=403, detail="API tokens cannot do this; sign in to the web app")
    return principal


def install_error_handlers(app: FastAPI) -> None:
    from traceiq_app.api.errors import error_response, install_v1_error_handlers

    install_v1_error_handlers(app)

    @app.exception_handler(PermissionDenied)
    async def _denied(request: Request, exc: PermissionDenied) -> JSONResponse:
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(AccountError)
    async def _account(request: Request, exc: AccountError) -> JSONResponse:
        return error_response(request, 400, str(exc))

    @app.exception_handler(RateLimited)
    async def _limited(request: Request, exc: RateLimited) -> JSONResponse:
        return error_response(request, 429, exc.message, headers={"Retry-After": str(max(1, exc.retry_after))})
