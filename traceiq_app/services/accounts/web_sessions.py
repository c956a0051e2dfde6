"""Web sign-in sessions.

The browser holds a random 256-bit id in the HttpOnly cookie `tiq_session`; the `sessions`
table stores only HMAC-SHA256(secret key, id), so neither a database leak nor a guessed id
gives a session, and rotating TRACEIQ_SECRET_KEY signs everybody out. A session is valid while
not revoked, before `expires_at` (absolute lifetime) and while used within the idle timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from sqlmodel import Session, col, select, update

from traceiq_app.db import session_scope
from traceiq_app.models import User, WebSession, utcnow
from traceiq_app.services.accounts.signing import derive_key
from traceiq_app.services.platform.permissions import Principal
from traceiq_app.settings import get_settings

COOKIE_NAME = "tiq_session"
CSRF_COOKIE_NAME = "tiq_csrf"
SEEN_RESOLUTION = timedelta(seconds=60)


def session_hash(raw: str) -> str:
    return hmac.new(derive_key("web-session"), raw.encode(), hashlib.sha256).hexdigest()


def create_session(session: Session, user: User, *, ip: str | None = None, user_agent: str | None = None) -> str:
    """Start a session for `user`; returns the cookie value (shown nowhere else)."""
    settings = get_settings()
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(WebSession(
        token_hash=session_hash(raw),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_max_age_hours),
        user_agent=(user_agent or "")[:512] or None,
        ip=(ip or "")[:45] or None,
    ))
    session.flush()
    return raw


def resolve(raw: str | None, *, ip: str | None = None, touch: bool = True) -> Principal | None:
    """The signed-in user for a cookie value, or None. Ends idle sessions."""
    if not raw or len(raw) > 200:
        return None
    settings = get_settings()
    with session_scope() as session:
        row = session.exec(select(WebSession).where(WebSession.token_hash == session_hash(raw))).first()
        if row is None or row.revoked_at is not None:
            return None
        now = utcnow()
        if row.expires_at <= now:
            return None
        if now - row.last_seen_at > timedelta(minutes=settings.session_idle_minutes):
            row.revoked_at = now
            session.add(row)
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        if touch and now - row.last_seen_at >= SEEN_RESOLUTION:
            row.last_seen_at = now
            session.add(row)
        return Principal(user_id=user.id, email=user.email, session_id=row.id, ip=ip)


def revoke(raw: str | None) -> uuid.UUID | None:
    """Sign out this cookie's session; returns its user id (None when it was not valid)."""
    if not raw:
        return None
    with session_scope() as session:
        row = session.exec(select(WebSession).where(WebSession.token_hash == session_hash(raw))).first()
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)
        return row.user_id


def revoke_all(session: Session, user_id: uuid.UUID, *, except_session_id: uuid.UUID | None = None) -> int:
    """Sign a user out everywhere (password change/reset, "sign out everywhere", deactivation)."""
    stmt = (
        update(WebSession)
        .where(col(WebSession.user_id) == user_id, col(WebSession.revoked_at).is_(None))
        .values(revoked_at=utcnow())
    )
    if except_session_id is not None:
        stmt = stmt.where(col(WebSession.id) != except_session_id)
    result = session.exec(stmt)  # type: ignore[call-overload]
    return int(result.rowcount or 0)


def active_sessions(session: Session, user_id: uuid.UUID) -> list[WebSession]:
    now = utcnow()
    return list(session.exec(
        select(WebSession).where(
            WebSession.user_id == user_id, col(WebSession.revoked_at).is_(None), WebSession.expires_at > now
        ).order_by(col(WebSession.last_seen_at).desc())
    ).all())


def cookie_secure() -> bool:
    return get_settings().public_url_effective.startswith("https://")


def cookie_max_age() -> int:
    return get_settings().session_max_age_hours * 3600
