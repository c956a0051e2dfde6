"""Sign-in routes: POST /api/auth/login, POST /api/auth/logout, GET /api/me, password resets,
GET /api/auth/config (what the sign-in page offers)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, Field

from traceiq_app.api.deps import (
    check_csrf,
    client_ip,
    current_principal,
    require_principal,
    require_session_user,
    same_origin,
)
from traceiq_app.db import session_scope
from traceiq_app.models import User
from traceiq_app.services.accounts import signin, web_sessions
from traceiq_app.services.accounts.page_errors import login_error_code, password_error_code
from traceiq_app.services.accounts.rate_limit import RateLimited
from traceiq_app.services.accounts.users import AccountError, memberships, safe_next_path
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.settings import get_settings

router = APIRouter()


class LoginBody(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class ResetRequestBody(BaseModel):
    email: str = Field(max_length=320)


class ResetConfirmBody(BaseModel):
    token: str = Field(max_length=2000)
    password: str = Field(max_length=1024)


def set_session_cookie(response: Response, cookie: str) -> None:
    response.set_cookie(
        web_sessions.COOKIE_NAME, cookie, max_age=web_sessions.cookie_max_age(), path="/",
        httponly=True, secure=web_sessions.cookie_secure(), samesite="lax",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(web_sessions.COOKIE_NAME, path="/", httponly=True,
                           secure=web_sessions.cookie_secure(), samesite="lax")


def me_payload(principal: Principal) -> dict[str, Any]:
    with session_scope() as session:
        user = session.get(User, principal.user_id)
        orgs = memberships(session, principal.user_id)
    if principal.is_token:
        orgs = [m for m in orgs if m.org_id == principal.token_org_id]
    return {
        "user": {"id": str(principal.user_id), "email": principal.email,
                 "display_name": user.display_name if user else None},
        "orgs": [{"id": str(m.org_id), "name": m.org_name, "slug": m.org_slug, "role": m.role.value} for m in orgs],
        "auth": "token" if principal.is_token else "session",
        "scopes": sorted(principal.scopes) if principal.scopes is not None else None,
        "project_id": str(principal.token_project_id) if principal.token_project_id else None,
    }


@router.post("/api/auth/login")
async def login(body: LoginBody, request: Request, response: Response) -> dict[str, Any]:
    if not same_origin(request):  # login CSRF: a foreign page must not sign you in as someone else
        raise HTTPException(status_code=403, detail="cross-site request refused (Origin does not match)")
    result = await run_in_threadpool(
        signin.sign_in, body.email, body.password, ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
    )
    if result.two_factor_token:  # second step: POST /api/auth/two-factor {"code": ...}
        from traceiq_app.api.accounts.two_factor import set_pending_cookie

        set_pending_cookie(response, result.two_factor_token)
        return {"two_factor_required": True}
    set_session_cookie(response, result.cookie)
    principal = Principal(user_id=result.user_id, email=result.email)
    return await run_in_threadpool(me_payload, principal)


def safe_next(value: str | None) -> str:
    """Only local paths: never redirect a user to another site after sign-in."""
    return safe_next_path(value)


@router.post("/api/auth/login-form", include_in_schema=False)
async def login_form(request: Request) -> Response:
    """The /login page's plain HTML form (works without JS; the password never enters Reflex
    state). Redirects (303) to `next`, or back to /login with the error."""
    form = await request.form()
    email, password = str(form.get("email", ""))[:320], str(form.get("password", ""))[:1024]
    next_path = safe_next(str(form.get("next", "")))
    if not same_origin(request):
        return RedirectResponse("/login?" + urlencode({"error": "cross_site"}), 303)
    try:
        result = await run_in_threadpool(signin.sign_in, email, password, ip=client_ip(request),
                                         user_agent=request.headers.get("user-agent"))
    except (AccountError, RateLimited) as exc:
        # A code, never the message: /login shows only the fixed text of known codes.
        query = urlencode({"error": login_error_code(exc), "next": next_path, "email": email})
        return RedirectResponse(f"/login?{query}", 303)
    from traceiq_app.api.accounts.two_factor import after_sign_in, set_pending_cookie

    if result.two_factor_token:
        response = RedirectResponse("/login/two-factor?" + urlencode({"next": next_path}), 303)
        set_pending_cookie(response, result.two_factor_token)
        return response
    return await after_sign_in(result, next_path)


@router.post("/api/auth/logout")
async def logout(request: Request, everywhere: bool = False, redirect: bool = False) -> Response:
    cookie = request.cookies.get(web_sessions.COOKIE_NAME)
    if cookie:
        check_csrf(request)  # a foreign page must not sign you out either
        await run_in_threadpool(signin.sign_out, cookie, everywhere=everywhere, ip=client_ip(request))
    response: Response = (RedirectResponse("/login?notice=signed_out", 303) if redirect
                          else JSONResponse({"signed_out": True}))
    clear_session_cookie(response)
    return response


@router.get("/api/me")
async def me(principal: Principal = Depends(require_principal)) -> dict[str, Any]:
    return await run_in_threadpool(me_payload, principal)


@router.get("/api/auth/config")
async def auth_config(principal: Principal | None = Depends(current_principal)) -> dict[str, Any]:
    from traceiq_app.services.accounts.users import signup_open

    settings = get_settings()
    return {
        "oidc": {"enabled": settings.oidc_enabled, "name": settings.oidc_provider_name},
        "signup_open": await run_in_threadpool(signup_open),
        "signed_in": principal is not None,
    }


@router.post("/api/auth/password-reset", status_code=202)
async def password_reset(body: ResetRequestBody, request: Request) -> dict[str, Any]:
    await run_in_threadpool(signin.request_password_reset, body.email, ip=client_ip(request))
    return {"detail": "if an account uses this email, a reset link is on its way"}


@router.post("/api/auth/password-reset/confirm")
async def password_reset_confirm(body: ResetConfirmBody, request: Request) -> dict[str, Any]:
    email = await run_in_threadpool(signin.reset_password, body.token, body.password, ip=client_ip(request))
    return {"detail": "password changed; sign in with the new password", "email": email}


@router.post("/api/auth/password-form", include_in_schema=False)
async def change_password_form(request: Request, principal: Principal = Depends(require_session_user)) -> Response:
    """The /settings/password page's plain HTML form (the passwords never enter Reflex state).
    Keeps this session, signs out every other one, and redirects back with a notice or the error."""
    check_csrf(request)
    form = await request.form()
    current, new = str(form.get("current_password", ""))[:1024], str(form.get("new_password", ""))[:1024]
    if new != str(form.get("new_password_confirm", ""))[:1024]:
        return RedirectResponse("/settings/password?" + urlencode({"error": "password_mismatch"}), 303)
    try:
        await run_in_threadpool(signin.change_password, principal.user_id, current, new,
                                keep_session_id=principal.session_id, ip=client_ip(request))
    except AccountError as exc:
        return RedirectResponse("/settings/password?" + urlencode({"error": password_error_code(exc)}), 303)
    return RedirectResponse("/settings/password?notice=password_changed", 303)
