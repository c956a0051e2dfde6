"""Organization members, project roles and invitations (owners/admins invite by link/e-mail).

Invitation links are signed (purpose "invite", 7 days) and carry the id of their `invitations`
row, which holds org, email and role. A link works once: accepting marks the row accepted. An
admin can revoke a pending invitation (its link then says so), and a link issued before the
user was removed from the org no longer works. Inviting an email again supersedes its pending
invitation in that org (revoked, audited as `invite.revoke` with `superseded_by`): only the
newest link works and is listed.

Project roles (owner/admin/editor/viewer) are explicit `project_members` rows; org owners and
admins are project owners/admins of every project of their org without a row (see
permissions.py), so a project always has an effective owner: the org's owners.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    ApiToken,
    AuditLog,
    Invitation,
    Organization,
    OrganizationMember,
    OrgRole,
    Project,
    ProjectMember,
    ProjectRole,
    User,
    utcnow,
)
from traceiq_app.services.accounts import signing
from traceiq_app.services.accounts.passwords import hash_password
from traceiq_app.services.accounts.users import (
    AccountError,
    check_password,
    get_user_by_email,
    validate_email,
)
from traceiq_app.services.platform import audit, mailer
from traceiq_app.services.platform.permissions import PermissionDenied, Principal, _as_uuid, authorize, can
from traceiq_app.settings import get_settings

INVITE_TTL_SECONDS = 7 * 24 * 3600
UNVERIFIED = ("{email} has not verified their e-mail address yet, so they cannot join another organization: "
              "they can send themselves a new link from their account's security page")


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
    """Give a member of the project's org a project role (None: remove it). Audited as
    `project.member_role` (what `PUT /api/projects/{id}/members/{user}` does)."""
    _change_project_membership(principal, project_id, user_id, _project_role(role) if role else None,
                               action="project.member_role")


def add_project_member(principal: Principal, project_id: uuid.UUID | str, user_id: uuid.UUID | str,
                       role: str) -> None:
    """Add an organization member to the project with `role` (`project.member_add`)."""
    _change_project_membership(principal, project_id, user_id, _project_role(role), action="project.member_add",
                               must_exist=False)


def change_project_role(principal: Principal, project_id: uuid.UUID | str, user_id: uuid.UUID | str,
                        role: str) -> None:
    """Change the role of someone already in the project (`project.member_role`)."""
    _change_project_membership(principal, project_id, user_id, _project_role(role), action="project.member_role",
                               must_exist=True)


def remove_project_member(principal: Principal, project_id: uuid.UUID | str, user_id: uuid.UUID | str) -> None:
    """Take the user's project role away (`project.member_remove`). Their org role still applies."""
    _change_project_membership(principal, project_id, user_id, None, action="project.member_remove",
                               must_exist=True)


def _project_role(role: str) -> ProjectRole:
    try:
        return ProjectRole(role)
    except ValueError:
        raise AccountError(f"unknown project role '{role}'") from None


def _change_project_membership(principal: Principal, project_id: uuid.UUID | str, user_id: uuid.UUID | str,
                               new_role: ProjectRole | None, *, action: str, must_exist: bool | None = None) -> None:
    """`must_exist`: True = the user must already be in the project, False = must not be,
    None = either (set the role, whatever it was)."""
    with session_scope() as session:
        grant = authorize(principal, "project.members.manage", project_id=project_id, session=session)
        assert grant.project_id is not None
        uid = _as_uuid(user_id)
        in_org = session.exec(select(OrganizationMember.id).where(
            OrganizationMember.org_id == grant.org_id, OrganizationMember.user_id == uid)).first()
        if in_org is None or uid is None:
            raise PermissionDenied("member not found", status=404)
        pm = session.exec(select(ProjectMember).where(
            ProjectMember.project_id == grant.project_id, ProjectMember.user_id == uid)).first()
        if must_exist is True and pm is None:
            raise AccountError("this person has no role in this project")
        if must_exist is False and pm is not None:
            raise AccountError("already a member of this project: change their role instead")
        is_owner = grant.project_role == ProjectRole.owner
        if new_role == ProjectRole.owner and not is_owner:
            raise PermissionDenied("only project owners can make someone an owner")
        if pm is not None and ProjectRole(pm.role) == ProjectRole.owner and not is_owner:
            raise PermissionDenied("only project owners can change an owner's role")
        old = ProjectRole(pm.role) if pm is not None else None
        if old == new_role:
            return
        if new_role is None:
            assert pm is not None
            session.delete(pm)
        elif pm is None:
            session.add(ProjectMember(project_id=grant.project_id, user_id=uid, role=new_role))
        else:
            pm.role = new_role
            session.add(pm)
        audit.record(session, org_id=grant.org_id, action=action, actor=principal,
                     project_id=grant.project_id, object_type="user", object_id=str(uid),
                     details={"from": old.value if old else None, "role": new_role.value if new_role else None})


def list_project_members(principal: Principal, project_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """Who has a role in the project, by email: explicit members (`source` "project") and the
    org owners/admins who manage it through their org role without one (`source` "organization").
    Anyone who may read the project may see this (org members see the org's member list anyway)."""
    with session_scope() as session:
        grant = authorize(principal, "project.read", project_id=project_id, session=session)
        org_roles = {uid: OrgRole(role) for uid, role in session.exec(select(
            OrganizationMember.user_id, OrganizationMember.role).where(OrganizationMember.org_id == grant.org_id)).all()}
        explicit = session.exec(
            select(ProjectMember, User).join(User, User.id == ProjectMember.user_id)  # type: ignore[arg-type]
            .where(ProjectMember.project_id == grant.project_id)
        ).all()
        rows = [{"user_id": str(u.id), "email": u.email, "display_name": u.display_name or "",
                 "role": ProjectRole(pm.role).value, "org_role": org_roles[u.id].value, "source": "project"}
                for pm, u in explicit if u.id in org_roles]  # a row of someone no longer in the org grants nothing
        listed = {pm.user_id for pm, _u in explicit}
        managers = [uid for uid, r in org_roles.items() if r in (OrgRole.owner, OrgRole.admin) and uid not in listed]
        if managers:
            for u in session.exec(select(User).where(col(User.id).in_(managers))).all():
                o_role = org_roles[u.id]
                rows.append({"user_id": str(u.id), "email": u.email, "display_name": u.display_name or "",
                             "role": (ProjectRole.owner if o_role == OrgRole.owner else ProjectRole.admin).value,
                             "org_role": o_role.value, "source": "organization"})
        return sorted(rows, key=lambda r: r["email"])


def project_member_candidates(principal: Principal, project_id: uuid.UUID | str) -> list[dict[str, Any]]:
    """Organization members without a project role yet (whom a manager can add)."""
    with session_scope() as session:
        grant = authorize(principal, "project.members.manage", project_id=project_id, session=session)
        in_project = select(ProjectMember.user_id).where(ProjectMember.project_id == grant.project_id)
        rows = session.exec(
            select(OrganizationMember, User).join(User, User.id == OrganizationMember.user_id)  # type: ignore[arg-type]
            .where(OrganizationMember.org_id == grant.org_id, col(OrganizationMember.user_id).not_in(in_project))
            .order_by(col(User.email))
        ).all()
        return [{"user_id": str(u.id), "email": u.email, "org_role": OrgRole(m.role).value} for m, u in rows]


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
        if existing is not None and not existing.is_verified:
            raise AccountError(UNVERIFIED.format(email=normalized))
        # One working link per person and org: a new invitation supersedes the pending ones.
        superseded = session.exec(select(Invitation).where(
            *_open_invitations(org_id), Invitation.email == normalized, Invitation.expires_at > utcnow())).all()
        invitation = Invitation(org_id=org_id, email=normalized, role=org_role, invited_by_user_id=principal.user_id,
                                expires_at=utcnow() + timedelta(seconds=INVITE_TTL_SECONDS))
        session.add(invitation)
        session.flush()
        for old in superseded:
            old.revoked_at = invitation.created_at
            session.add(old)
            audit.record(session, org_id=org_id, action="invite.revoke", actor=principal, object_type="invite",
                         object_id=str(old.id), details={"email": old.email, "role": OrgRole(old.role).value,
                                                         "superseded_by": str(invitation.id)})
        token = signing.sign("invite", {"inv": str(invitation.id), "org": str(org_id), "email": normalized,
                                        "role": org_role.value, "by": str(principal.user_id),
                                        "iat": int(time.time())}, INVITE_TTL_SECONDS)
        audit.record(session, org_id=org_id, action="member.invite", actor=principal, object_type="invite",
                     object_id=str(invitation.id), details={"email": normalized, "role": org_role.value})
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


def _open_invitations(org_id: uuid.UUID) -> tuple[Any, ...]:
    """WHERE clauses: the org's invitations neither accepted nor revoked (expired ones included)."""
    return (Invitation.org_id == org_id, col(Invitation.accepted_at).is_(None), col(Invitation.revoked_at).is_(None))


def list_invites(principal: Principal, org_id: uuid.UUID) -> list[dict[str, Any]]:
    """Pending invitations of the org (not accepted, not revoked, not expired), newest first."""
    with session_scope() as session:
        authorize(principal, "member.invite", org_id=org_id, session=session)
        rows = session.exec(
            select(Invitation, User.email).outerjoin(User, User.id == Invitation.invited_by_user_id)  # type: ignore[arg-type]
            .where(*_open_invitations(org_id), Invitation.expires_at > utcnow())
            .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
        ).all()
        return [{"id": str(inv.id), "email": inv.email, "role": OrgRole(inv.role).value, "invited_by": by or "",
                 "created_at": inv.created_at.isoformat(), "expires_at": inv.expires_at.isoformat()}
                for inv, by in rows]


def revoke_invite(principal: Principal, org_id: uuid.UUID, invite_id: uuid.UUID | str) -> None:
    """Revoke a pending invitation: its link stops working (audited as `invite.revoke`)."""
    with session_scope() as session:
        authorize(principal, "member.invite", org_id=org_id, session=session)
        iid = _as_uuid(invite_id)
        invitation = session.get(Invitation, iid) if iid is not None else None
        if invitation is None or invitation.org_id != org_id:
            raise PermissionDenied("invitation not found", status=404)
        if invitation.revoked_at is not None:
            raise AccountError("this invitation is already revoked")
        if invitation.accepted_at is not None:
            raise AccountError(f"{invitation.email} already accepted; remove the member instead")
        invitation.revoked_at = utcnow()
        session.add(invitation)
        audit.record(session, org_id=org_id, action="invite.revoke", actor=principal, object_type="invite",
                     object_id=str(invitation.id),
                     details={"email": invitation.email, "role": OrgRole(invitation.role).value})


def peek_invite(token: str) -> dict[str, Any]:
    """What the invite page shows: org name, email, role, whether the account exists."""
    with session_scope() as session:
        invitation, org = _check_invite(session, token)
        return {"org_name": org.name, "email": invitation.email, "role": OrgRole(invitation.role).value,
                "account_exists": get_user_by_email(session, invitation.email) is not None}


def _check_invite(session: Session, token: str) -> tuple[Invitation, Organization]:
    try:
        payload = signing.unsign("invite", token)
    except signing.Expired:
        raise AccountError("this invitation has expired; ask for a new one") from None
    except signing.BadSignature:
        raise AccountError("this invitation link is not valid") from None
    iid = _as_uuid(payload.get("inv"))
    invitation = session.get(Invitation, iid) if iid is not None else None
    org = session.get(Organization, _as_uuid(payload.get("org")))
    if invitation is None or org is None or invitation.org_id != org.id or org.deleted_at is not None:
        raise AccountError("this invitation is no longer valid")
    if invitation.revoked_at is not None:
        if _superseded(session, invitation):
            raise AccountError("this invitation was replaced by a newer one: use the link of the latest invitation")
        raise AccountError(f"this invitation was revoked by an admin of {org.name}; ask them for a new one")
    if invitation.accepted_at is not None:
        raise AccountError("this invitation is no longer valid: it was already used")
    if invitation.expires_at <= utcnow():
        raise AccountError("this invitation has expired; ask for a new one")
    user = get_user_by_email(session, invitation.email)
    if user is not None:
        removed = session.exec(select(AuditLog.created_at).where(
            AuditLog.org_id == org.id, AuditLog.action == "member.remove", AuditLog.object_id == str(user.id),
        ).order_by(col(AuditLog.created_at).desc())).first()
        if removed is not None and removed >= invitation.created_at:
            raise AccountError("this invitation is no longer valid")
    return invitation, org


def _superseded(session: Session, invitation: Invitation) -> bool:
    """Was this (revoked) invitation replaced by a newer one to the same person?"""
    details = session.exec(select(AuditLog.details).where(
        AuditLog.org_id == invitation.org_id, AuditLog.action == "invite.revoke",
        AuditLog.object_id == str(invitation.id))).first()
    return bool(isinstance(details, dict) and details.get("superseded_by"))


def accept_invite(token: str, *, principal: Principal | None = None, password: str | None = None,
                  display_name: str | None = None, ip: str | None = None) -> tuple[str, str]:
    """Join the org. A new email creates the account with `password`; an existing account must
    be the signed-in `principal`. Returns (email, org name)."""
    with session_scope() as session:
        invitation, org = _check_invite(session, token)
        email = invitation.email
        user = get_user_by_email(session, email)
        if user is None:
            if password is None:
                raise AccountError("choose a password to create your account")
            check_password(password, email)
            user = User(email=email, display_name=(display_name or "").strip()[:200] or email.split("@")[0],
                        password_hash=hash_password(password), email_verified_at=utcnow())  # the link proved it
            session.add(user)
            session.flush()
        elif principal is None or principal.user_id != user.id:
            raise AccountError(f"sign in as {email} to accept this invitation")
        elif not user.is_verified:
            raise AccountError(UNVERIFIED.format(email=email))
        already = session.exec(select(OrganizationMember).where(
            OrganizationMember.org_id == org.id, OrganizationMember.user_id == user.id)).first()
        if already is None:
            role = OrgRole(invitation.role)
            session.add(OrganizationMember(org_id=org.id, user_id=user.id, role=role))
            audit.record(session, org_id=org.id, action="member.join", actor=None, actor_label=email,
                         object_type="user", object_id=str(user.id),
                         details={"role": role.value, "invited_by": str(invitation.invited_by_user_id or "")}, ip=ip)
        # This link, and any other pending one for the same person, is used up.
        now = utcnow()
        for pending in session.exec(select(Invitation).where(
                *_open_invitations(org.id), Invitation.email == email)).all():
            pending.accepted_at = now
            session.add(pending)
        return email, org.name


def is_org_admin(principal: Principal | None, org_id: uuid.UUID | None) -> bool:
    return bool(principal and org_id and can(principal, "member.manage", org_id=org_id))
