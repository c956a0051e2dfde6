"""The audit log: `record()` in the same transaction as the change it describes, `query()` for
the audit page and `GET /api/audit` (org owners/admins only; the caller authorizes).

Action names are `<object>.<verb>` ("token.create", "member.role_change", "auth.login_failed").
Never put secrets (passwords, token values, secret variable values) in `details`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from traceiq_app.models import AuditLog

if TYPE_CHECKING:
    from traceiq_app.services.platform.permissions import Principal

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000  # databases take 64-bit offsets at most; nobody pages this far


def record(
    session: Session,
    *,
    org_id: uuid.UUID,
    action: str,
    actor: Principal | None,
    project_id: uuid.UUID | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    details: dict[str, Any] | None = None,
    ip: str | None = None,
    actor_label: str | None = None,
) -> AuditLog:
    entry = AuditLog(
        org_id=org_id,
        project_id=project_id,
        actor_user_id=actor.user_id if actor else None,
        actor_token_id=actor.token_id if actor else None,
        actor_label=(actor_label or (actor.label if actor else None) or None),
        action=action[:100],
        object_type=object_type,
        object_id=object_id,
        details=details or {},
        ip=(ip or (actor.ip if actor else None) or None),
    )
    if entry.ip:
        entry.ip = entry.ip[:45]
    if entry.actor_label:
        entry.actor_label = entry.actor_label[:320]
    session.add(entry)
    session.flush()
    return entry


def query(
    session: Session,
    org_id: uuid.UUID,
    *,
    action: str | None = None,
    actor: str | None = None,
    project_id: uuid.UUID | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[AuditLog]:
    """Newest first. `action` matches exactly or as a prefix ending in '.' ("token." = all token
    actions); `actor` matches the actor label (email / token prefix) case-insensitively."""
    stmt = select(AuditLog).where(AuditLog.org_id == org_id)
    if action:
        if action.endswith("."):
            stmt = stmt.where(col(AuditLog.action).startswith(action, autoescape=True))
        else:
            stmt = stmt.where(AuditLog.action == action)
    if actor:
        stmt = stmt.where(col(AuditLog.actor_label).ilike(f"%{_escape_like(actor)}%", escape="\\"))
    if project_id:
        stmt = stmt.where(AuditLog.project_id == project_id)
    if object_id:
        stmt = stmt.where(AuditLog.object_id == object_id)
    if since:
        stmt = stmt.where(AuditLog.created_at >= since)
    if until:
        stmt = stmt.where(AuditLog.created_at < until)
    stmt = stmt.order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc())
    stmt = stmt.limit(max(1, min(limit, MAX_LIMIT))).offset(max(0, min(offset, MAX_OFFSET)))
    return list(session.exec(stmt).all())


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def to_dict(entry: AuditLog) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "created_at": entry.created_at.isoformat(),
        "action": entry.action,
        "actor": entry.actor_label,
        "actor_user_id": str(entry.actor_user_id) if entry.actor_user_id else None,
        "actor_token_id": str(entry.actor_token_id) if entry.actor_token_id else None,
        "project_id": str(entry.project_id) if entry.project_id else None,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": entry.details or {},
        "ip": entry.ip,
    }
