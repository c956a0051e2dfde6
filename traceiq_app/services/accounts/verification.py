"""E-mail verification: a user proves they receive mail at their address by opening a signed link
(purpose "email-verify", 48 hours). Sign-up sends one; changing the address sends one to the NEW
address and the change happens only when that link is opened (the old address gets a notice).

Unverified users can sign in and work, but cannot be invited into other organizations and get
no notifications: callers ask `is_verified(user_id)`. Users who joined through an invitation
link, were created by an admin, or signed in through an OIDC provider that vouched for the
address are verified from the start; users that existed before verification did are too.
"""

from __future__ import annotations

import hashlib
import uuid

from sqlmodel import Session

from traceiq_app.db import session_scope
from traceiq_app.models import User, utcnow
from traceiq_app.services.accounts import passwords, rate_limit, signing
from traceiq_app.services.accounts.rate_limit import Limit, RateLimited
from traceiq_app.services.accounts.users import AccountError, get_user_by_email, memberships, validate_email
from traceiq_app.services.platform import audit, mailer
from traceiq_app.settings import get_settings

VERIFY_TTL_SECONDS = 48 * 3600
MAIL_LIMIT = Limit("verify-mail", 5, 3600)  # verification mails per user per hour

__all__ = ["RateLimited", "is_verified", "request_email_change", "send_verification", "verify_email"]


def is_verified(user_id: uuid.UUID, session: Session | None = None) -> bool:
    """Does the user receive mail at their address? (For invitations and notifications.)"""
    if session is None:
        with session_scope() as own:
            return is_verified(user_id, own)
    user = session.get(User, user_id)
    return bool(user is not None and user.is_verified)


def _email_tag(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:16]


def make_token(user: User, email: str) -> str:
    """A link token that verifies `email` for `user` while their address is still what it was."""
    return signing.sign("email-verify", {"uid": str(user.id), "email": email, "was": _email_tag(user.email)},
                        VERIFY_TTL_SECONDS)


def _audit(session: Session, user: User, action: str, details: dict, ip: str | None) -> None:
    for m in memberships(session, user.id):
        audit.record(session, org_id=m.org_id, action=action, actor=None, object_type="user",
                     object_id=str(user.id), details=details, ip=ip, actor_label=user.email)


def _throttle(user_id: uuid.UUID) -> None:
    rate_limit.check(MAIL_LIMIT, str(user_id), "too many verification e-mails: try again in {minutes} minute{s}")
    rate_limit.hit(MAIL_LIMIT, str(user_id))


def send_verification(user_id: uuid.UUID, *, ip: str | None = None) -> bool:
    """Mail a verification link to the user's address. False when mail is not set up (the
    caller says so); raises RateLimited after 5 mails an hour, MailError when sending failed."""
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise AccountError("this account no longer exists")
        if user.is_verified:
            raise AccountError(f"{user.email} is already verified")
        if not mailer.mail_configured():
            return False
        _throttle(user.id)
        link = f"{get_settings().public_url_effective}/verify-email/{make_token(user, user.email)}"
        email = user.email
        _audit(session, user, "auth.email_verification_sent", {"email": email}, ip)
    return mailer.send_mail(
        email, "Confirm your e-mail address for TraceIQ",
        "Open this link within 48 hours to confirm that this is your address:\n\n"
        f"{link}\n\nIf you did not create a TraceIQ account, ignore this e-mail.\n",
    )


def request_email_change(user_id: uuid.UUID, password: str, new_email: str, *, ip: str | None = None) -> bool:
    """Mail a link to `new_email`; the address changes when it is opened. Needs the password.
    False when mail is not set up (nothing changes then: an unproven address is never used)."""
    normalized = validate_email(new_email)
    with session_scope() as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            raise AccountError("this account no longer exists")
        if user.password_hash is None:
            raise AccountError("your address comes from your sign-on provider: change it there")
        if not passwords.verify_password(user.password_hash, password or ""):
            raise AccountError("the password is wrong")
        if normalized == user.email:
            raise AccountError(f"{normalized} is already your address")
        if get_user_by_email(session, normalized) is not None:
            raise AccountError(f"{normalized} is used by another account")
        if not mailer.mail_configured():
            raise AccountError("this server cannot send e-mail, so addresses cannot be changed: ask an admin")
        _throttle(user.id)
        link = f"{get_settings().public_url_effective}/verify-email/{make_token(user, normalized)}"
        old = user.email
        _audit(session, user, "auth.email_change_requested", {"email": normalized}, ip)
    sent = mailer.send_mail(
        normalized, "Confirm your new e-mail address for TraceIQ",
        f"Open this link within 48 hours to make {normalized} the address of your TraceIQ account "
        f"(now {old}):\n\n{link}\n\nIf you did not ask for this, ignore this e-mail.\n",
    )
    mailer.send_mail(old, "Your TraceIQ e-mail address is being changed",
                     f"Someone signed in to your TraceIQ account asked to change its address to {normalized}. "
                     "If that was not you, change your password now and tell an admin of your organization.\n")
    return sent


def verify_email(token: str, *, ip: str | None = None) -> str:
    """Open a verification link: marks the address verified (changing it first when the link
    was for a new one). Returns the verified address; AccountError for bad/expired/stale links."""
    try:
        payload = signing.unsign("email-verify", token or "")
    except signing.Expired:
        raise AccountError("this link has expired: ask for a new one on your account's security page") from None
    except signing.BadSignature:
        raise AccountError("this verification link is not valid") from None
    with session_scope() as session:
        try:
            user = session.get(User, uuid.UUID(str(payload.get("uid"))))
        except ValueError:
            user = None
        email = str(payload.get("email") or "")
        if user is None or not user.is_active or payload.get("was") != _email_tag(user.email):
            raise AccountError("this link is no longer valid: your address changed since it was sent")
        if email != user.email:
            if get_user_by_email(session, email) is not None:
                raise AccountError(f"{email} is used by another account")
            old = user.email
            user.email = email
            _audit(session, user, "auth.email_changed", {"from": old, "to": email}, ip)
        elif user.is_verified:
            return email
        user.email_verified_at = utcnow()
        session.add(user)
        _audit(session, user, "auth.email_verified", {"email": email}, ip)
        return email
