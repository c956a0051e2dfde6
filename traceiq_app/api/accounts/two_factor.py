"""Two-factor sign-in and the account's security forms:

- POST /api/auth/two-factor {"code"}: the second sign-in step for API clients (after
  `POST /api/auth/login` answered `{"two_factor_required": true}`); POST /api/auth/two-factor-form
  is the /login/two-factor page's plain HTML form. Both read the HttpOnly `tiq_2fa` cookie the
  first step set (a signed 5-minute token: the password was right) and set the session cookie.
- POST /api/auth/two-factor/disable-form (password + code) and POST /api/auth/email-form
  (password + new address): plain HTML forms of /settings/security, so passwords never enter
  Reflex state.

Redirects carry only fixed codes (`?error=wrong_code`), never text taken from the request.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from traceiq_app.api.accounts.auth import me_payload, safe_next, set_session_cookie
from traceiq_app.api.deps import check_csrf, client_ip, require_session_user_any, same_origin
from traceiq_app.services.accounts import signin, two_factor, verification, web_sessions
from traceiq_app.services.accounts.rate_limit import RateLimited
from traceiq_app.services.accounts.signin import SignInResult
from traceiq_app.services.accounts.users import AccountError
from traceiq_app.services.platform.mailer import MailError
from traceiq_app.services.platform.permissions import Principal

router = APIRouter()

PENDING_COOKIE = "tiq_2fa"
SECURITY_PAGE = "/settings/security"


class CodeBody(BaseModel):
    code: str = Field(max_length=64)


def set_pending_cookie(response: Response, token: str) -> None:
    response.set_cookie(PENDING_COOKIE, token, max_age=signin.TWO_FACTOR_TTL_SECONDS, path="/api/auth/",
                        httponly=True, secure=web_sessions.cookie_secure(), samesite="strict")


def clear_pending_cookie(response: Response) -> None:
    response.delete_cookie(PENDING_COOKIE, path="/api/auth/", httponly=True, secure=web_sessions.cookie_secure(),
                           samesite="strict")


async def after_sign_in(result: SignInResult, next_path: str) -> Response:
    """Where a completed sign-in goes: `next`, or the security page when an organization of the
    user requires two-factor sign-in they have not set up."""
    required = await run_in_threadpool(two_factor.enrolment_required, result.user_id)
    response = RedirectResponse(SECURITY_PAGE + "?notice=two_factor_required" if required else next_path, 303)
    set_session_cookie(response, result.cookie)
    clear_pending_cookie(response)
    return response


def _error_code(exc: Exception) -> str:
    if isinstance(exc, RateLimited):
        return "locked"
    text = str(exc)
    if "took too long" in text:
        return "expired"
    if "password first" in text:
        return "password_first"
    return "wrong_code"


@router.post("/api/auth/two-factor")
async def two_factor_step(body: CodeBody, request: Request, response: Response) -> dict[str, Any]:
    if not same_origin(request):
        raise HTTPException(status_code=403, detail="cross-site request refused (Origin does not match)")
    result = await run_in_threadpool(signin.complete_two_factor, request.cookies.get(PENDING_COOKIE), body.code,
                                     ip=client_ip(request), user_agent=request.headers.get("user-agent"))
    set_session_cookie(response, result.cookie)
    clear_pending_cookie(response)
    payload = await run_in_threadpool(me_payload, Principal(user_id=result.user_id, email=result.email))
    payload["two_factor_enrolment_required"] = await run_in_threadpool(two_factor.enrolment_required, result.user_id)
    return payload


@router.post("/api/auth/two-factor-form", include_in_schema=False)
async def two_factor_form(request: Request) -> Response:
    form = await request.form()
    code, next_path = str(form.get("code", ""))[:64], safe_next(str(form.get("next", "")))
    if not same_origin(request):
        return RedirectResponse("/login?error=cross_site", 303)
    try:
        result = await run_in_threadpool(signin.complete_two_factor, request.cookies.get(PENDING_COOKIE), code,
                                         ip=client_ip(request), user_agent=request.headers.get("user-agent"))
    except (AccountError, RateLimited) as exc:
        error = _error_code(exc)
        target = "/login" if error in ("expired", "password_first") else "/login/two-factor"
        return RedirectResponse(f"{target}?" + urlencode({"error": error, "next": next_path}), 303)
    return await after_sign_in(result, next_path)


@router.post("/api/auth/two-factor/disable-form", include_in_schema=False)
async def disable_form(request: Request, principal: Principal = Depends(require_session_user_any)) -> Response:
    check_csrf(request)
    form = await request.form()
    password, code = str(form.get("password", ""))[:1024], str(form.get("code", ""))[:64]
    try:
        await run_in_threadpool(two_factor.disable, principal.user_id, password, code, ip=client_ip(request))
    except AccountError as exc:
        error = "wrong_password" if "password" in str(exc) else "wrong_code"
        return RedirectResponse(f"{SECURITY_PAGE}?error={error}", 303)
    return RedirectResponse(f"{SECURITY_PAGE}?notice=two_factor_off", 303)


@router.post("/api/auth/email-form", include_in_schema=False)
async def email_form(request: Request, principal: Principal = Depends(require_session_user_any)) -> Response:
    check_csrf(request)
    form = await request.form()
    password, new_email = str(form.get("password", ""))[:1024], str(form.get("email", ""))[:320]
    try:
        await run_in_threadpool(verification.request_email_change, principal.user_id, password, new_email,
                                ip=client_ip(request))
    except RateLimited:
        return RedirectResponse(f"{SECURITY_PAGE}?error=too_many_mails", 303)
    except MailError:
        return RedirectResponse(f"{SECURITY_PAGE}?error=mail_failed", 303)
    except AccountError as exc:
        text = str(exc)
        error = ("wrong_password" if "password is wrong" in text else "email_taken" if "another account" in text
                 else "same_email" if "already your address" in text else "no_mail" if "cannot send" in text
                 else "sso_email" if "sign-on" in text else "bad_email")
        return RedirectResponse(f"{SECURITY_PAGE}?error={error}", 303)
    return RedirectResponse(f"{SECURITY_PAGE}?notice=email_change_sent", 303)
