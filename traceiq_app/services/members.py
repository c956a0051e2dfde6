"""Organization members, project roles and invitations (owners/admins invite by link/e-mail).

Invitation links are signed (purpose "invite", 7 days) and carry org, email and role. They are
single-use in effect: accepting makes the user a member (a second use changes nothing), and a
link issued before the user was removed from the org no longer works.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    ApiToken,
    AuditLog,
    Organization,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectMember,
    ProjectRole,
    User,
    utcnow,
)
from traceiq_app.services import audit, mailer, signing
from traceiq_app.services.accounts import AccountError, check_password, get_user_by_email, validate_email
from traceiq_app.services.passwords import hash_password
from traceiq_app.services.permissions import PermissionDenied, Principal, _as_uuid, authorize, can
from traceiq_app.settings import get_settings

INVITE_TTL_SECONDS = 7 * 24 * 3600


def list_members(principal: Principal, org_id: uuid.UUID) -> list[dict[str, Any]]:
    with session_scope() as session:
        authorize(principal, "member.read", org_id=org_id, session=session)
        rows = session.exec(
            select(OrganizationMember, User).join(User, User.id == OrganizationMember.user_id)  # type: ignore[arg-type]
            .where(OrganizationMember.org_id == org_id).order_by(col(User.email))
        ).all()
        return [{"user_id": str(u.id), "email": u.email, "display_name": u.display_name or "",
                 "role": OrgRole(m.role).value, "active": u.is_active,
                 "last_login_at": u.last_login_at.isoformat() if u.last_login_at else ""} for m, u in rows]


def _owners(session: Session, org_id: uuid.UUID) -> int:
    return len(session.exec(select(OrganizationMember.id).where(
        OrganizationMember.org_id == org_id, OrganizationMember.role == OrgRole.owner)).all())


def set_org_role(principal: Principal, org_id: uuid.UUID, user_id: uuid.UUID | str, role: str) -> None:
    try:
        new_role = OrgRole(role)
    except ValueError:
        raise AccountError(f"unknown role '{role}'") from None
    with session_scope() as session:
        authorize(principal, "member.manage", org_id=org_id, session=session)
        member = session.exec(select(OrganizationMember).where(
            OrganizationMember.org_id == org_id, OrganizationMember.user_id == _as_uuid(user_id))).first()
        if member is None:
            raise PermissionDenied("member not found", status=404)
        old = OrgRole(member.role)
        if OrgRole.owner in (old, new_role):
            authorize(principal, "member.manage_owners", org_id=org_id, session=session)
        if old == OrgRole.owner and new_role != OrgRole.owner and _owners(session, org_id) <= 1:
            raise AccountError("an organization needs at least one owner")
        if old == new_role:
            return
        member.role = new_role
        session.add(member)
        audit.record(session, org_id=org_id, action="member.role_change", actor=principal, object_type="user",
                     object_id=str(member.user_id), details={"from": old.value, "to": new_role.value})


def remove_member(principal: Principal, org_id: uuid.UUID, user_id: uuid.UUID | str) -> None:
    with session_scope() as session:
        authorize(principal, "member.manage", org_id=org_id, session=session)
        uid = _as_uuid(user_id)
        member = session.exec(select(OrganizationMember).where(
            OrganizationMember.org_id == org_id, OrganizationMember.user_id == uid)).first()
        if member is None or uid is None:
            raise PermissionDenied("member not found", status=404)
        if OrgRole(member.role) == OrgRole.owner:
            authorize(principal, "member.manage_owners", org_id=org_id, session=session)
            if _owners(session, org_id) <= 1:
                raise AccountError("an organization needs at least one owner")
        project_ids = select(Project.id).where(Project.org_id == org_id)
        for pm in session.exec(select(ProjectMember).where(
                ProjectMember.user_id == uid, col(ProjectMember.project_id).in_(project_ids))).all():
            session.delete(pm)
        for token in session.exec(select(ApiToken).where(
                ApiToken.user_id == uid, ApiToken.org_id == org_id, col(ApiToken.revoked_at).is_(None))).all():
            token.revoked_at = utcnow()
            session.add(token)
        session.delete(member)
        audit.record(session, org_id=org_id, action="member.remove", actor=principal, object_type="user",
                     object_id=str(uid), details={})


def set_project_role(principal: Principal, project_id: uuid.UUID | str, user_id: uuid.UUID | str,
                     role: str | None) -> None:
    """Give a member of the project's org a project role (None: remove it)."""
    new_role = ProjectRole(role) if role else None
    with session_scope() as session:
        grant = authorize(principal, "project.members.manage", project_id=project_id, session=session)
        uid = _as_uuid(user_id)
        in_org = session.exec(select(OrganizationMember.id).where(
            OrganizationMember.org_id == grant.org_id, OrganizationMember.user_id == uid)).first()
        if in_org is None or uid is None:
            raise PermissionDenied("member not found", status=404)
        if new_role == ProjectRole.owner and grant.project_role != ProjectRole.owner:
            raise PermissionDenied("only project owners can make someone an owner")
        pm = session.exec(select(ProjectMember).where(
            ProjectMember.project_id == grant.project_id, ProjectMember.user_id == uid)).first()
        if pm is not None and ProjectRole(pm.role) == ProjectRole.owner and grant.project_role != ProjectRole.owner:
            raise PermissionDenied("only project owners can change an owner's role")
        if new_role is None:
            if pm is not None:
                session.delete(pm)
        elif pm is None:
            assert grant.project_id is not None
            session.add(ProjectMember(project_id=grant.project_id, user_id=uid, role=new_role))
        else:
            pm.role = new_role
            session.add(pm)
        audit.record(session, org_id=grant.org_id, action="project.member_role", actor=principal,
                     project_id=grant.project_id, object_type="user", object_id=str(uid),
                     details={"role": new_role.value if new_role else None})


# --- invitations -------------------------------------------------------------------------------


def create_invite(principal: Principal, org_id: uuid.UUID, email: str, role: str = "member") -> tuple[str, bool]:
    """Returns (link, mailed). The link is what the admin can pass on when mail is not set up."""
    normalized = validate_email(email)
    try:
        org_role = OrgRole(role)
    except ValueError:
        raise AccountError(f"unknown role '{role}'") from None
    with session_scope() as session:
        authorize(principal, "member.invite", org_id=org_id, session=session)
        if org_role == OrgRole.owner:
            authorize(principal, "member.manage_owners", org_id=org_id, session=session)
        org = session.get(Organization, org_id)
        assert org is not None
        existing = get_user_by_email(session, normalized)
        if existing is not None and session.exec(select(OrganizationMember.id).where(
                OrganizationMember.org_id == org_id, OrganizationMember.user_id == existing.id)).first():
            raise AccountError(f"{normalized} is already a member of {org.name}")
        token = signing.sign("invite", {"org": str(org_id), "email": normalized, "role": org_role.value,
                                        "by": str(principal.user_id), "iat": int(time.time())}, INVITE_TTL_SECONDS)
        audit.record(session, org_id=org_id, action="member.invite", actor=principal, object_type="invite",
                     details={"email": normalized, "role": org_role.value})
        org_name = org.name
    link = f"{get_settings().public_url_effective}/invite/{token}"
    mailed = False
    if mailer.mail_configured():
        mailed = mailer.send_mail(
            normalized, f"You are invited to {org_name} on TraceIQ",
            f"{principal.email} invited you to join {org_name} on TraceIQ as {org_role.value}.\n\n"
            f"Accept within 7 days:\n\n{link}\n",
        )
    return link, mailed


def peek_invite(token: str) -> dict[str, Any]:
    """What the invite page shows: org name, email, role, whether the account exists."""
    with session_scope() as session:
        payload, org = _check_invite(session, token)
        return {"org_name": org.name, "email": payload["email"], "role": payload["role"],
                "account_exists": get_user_by_email(session, payload["email"]) is not None}


def _check_invite(session: Session, token: str) -> tuple[dict[str, Any], Organization]:
    try:
        payload = signing.unsign("invite", token)
    except signing.Expired:
        raise AccountError("this invitation has expired; ask for a new one") from None
    except signing.BadSignature:
        raise AccountError("this invitation link is not valid") from None
    org = session.get(Organization, _as_uuid(payload.get("org")))
    if org is None or org.deleted_at is not None:
        raise AccountError("this invitation is no longer valid")
    user = get_user_by_email(session, str(payload.get("email")))
    if user is not None:
        removed = session.exec(select(AuditLog.created_at).where(
            AuditLog.org_id == org.id, AuditLog.action == "member.remove", AuditLog.object_id == str(user.id),
        ).order_by(col(AuditLog.created_at).desc())).first()
        if removed is not None and removed.timestamp() >= float(payload.get("iat", 0)):
            raise AccountError("this invitation is no longer valid")
    return payload, org


def accept_invite(token: str, *, principal: Principal | None = None, password: str | None = None,
                  display_name: str | None = None, ip: str | None = None) -> tuple[str, str]:
    """Join the org. A new email creates the account with `password`; an existing account must
    be the signed-in `principal`. Returns (email, org name)."""
    with session_scope() as session:
        payload, org = _check_invite(session, token)
        email = str(payload["email"])
        user = get_user_by_email(session, email)
        if user is None:
            if password is None:
                raise AccountError("choose a password to create your account")
            check_password(password, email)
            user = User(email=email, display_name=(display_name or "").strip()[:200] or email.split("@")[0],
                        password_hash=hash_password(password))
            session.add(user)
            session.flush()
        elif principal is None or principal.user_id != user.id:
            raise AccountError(f"sign in as {email} to accept this invitation")
        already = session.exec(select(OrganizationMember).where(
            OrganizationMember.org_id == org.id, OrganizationMember.user_id == user.id)).first()
        if already is None:
            session.add(OrganizationMember(org_id=org.id, user_id=user.id, role=OrgRole(payload["role"])))
            audit.record(session, org_id=org.id, action="member.join", actor=None, actor_label=email,
                         object_type="user", object_id=str(user.id),
                         details={"role": payload["role"], "invited_by": payload.get("by")}, ip=ip)
        return email, org.name


def is_org_admin(principal: Principal | None, org_id: uuid.UUID | None) -> bool:
    return bool(principal and org_id and can(principal, "member.manage", org_id=org_id))
