"""TOTP two-factor sign-in (RFC 6238: 6 digits, 30-second steps, SHA-1, any authenticator app).

Enrolment: `start_enrolment` stores a new secret (encrypted with secrets_crypto) and returns it
with its otpauth:// URI and a QR code rendered here as an SVG data URI (no outside service);
`confirm_enrolment` turns it on once the user typed a valid code, and returns 10 recovery codes,
shown once (only their SHA-256 is stored; each is 80 random bits). `disable` needs the password
and a code. A code is accepted once: the time step of the last accepted code is stored.

Sign-in (services/accounts/signin.py) asks for the code after the password: `verify_second_factor`
takes a TOTP code or an unused recovery code. Failed codes count toward the sign-in lockout.

Users without a password (OIDC only) never get this step: their provider does MFA. An org with
`require_two_factor` sends its other members to enrol (`enrolment_required`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
import uuid
from dataclasses import dataclass

import pyotp
import segno
from sqlmodel import Session, col, select, update

from traceiq_app.db import session_scope
from traceiq_app.models import Organization, OrganizationMember, RecoveryCode, User, utcnow
from traceiq_app.services.accounts import passwords
from traceiq_app.services.accounts.users import AccountError, memberships
from traceiq_app.services.platform import audit, secrets_crypto

ISSUER = "TraceIQ"
STEP_SECONDS = 30
RECOVERY_CODES = 10
_DIGITS_RE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, for typing into an app by hand
    uri: str  # otpauth://totp/...
    qr_svg: str  # data:image/svg+xml,... for an <img src>


def _audit_user(session: Session, user: User, action: str, ip: str | None, details: dict | None = None) -> None:
    for m in memberships(session, user.id):
        audit.record(session, org_id=m.org_id, action=action, actor=None, object_type="user",
                     object_id=str(user.id), details=details or {}, ip=ip, actor_label=user.email)


def _user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise AccountError("this account no longer exists")
    return user


def _secret_of(user: User) -> str | None:
    if not user.totp_secret:
        return None
    return secrets_crypto.decrypt_secrets(user.totp_secret).get("totp")


def _normalize_code(code: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (code or "").strip().lower())[:64]


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(_normalize_code(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 16 chars, 80 bits
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def _matching_counter(secret: str, code: str, last_counter: int | None, now: float | None = None) -> int | None:
    """The time step a code belongs to (this one or one either side, for clock drift), if it is
    newer than the last accepted one."""
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for counter in (current, current - 1, current + 1):
        if last_counter is not None and counter <= last_counter:
            continue
        if hmac.compare_digest(totp.at(counter * STEP_SECONDS), code):
            return counter
    return None


# --- enrolment -----------------------------------------------------------------------------------


def start_enrolment(user_id: uuid.UUID) -> Enrolment:
    """A new secret for the user (replaces one not yet confirmed). Refused while 2FA is on."""
    with session_scope() as session:
        user = _user(session, user_id)
        if user.two_factor_enabled:
            raise AccountError("two-factor sign-in is already on; turn it off first to use another app")
        if user.password_hash is None:
            raise AccountError("you sign in through your organization's sign-on provider, which handles "
                               "two-factor authentication")
        secret = pyotp.random_base32()
        user.totp_secret = secrets_crypto.encrypt_secrets({"totp": secret})
        user.totp_last_counter = None
        session.add(user)
        email = user.email
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return Enrolment(secret=secret, uri=uri, qr_svg=qr)


def confirm_enrolment(user_id: uuid.UUID, code: str, *, ip: str | None = None) -> list[str]:
    """Turn two-factor sign-in on with a code from the app; returns the recovery codes (once)."""
    with session_scope() as session:
        user = _user(session, user_id)
        if user.two_factor_enabled:
            raise AccountError("two-factor sign-in is already on")
        secret = _secret_of(user)
        if secret is None:
            raise AccountError("start the set-up first: scan the QR code, then enter the code it shows")
        code = _normalize_code(code)
        counter = _matching_counter(secret, code, None) if _DIGITS_RE.match(code) else None
        if counter is None:
            raise AccountError("that code is not valid: enter the 6 digits your app shows now")
        user.totp_enabled_at = utcnow()
        user.totp_last_counter = counter
        session.add(user)
        codes = _replace_recovery_codes(session, user)
        _audit_user(session, user, "auth.2fa_enabled", ip)
        return codes


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    session.exec(update(RecoveryCode).where(col(RecoveryCode.user_id) == user.id,  # type: ignore[call-overload]
                                            col(RecoveryCode.used_at).is_(None)).values(used_at=utcnow()))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=hash_recovery_code(code)))
    session.flush()
    return codes


def regenerate_recovery_codes(user_id: uuid.UUID, code: str, *, ip: str | None = None) -> list[str]:
    """New recovery codes (the old ones stop working), with a current TOTP code as proof."""
    with session_scope() as session:
        user = _user(session, user_id)
        if not user.two_factor_enabled or not _check_totp(session, user, code):
            raise AccountError("that code is not valid: enter the 6 digits your app shows now")
        codes = _replace_recovery_codes(session, user)
        _audit_user(session, user, "auth.2fa_recovery_codes_renewed", ip)
        return codes


def disable(user_id: uuid.UUID, password: str, code: str, *, ip: str | None = None) -> None:
    """Turn two-factor sign-in off: needs the password and a code (TOTP or recovery)."""
    with session_scope() as session:
        user = _user(session, user_id)
        if not user.two_factor_enabled:
            raise AccountError("two-factor sign-in is not on")
        if not passwords.verify_password(user.password_hash, password or ""):
            raise AccountError("the password is wrong")
        if verify_second_factor(session, user, code) is None:
            raise AccountError("that code is not valid: enter the 6 digits your app shows, or a recovery code")
        user.totp_secret, user.totp_enabled_at, user.totp_last_counter = None, None, None
        session.add(user)
        session.exec(update(RecoveryCode).where(col(RecoveryCode.user_id) == user.id,  # type: ignore[call-overload]
                                                col(RecoveryCode.used_at).is_(None)).values(used_at=utcnow()))
        _audit_user(session, user, "auth.2fa_disabled", ip)


def admin_reset(email: str) -> None:
    """`traceiq admin reset-two-factor`: for a user who lost both their app and their recovery
    codes (the administrator checked who is asking). They sign in with the password alone and
    must set it up again if their organization requires it."""
    from traceiq_app.services.accounts.users import get_user_by_email

    with session_scope() as session:
        user = get_user_by_email(session, email)
        if user is None:
            raise AccountError(f"no user with email {email.strip().lower()}")
        if not user.two_factor_enabled and not user.totp_secret:
            raise AccountError(f"{user.email} does not use two-factor sign-in")
        user.totp_secret, user.totp_enabled_at, user.totp_last_counter = None, None, None
        session.add(user)
        session.exec(update(RecoveryCode).where(col(RecoveryCode.user_id) == user.id,  # type: ignore[call-overload]
                                                col(RecoveryCode.used_at).is_(None)).values(used_at=utcnow()))
        _audit_user(session, user, "auth.2fa_reset_by_admin", None)


# --- checking codes --------------------------------------------------------------------------------


def _check_totp(session: Session, user: User, code: str) -> bool:
    code = _normalize_code(code)
    secret = _secret_of(user)
    if secret is None or not _DIGITS_RE.match(code):
        return False
    counter = _matching_counter(secret, code, user.totp_last_counter)
    if counter is None:
        return False
    # Claim the step with a conditional update: the same code cannot sign in twice, even at once.
    last = col(User.totp_last_counter)
    claimed = session.exec(update(User).where(  # type: ignore[call-overload]
        col(User.id) == user.id, last.is_(None) | (last < counter)).values(totp_last_counter=counter))
    session.refresh(user)
    return bool(claimed.rowcount == 1)


def verify_second_factor(session: Session, user: User, code: str) -> str | None:
    """"totp" or "recovery" when `code` is a valid TOTP code or an unused recovery code (used
    up by this call); None otherwise."""
    if not user.two_factor_enabled:
        return None
    if _check_totp(session, user, code):
        return "totp"
    normalized = _normalize_code(code)
    if len(normalized) != 16:
        return None
    used = session.exec(update(RecoveryCode).where(  # type: ignore[call-overload]
        col(RecoveryCode.user_id) == user.id, col(RecoveryCode.code_hash) == hash_recovery_code(normalized),
        col(RecoveryCode.used_at).is_(None)).values(used_at=utcnow()))
    return "recovery" if used.rowcount == 1 else None


def recovery_codes_left(session: Session, user_id: uuid.UUID) -> int:
    return len(session.exec(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user_id, col(RecoveryCode.used_at).is_(None))).all())


# --- organizations that require it ------------------------------------------------------------------


def exempt(user: User) -> bool:
    """OIDC-only users (no password) follow their provider's MFA."""
    return user.password_hash is None


def requiring_orgs(session: Session, user_id: uuid.UUID) -> list[str]:
    """Names of the user's organizations that require two-factor sign-in."""
    return list(session.exec(
        select(Organization.name).join(OrganizationMember, col(OrganizationMember.org_id) == Organization.id)
        .where(OrganizationMember.user_id == user_id, col(Organization.require_two_factor).is_(True),
               col(Organization.deleted_at).is_(None))
    ).all())


# "Not required" answers are remembered for a few seconds per process (this runs on every API
# request and protected Reflex event): an org that starts requiring it reaches its members'
# open sessions within NOT_REQUIRED_TTL seconds (at once in the process that changed it).
NOT_REQUIRED_TTL = 5.0
_not_required: dict[uuid.UUID, float] = {}


def forget_cached_answers() -> None:
    _not_required.clear()


def enrolment_required(user_id: uuid.UUID, session: Session | None = None) -> bool:
    """Must this user set up two-factor sign-in before doing anything else?"""
    if session is None:
        if _not_required.get(user_id, 0.0) > time.monotonic():
            return False
        with session_scope() as own:
            required = enrolment_required(user_id, own)
        if not required:
            if len(_not_required) > 10_000:
                _not_required.clear()
            _not_required[user_id] = time.monotonic() + NOT_REQUIRED_TTL
        return required
    found = session.exec(
        select(OrganizationMember.id)
        .join(Organization, col(Organization.id) == OrganizationMember.org_id)
        .join(User, col(User.id) == OrganizationMember.user_id)
        .where(OrganizationMember.user_id == user_id, col(Organization.require_two_factor).is_(True),
               col(Organization.deleted_at).is_(None), col(User.totp_enabled_at).is_(None),
               col(User.password_hash).is_not(None))
        .limit(1)
    ).first()
    return found is not None


@dataclass(frozen=True)
class Status:
    enabled: bool
    pending: bool  # a secret was issued but not confirmed yet
    recovery_codes_left: int
    exempt: bool
    required_by: list[str]


def status(user_id: uuid.UUID) -> Status:
    with session_scope() as session:
        user = _user(session, user_id)
        return Status(enabled=user.two_factor_enabled,
                      pending=bool(user.totp_secret) and not user.two_factor_enabled,
                      recovery_codes_left=recovery_codes_left(session, user.id) if user.two_factor_enabled else 0,
                      exempt=exempt(user), required_by=requiring_orgs(session, user.id))
