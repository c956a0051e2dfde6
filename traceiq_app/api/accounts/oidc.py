"""OIDC single sign-on: GET /api/auth/oidc/login (to the provider) and
GET /api/auth/oidc/callback (back from it; sets the session cookie)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse

from traceiq_app.api.accounts.auth import safe_next, set_session_cookie
from traceiq_app.api.deps import client_ip
from traceiq_app.services.accounts import oidc, web_sessions
from traceiq_app.services.accounts.page_errors import login_error_code

router = APIRouter()


def _to_login(exc: Exception) -> RedirectResponse:
    # A code, never the message (it may quote the provider's or the user's text).
    return RedirectResponse("/login?" + urlencode({"error": login_error_code(exc)}), 303)


@router.get("/api/auth/oidc/login")
async def oidc_login(next: str = "/") -> RedirectResponse:  # noqa: A002 - the query name
    try:
        url, cookie = await run_in_threadpool(oidc.begin_login, safe_next(next))
    except oidc.OidcError as exc:
        return _to_login(exc)
    response = RedirectResponse(url, 302)
    response.set_cookie(oidc.STATE_COOKIE, cookie, max_age=oidc.STATE_TTL, path="/api/auth/oidc",
                        httponly=True, secure=web_sessions.cookie_secure(), samesite="lax")
    return response


@router.get("/api/auth/oidc/callback")
async def oidc_callback(request: Request) -> RedirectResponse:
    params = {k: v for k, v in request.query_params.items()}
    try:
        result, next_path = await run_in_threadpool(
            lambda: oidc.complete_login(params, request.cookies.get(oidc.STATE_COOKIE), ip=client_ip(request),
                                        user_agent=request.headers.get("user-agent")))
    except oidc.OidcError as exc:
        response = _to_login(exc)
    else:
        response = RedirectResponse(safe_next(next_path), 303)
        set_session_cookie(response, result.cookie)
    response.delete_cookie(oidc.STATE_COOKIE, path="/api/auth/oidc")
    return response
