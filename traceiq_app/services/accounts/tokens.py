"""API tokens: `tiq_<8-char public prefix>_<secret>`, shown once, stored as a SHA-256 digest
(tokens carry 256 random bits, so a fast hash is fine) next to the prefix used for lookup.

A token acts for its user with at most the user's rights, narrowed by scopes (read, run,
write, admin), to one org and optionally one project, until it expires or is revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import ApiToken, Organization, Project, User, normalize_email, utcnow
from traceiq_app.services.accounts.users import AccountError, memberships
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import SCOPES, Principal, authorize

TOKEN_PREFIX = "tiq_"
LAST_USED_RESOLUTION = timedelta(seconds=60)  # don't write last_used_at on every request
MAX_EXPIRES_DAYS = 3650


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_raw_token() -> tuple[str, str]:
    public = secrets.token_hex(4)  # 8 chars
    raw = f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    return raw, f"{TOKEN_PREFIX}{public}"


def looks_like_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX) and value.count("_") >= 2


def _check_scopes(scopes: list[str] | tuple[str, ...] | None) -> list[str]:
    chosen = sorted(set(scopes or ["read"]))
    bad = [s for s in chosen if s not in SCOPES]
    if bad:
        raise AccountError(f"unknown scope(s) {', '.join(bad)}; choose from {', '.join(SCOPES)}")
    return chosen


def create_token(
    session: Session,
    *,
    user: User,
    org_id: uuid.UUID,
    name: str,
    scopes: list[str] | tuple[str, ...] | None,
    project_id: uuid.UUID | None = None,
    expires_days: int | None = None,
    actor: Principal | None = None,
) -> tuple[str, ApiToken]:
    """Create a token for `user` (already authorized by the caller); returns (plaintext, row)."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise AccountError("token name must be 1 to 200 characters")
    chosen = _check_scopes(scopes)
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRES_DAYS:
        raise AccountError(f"expiry must be between 1 and {MAX_EXPIRES_DAYS} days")
    if project_id is not None:
        project = session.get(Project, project_id)
        if project is None or project.org_id != org_id or project.deleted_at is not None:
            raise AccountError("project not found in this organization")
    raw, prefix = _new_raw_token()
    row = ApiToken(
        prefix=prefix,
        token_hash=_digest(raw),
        name=name,
        scopes=chosen,
        org_id=org_id,
        project_id=project_id,
        user_id=user.id,
        expires_at=utcnow() + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, org_id=org_id, action="token.create", actor=actor, project_id=project_id,
        object_type="api_token", object_id=str(row.id),
        details={"name": name, "prefix": prefix, "scopes": chosen, "owner": user.email,
                 "expires_at": row.expires_at.isoformat() if row.expires_at else None},
        actor_label=None if actor else "cli",
    )
    return raw, row


def create_token_for_email(
    email: str,
    name: str,
    scopes: list[str] | tuple[str, ...] | None = None,
    project_slug: str | None = None,
    expires_days: int | None = None,
) -> str:
    """For `traceiq admin create-token`: a token for the user with `email`, in their (first)
    org, or in the org of the project `project_slug`. Returns the plaintext token."""
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == normalize_email(email or ""))).first()
        if user is None or not user.is_active:
            raise AccountError(f"no active user with email {email}")
        orgs = memberships(session, user.id)
        if not orgs:
            raise AccountError(f"{user.email} is not a member of any organization")
        project_id = None
        org_id = orgs[0].org_id
        if project_slug:
            project = session.exec(
                select(Project).where(
                    Project.slug == project_slug,
                    col(Project.org_id).in_([m.org_id for m in orgs]),
                    col(Project.deleted_at).is_(None),
                )
            ).first()
            if project is None:
                raise AccountError(f"no project '{project_slug}' in {user.email}'s organizations")
            project_id, org_id = project.id, project.org_id
        raw, _row = create_token(
            session, user=user, org_id=org_id, name=name, scopes=scopes,
            project_id=project_id, expires_days=expires_days,
        )
        return raw


def verify_token(raw: str, *, ip: str | None = None) -> Principal | None:
    """The principal for a presented token, or None (unknown, wrong, expired, revoked, or its
    user is inactive / no longer in the token's org). Updates last_used_at."""
    if not raw or not looks_like_token(raw) or len(raw) > 200:
        return None
    _, public, _secret = raw.split("_", 2)
    prefix = f"{TOKEN_PREFIX}{public}"
    with session_scope() as session:
        row = session.exec(select(ApiToken).where(ApiToken.prefix == prefix)).first()
        if row is None or not hmac.compare_digest(row.token_hash, _digest(raw)):
            return None
        now = utcnow()
        if row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
            return None
        user = session.get(User, row.user_id)
        if user is None or not user.is_active:
            return None
        if row.org_id not in {m.org_id for m in memberships(session, user.id)}:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            row.last_used_at = now
            session.add(row)
        return Principal(
            user_id=user.id, email=user.email, token_id=row.id, token_prefix=row.prefix,
            scopes=frozenset(row.scopes or []), token_org_id=row.org_id,
            token_project_id=row.project_id, ip=ip,
        )


def list_tokens(session: Session, principal: Principal, org_id: uuid.UUID) -> list[dict[str, Any]]:
    """The caller's own tokens in the org; org admins see everybody's."""
    authorize(principal, "token.manage", org_id=org_id, session=session)
    stmt = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id).where(  # type: ignore[arg-type]
        ApiToken.org_id == org_id
    )
    from traceiq_app.services.platform.permissions import can

    if not can(principal, "token.manage_all", org_id=org_id, session=session):
        stmt = stmt.where(ApiToken.user_id == principal.user_id)
    stmt = stmt.order_by(col(ApiToken.created_at).desc())
    return [token_to_dict(row, email) for row, email in session.exec(stmt).all()]


def token_to_dict(row: ApiToken, owner_email: str | None = None) -> dict[str, Any]:
    now = utcnow()
    status = "active"
    if row.revoked_at is not None:
        status = "revoked"
    elif row.expires_at is not None and row.expires_at <= now:
        status = "expired"
    return {
        "id": str(row.id),
        "name": row.name,
        "prefix": row.prefix,
        "scopes": list(row.scopes or []),
        "project_id": str(row.project_id) if row.project_id else None,
        "owner": owner_email,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
        "status": status,
    }


def create_token_as(
    principal: Principal,
    org_id: uuid.UUID,
    *,
    name: str,
    scopes: list[str],
    project_id: uuid.UUID | None = None,
    expires_days: int | None = None,
) -> tuple[str, dict[str, Any]]:
    """A signed-in user creates a token for themself. Scopes beyond what the user's role allows
    are harmless (rights are always intersected), but a project-limited token needs read access
    to that project."""
    with session_scope() as session:
        authorize(principal, "token.manage", org_id=org_id, session=session)
        if project_id is not None:
            authorize(principal, "project.read", project_id=project_id, org_id=org_id, session=session)
        user = session.get(User, principal.user_id)
        if user is None:
            raise AccountError("unknown user")
        raw, row = create_token(
            session, user=user, org_id=org_id, name=name, scopes=scopes, project_id=project_id,
            expires_days=expires_days, actor=principal,
        )
        return raw, token_to_dict(row, user.email)


def revoke_token(principal: Principal, org_id: uuid.UUID, token_id: uuid.UUID | str) -> dict[str, Any]:
    from traceiq_app.services.platform.permissions import PermissionDenied, _as_uuid, can

    tid = _as_uuid(token_id)
    with session_scope() as session:
        authorize(principal, "token.manage", org_id=org_id, session=session)
        row = session.get(ApiToken, tid) if tid else None
        if row is None or row.org_id != org_id:
            raise PermissionDenied("token not found", status=404)
        if row.user_id != principal.user_id and not can(principal, "token.manage_all", org_id=org_id, session=session):
            raise PermissionDenied("token not found", status=404)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(row)
            audit.record(
                session, org_id=org_id, action="token.revoke", actor=principal, project_id=row.project_id,
                object_type="api_token", object_id=str(row.id), details={"name": row.name, "prefix": row.prefix},
            )
        owner = session.get(User, row.user_id)
        return token_to_dict(row, owner.email if owner else None)


def org_of(session: Session, org_id: uuid.UUID) -> Organization | None:
    return session.get(Organization, org_id)
