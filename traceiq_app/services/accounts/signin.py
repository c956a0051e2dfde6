"""Password sign-in with brute-force protection, sign-out, and password resets by e-mail.

    result = sign_in(email, password, ip=..., user_agent=...)   # AccountError / RateLimited
    response.set_cookie(web_sessions.COOKIE_NAME, result.cookie, httponly=True, ...)

Failures are counted per email and per client IP (see rate_limit); the error never says
whether the email exists. Each failure of a known account, and each lockout, is audited.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlmodel import Session

from traceiq_app.db import session_scope
from traceiq_app.models import User
from traceiq_app.services.accounts import passwords, rate_limit, signing, web_sessions
from traceiq_app.services.accounts.rate_limit import Limit, RateLimited
from traceiq_app.services.accounts.users import (
    AccountError,
    get_user_by_email,
    memberships,
    set_password,
    touch_login,
)
from traceiq_app.services.platform import audit, mailer
from traceiq_app.settings import get_settings

WRONG_CREDENTIALS = "wrong email or password"
ACCOUNT_LOCKED = ("too many failed sign-ins for this account: it is locked for {minutes} minute{s}. "
                  "Try again later or reset your password.")
IP_LOCKED = "too many failed sign-ins from your network: try again in {minutes} minute{s}"
RESET_TTL_SECONDS = 3600
RESET_LIMIT = Limit("reset", 3, 3600)

__all__ = ["RateLimited", "SignInResult", "request_password_reset", "reset_password", "sign_in", "sign_out"]


@dataclass(frozen=True)
class SignInResult:
    user_id: uuid.UUID
    email: str
    cookie: str  # "" while the second step is missing
    # Set instead of `cookie` when the account uses two-factor sign-in: a signed, 5-minute token
    # for `complete_two_factor` (kept in the HttpOnly `tiq_2fa` cookie by the API).
    two_factor_token: str | None = None


TWO_FACTOR_TTL_SECONDS = 300
WRONG_CODE = "that code is not valid: enter the 6 digits your app shows, or a recovery code"


def _audit_all_orgs(session: Session, user: User, action: str, ip: str | None, details: dict) -> None:
    for m in memberships(session, user.id):
        audit.record(session, org_id=m.org_id, action=action, actor=None, object_type="user",
                     object_id=str(user.id), details=details, ip=ip, actor_label=user.email)


def sign_in(email: str, password: str, *, ip: str | None = None, user_agent: str | None = None) -> SignInResult:
    email = (email or "").strip().lower()
    acct_limit, ip_limit = rate_limit.login_limits()
    rate_limit.check(acct_limit, email, ACCOUNT_LOCKED)
    if ip:
        rate_limit.check(ip_limit, ip, IP_LOCKED)
    with session_scope() as session:
        user = get_user_by_email(session, email) if email else None
        usable = user is not None and user.is_active
        ok = passwords.verify_password(user.password_hash if usable and user else None, password or "")
        if not ok:
            locked = rate_limit.hit(acct_limit, email)
            ip_locked = rate_limit.hit(ip_limit, ip) if ip else False
            if user is not None:
                _audit_all_orgs(session, user, "auth.login_failed", ip, {"reason": "password" if usable else "inactive"})
                if locked:
                    _audit_all_orgs(session, user, "auth.lockout", ip,
                                    {"minutes": get_settings().login_lockout_minutes})
    if not ok:
        if locked:
            rate_limit.check(acct_limit, email, ACCOUNT_LOCKED)
        if ip_locked and ip:
            rate_limit.check(ip_limit, ip, IP_LOCKED)
        raise AccountError(WRONG_CREDENTIALS)
    with session_scope() as session:
        user = get_user_by_email(session, email)
        assert user is not None
        if user.password_hash and passwords.needs_rehash(user.password_hash):
            user.password_hash = passwords.hash_password(password)
        if user.two_factor_enabled:
            # Failures are forgotten only after the second step: knowing the password must not
            # buy unlimited guesses at the code.
            token = signing.sign("two-factor", {"uid": str(user.id), "ph": _fingerprint(user.password_hash)},
                                 TWO_FACTOR_TTL_SECONDS)
            return SignInResult(user.id, user.email, "", two_factor_token=token)
    rate_limit.reset_failures(acct_limit, email)
    with session_scope() as session:
        user = get_user_by_email(session, email)
        assert user is not None
        touch_login(session, user)
        cookie = web_sessions.create_session(session, user, ip=ip, user_agent=user_agent)
        _audit_all_orgs(session, user, "auth.login", ip, {"method": "password"})
        return SignInResult(user.id, user.email, cookie)


def complete_two_factor(token: str | None, code: str, *, ip: str | None = None,
                        user_agent: str | None = None) -> SignInResult:
    """The second sign-in step: a TOTP code or an unused recovery code for the user whose
    password `token` vouches for. Wrong codes count toward the lockout like wrong passwords."""
    try:
        payload = signing.unsign("two-factor", token or "")
    except signing.Expired:
        raise AccountError("the sign-in took too long: enter your password again") from None
    except signing.BadSignature:
        raise AccountError("sign in with your password first") from None
    with session_scope() as session:
        try:
            user = session.get(User, uuid.UUID(str(payload.get("uid"))))
        except ValueError:
            user = None
        if user is None or not user.is_active or payload.get("ph") != _fingerprint(user.password_hash):
            raise AccountError("sign in with your password first")
        email = user.email
    acct_limit, ip_limit = rate_limit.login_limits()
    rate_limit.check(acct_limit, email, ACCOUNT_LOCKED)
    if ip:
        rate_limit.check(ip_limit, ip, IP_LOCKED)
    from traceiq_app.services.accounts import two_factor

    with session_scope() as session:
        user = session.get(User, user.id)
        assert user is not None
        method = two_factor.verify_second_factor(session, user, code)
        if method is None:
            locked = rate_limit.hit(acct_limit, email)
            ip_locked = rate_limit.hit(ip_limit, ip) if ip else False
            _audit_all_orgs(session, user, "auth.2fa_failed", ip, {})
            if locked:
                _audit_all_orgs(session, user, "auth.lockout", ip, {"minutes": get_settings().login_lockout_minutes})
    if method is None:
        if locked:
            rate_limit.check(acct_limit, email, ACCOUNT_LOCKED)
        if ip_locked and ip:
            rate_limit.check(ip_limit, ip, IP_LOCKED)
        raise AccountError(WRONG_CODE)
    rate_limit.reset_failures(acct_limit, email)
    with session_scope() as session:
        user = session.get(User, user.id)
        assert user is not None
        touch_login(session, user)
        cookie = web_sessions.create_session(session, user, ip=ip, user_agent=user_agent)
        if method == "recovery":
            _audit_all_orgs(session, user, "auth.2fa_recovery_used", ip,
                            {"left": two_factor.recovery_codes_left(session, user.id)})
        _audit_all_orgs(session, user, "auth.login", ip, {"method": "password", "second_factor": method})
        return SignInResult(user.id, user.email, cookie)


def sign_out(cookie: str | None, *, everywhere: bool = False, ip: str | None = None) -> bool:
    user_id = web_sessions.revoke(cookie)
    if user_id is None:
        return False
    with session_scope() as session:
        user = session.get(User, user_id)
        if everywhere:
            web_sessions.revoke_all(session, user_id)
        if user is not None:
            _audit_all_orgs(session, user, "auth.logout_everywhere" if everywhere else "auth.logout", ip, {})
    return True


def _fingerprint(password_hash: str | None) -> str:
    return hashlib.sha256((password_hash or "none").encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return signing.sign("password-reset", {"uid": str(user.id), "ph": _fingerprint(user.password_hash)},
                        RESET_TTL_SECONDS)


def request_password_reset(email: str, *, ip: str | None = None) -> None:
    """Mail a reset link if an active account has this email. Says nothing either way (the
    caller shows the same message), and at most 3 mails per email per hour."""
    email = (email or "").strip().lower()
    if not email:
        return
    try:
        rate_limit.check(RESET_LIMIT, email, "")
    except RateLimited:
        return
    rate_limit.hit(RESET_LIMIT, email)
    with session_scope() as session:
        user = get_user_by_email(session, email)
        if user is None or not user.is_active:
            return
        link = f"{get_settings().public_url_effective}/reset-password/{make_reset_token(user)}"
        _audit_all_orgs(session, user, "auth.password_reset_requested", ip, {})
    mailer.send_mail(
        user.email,
        "Reset your TraceIQ password",
        "Someone (hopefully you) asked to reset the password of your TraceIQ account.\n\n"
        f"Open this link within an hour to choose a new password:\n\n{link}\n\n"
        "If you did not ask for this, ignore this e-mail: your password stays as it is.\n",
    )


def check_reset_token(token: str) -> str:
    """The email the token resets (AccountError when invalid, used or expired)."""
    with session_scope() as session:
        return _user_for_reset(session, token).email


def _user_for_reset(session: Session, token: str) -> User:
    try:
        payload = signing.unsign("password-reset", token)
    except signing.Expired:
        raise AccountError("this password-reset link has expired; ask for a new one") from None
    except signing.BadSignature:
        raise AccountError("this password-reset link is not valid") from None
    try:
        user = session.get(User, uuid.UUID(str(payload.get("uid"))))
    except ValueError:
        user = None
    if user is None or not user.is_active or payload.get("ph") != _fingerprint(user.password_hash):
        raise AccountError("this password-reset link was already used or is no longer valid")
    return user


def reset_password(token: str, new_password: str, *, ip: str | None = None) -> str:
    """Set a new password from a reset link; signs the user out everywhere. Returns the email."""
    with session_scope() as session:
        user = _user_for_reset(session, token)
        set_password(session, user, new_password)
        web_sessions.revoke_all(session, user.id)
        _audit_all_orgs(session, user, "auth.password_reset", ip, {})
        email = user.email
    acct_limit, _ = rate_limit.login_limits()
    rate_limit.clear(acct_limit, email)  # a reset also lifts a lockout
    return email


def change_password(user_id: uuid.UUID, current: str, new_password: str, *,
                    keep_session_id: uuid.UUID | None = None, ip: str | None = None) -> None:
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None or not passwords.verify_password(user.password_hash, current or ""):
            raise AccountError("current password is wrong")
        set_password(session, user, new_password)
        web_sessions.revoke_all(session, user.id, except_session_id=keep_session_id)
        _audit_all_orgs(session, user, "auth.password_change", ip, {})
