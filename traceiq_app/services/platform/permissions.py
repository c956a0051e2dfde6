"""THE permission table, and `authorize()`: the one check every route and event handler calls.

Two kinds of actions:

* project actions (`PROJECT_ACTIONS`) need a project id; the caller's effective project role is
  the highest of their project membership and their org role (org owner -> project owner,
  org admin -> project admin on every project of the org).
* org actions (`ORG_ACTIONS`) need an org id and an org role.

An API token acts with at most its user's rights, narrowed by its scopes (`read`, `run`,
`write`, `admin`; `admin` covers all, every scope covers `read`), its org, and its project
when it is limited to one (org actions are then refused).

`None` as the minimum role means NOBODY may do it (e.g. `env.read_secrets`: secret values never
leave the server once saved).

Usage:

    grant = authorize(principal, "run.start", project_id=pid)   # raises PermissionDenied
    if can(principal, "env.write", project_id=pid): ...

Roles are read from the database on every call, so a role change applies at once.
"""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field

from sqlmodel import Session, select

from traceiq_app.db import session_scope
from traceiq_app.models import OrganizationMember, OrgRole, Project, ProjectMember, ProjectRole

# --- the table ---------------------------------------------------------------------------------

SCOPES = ("read", "run", "write", "admin")

# action -> (minimum project role or None = never, token scope needed)
PROJECT_ACTIONS: dict[str, tuple[ProjectRole | None, str]] = {
    "project.read": (ProjectRole.viewer, "read"),
    "project.update": (ProjectRole.admin, "write"),
    "project.delete": (ProjectRole.owner, "admin"),
    "project.members.manage": (ProjectRole.admin, "admin"),
    "test.read": (ProjectRole.viewer, "read"),
    "test.write": (ProjectRole.editor, "write"),
    "suite.write": (ProjectRole.editor, "write"),
    "run.read": (ProjectRole.viewer, "read"),
    "run.start": (ProjectRole.editor, "run"),
    "run.cancel": (ProjectRole.editor, "run"),
    "artifact.read": (ProjectRole.viewer, "read"),
    "env.read": (ProjectRole.viewer, "read"),
    "env.write": (ProjectRole.admin, "write"),
    "env.read_secrets": (None, "admin"),
    "schedule.read": (ProjectRole.viewer, "read"),
    "schedule.write": (ProjectRole.editor, "write"),
    "analytics.read": (ProjectRole.viewer, "read"),  # dashboard, health, clusters, comparison, reports
    "quarantine.write": (ProjectRole.editor, "write"),
    "analytics.settings": (ProjectRole.admin, "write"),  # flakiness thresholds, automatic quarantine
    "notification.read": (ProjectRole.viewer, "read"),
    "notification.write": (ProjectRole.admin, "write"),  # channels hold URLs and secrets
    "manual_run.read": (ProjectRole.viewer, "read"),  # manual runs, their results and attachments
    "manual_run.write": (ProjectRole.editor, "write"),  # start a manual run, record step results
    "defect.read": (ProjectRole.viewer, "read"),
    "defect.write": (ProjectRole.editor, "write"),  # raise, edit, move, comment, attach
    "custom_field.write": (ProjectRole.admin, "write"),  # custom field definitions
}

# action -> (minimum org role or None = never, token scope needed)
ORG_ACTIONS: dict[str, tuple[OrgRole | None, str]] = {
    "org.read": (OrgRole.member, "read"),
    "org.update": (OrgRole.owner, "admin"),
    "org.network.update": (OrgRole.admin, "admin"),  # the org's target allowlist
    "project.create": (OrgRole.admin, "write"),
    "member.read": (OrgRole.member, "read"),
    "member.invite": (OrgRole.admin, "admin"),
    "member.manage": (OrgRole.admin, "admin"),
    "member.manage_owners": (OrgRole.owner, "admin"),
    "token.manage": (OrgRole.member, "admin"),  # one's own tokens
    "token.manage_all": (OrgRole.admin, "admin"),  # everybody's tokens in the org
    "audit.read": (OrgRole.admin, "admin"),
    "system.read": (OrgRole.admin, "admin"),  # the System page / GET /api/v1/system
    "retention.write": (OrgRole.admin, "admin"),  # retention rules on the System page
}

ALL_ACTIONS = frozenset(PROJECT_ACTIONS) | frozenset(ORG_ACTIONS)

PROJECT_RANK = {ProjectRole.viewer: 1, ProjectRole.editor: 2, ProjectRole.admin: 3, ProjectRole.owner: 4}
ORG_RANK = {OrgRole.member: 1, OrgRole.admin: 2, OrgRole.owner: 3}
_ORG_TO_PROJECT = {OrgRole.owner: ProjectRole.owner, OrgRole.admin: ProjectRole.admin}

# Tokens can never manage tokens, members (of the org or of a project) or invitations, whatever
# their scopes: a leaked token must not be able to mint more tokens or grant itself rights.
TOKEN_FORBIDDEN = frozenset({"token.manage", "token.manage_all", "member.manage", "member.manage_owners",
                             "member.invite", "project.members.manage", "org.update"})


# --- principals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user (web session) or an API token acting for its user."""

    user_id: uuid.UUID
    email: str
    session_id: uuid.UUID | None = None
    token_id: uuid.UUID | None = None
    token_prefix: str | None = None
    scopes: frozenset[str] | None = None  # None: not a token (full user rights)
    token_org_id: uuid.UUID | None = None
    token_project_id: uuid.UUID | None = None
    ip: str | None = field(default=None, compare=False)

    @property
    def is_token(self) -> bool:
        return self.token_id is not None

    @property
    def label(self) -> str:
        return f"{self.email} (token {self.token_prefix})" if self.is_token else self.email


class PermissionDenied(Exception):
    """Raised by `authorize`. `status` is what an HTTP route should answer (401/403/404)."""

    def __init__(self, message: str = "you do not have permission to do this", status: int = 403) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Grant:
    action: str
    org_id: uuid.UUID
    project_id: uuid.UUID | None
    project_role: ProjectRole | None
    org_role: OrgRole | None


# --- checks ------------------------------------------------------------------------------------


def _scope_ok(principal: Principal, scope: str) -> bool:
    if principal.scopes is None:
        return True
    return "admin" in principal.scopes or scope in principal.scopes or (scope == "read" and bool(principal.scopes))


def org_role(session: Session, user_id: uuid.UUID, org_id: uuid.UUID) -> OrgRole | None:
    role = session.exec(
        select(OrganizationMember.role).where(
            OrganizationMember.org_id == org_id, OrganizationMember.user_id == user_id
        )
    ).first()
    return OrgRole(role) if role is not None else None


def project_role(session: Session, user_id: uuid.UUID, project: Project) -> tuple[ProjectRole | None, OrgRole | None]:
    """The effective project role (membership or org role, whichever is higher) and the org role."""
    o_role = org_role(session, user_id, project.org_id)
    member = session.exec(
        select(ProjectMember.role).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user_id)
    ).first()
    # A project membership counts only while the user is still in the project's org.
    p_role = ProjectRole(member) if member is not None and o_role is not None else None
    from_org = _ORG_TO_PROJECT.get(o_role) if o_role else None
    candidates = [r for r in (p_role, from_org) if r is not None]
    return (max(candidates, key=lambda r: PROJECT_RANK[r]) if candidates else None), o_role


def authorize(
    principal: Principal | None,
    action: str,
    *,
    project_id: uuid.UUID | str | None = None,
    org_id: uuid.UUID | str | None = None,
    session: Session | None = None,
) -> Grant:
    """Allow `principal` to do `action` on the project/org, or raise PermissionDenied.

    Unknown actions raise KeyError (a typo must not silently allow or deny)."""
    if action not in ALL_ACTIONS:
        raise KeyError(f"unknown action {action!r}: add it to traceiq_app/services/platform/permissions.py")
    if principal is None:
        raise PermissionDenied("sign in first", status=401)
    if session is None:
        with session_scope() as own:
            return authorize(principal, action, project_id=project_id, org_id=org_id, session=own)
    if principal.is_token and action in TOKEN_FORBIDDEN:
        raise PermissionDenied("API tokens cannot do this; sign in to the web app", status=403)

    if action in PROJECT_ACTIONS:
        min_role, scope = PROJECT_ACTIONS[action]
        pid = _as_uuid(project_id)
        if pid is None:
            raise PermissionDenied("project not found", status=404)
        project = session.get(Project, pid)
        if project is None or project.deleted_at is not None:
            raise PermissionDenied("project not found", status=404)
        if org_id is not None and _as_uuid(org_id) != project.org_id:
            raise PermissionDenied("project not found", status=404)
        role, o_role = project_role(session, principal.user_id, project)
        if role is None:
            raise PermissionDenied("project not found", status=404)  # don't reveal it exists
        if principal.is_token:
            if principal.token_org_id != project.org_id or (
                principal.token_project_id is not None and principal.token_project_id != project.id
            ):
                raise PermissionDenied("this token is not valid for this project", status=403)
            if not _scope_ok(principal, scope):
                raise PermissionDenied(f"this token lacks the '{scope}' scope", status=403)
        if min_role is None:
            raise PermissionDenied(f"nobody may do '{action}'", status=403)
        if PROJECT_RANK[role] < PROJECT_RANK[min_role]:
            raise PermissionDenied(f"'{action}' needs the {min_role.value} role on this project (you are {role.value})")
        return Grant(action, project.org_id, project.id, role, o_role)

    min_org_role, scope = ORG_ACTIONS[action]
    oid = _as_uuid(org_id)
    if oid is None:
        raise PermissionDenied("organization not found", status=404)
    o_role = org_role(session, principal.user_id, oid)
    if o_role is None:
        raise PermissionDenied("organization not found", status=404)
    if principal.is_token:
        if principal.token_org_id != oid or principal.token_project_id is not None:
            raise PermissionDenied("this token is not valid for this organization", status=403)
        if not _scope_ok(principal, scope):
            raise PermissionDenied(f"this token lacks the '{scope}' scope", status=403)
    if min_org_role is None:
        raise PermissionDenied(f"nobody may do '{action}'", status=403)
    if ORG_RANK[o_role] < ORG_RANK[min_org_role]:
        raise PermissionDenied(f"'{action}' needs the {min_org_role.value} role in this organization")
    return Grant(action, oid, None, None, o_role)


# True while `can()` probes: a PermissionDenied raised then is an answer, not a refusal
# (the permission-matrix test tells them apart).
probing: contextvars.ContextVar[bool] = contextvars.ContextVar("traceiq_permission_probing", default=False)


def can(principal: Principal | None, action: str, **kwargs: object) -> bool:
    """Would `authorize` allow it? (For showing/hiding UI; still authorize the action itself.)"""
    token = probing.set(True)
    try:
        authorize(principal, action, **kwargs)  # type: ignore[arg-type]
    except PermissionDenied:
        return False
    finally:
        probing.reset(token)
    return True


def readable_project_ids(session: Session, principal: Principal, org_id: uuid.UUID) -> list[uuid.UUID]:
    """Projects of `org_id` the principal may read (for lists; still authorize each access)."""
    if principal.is_token and principal.token_org_id != org_id:
        return []
    o_role = org_role(session, principal.user_id, org_id)
    if o_role is None:
        return []
    stmt = select(Project.id).where(Project.org_id == org_id, Project.deleted_at.is_(None))  # type: ignore[union-attr]
    if o_role not in _ORG_TO_PROJECT:
        member_of = select(ProjectMember.project_id).where(ProjectMember.user_id == principal.user_id)
        stmt = stmt.where(Project.id.in_(member_of))  # type: ignore[attr-defined]
    ids = list(session.exec(stmt).all())
    if principal.is_token and principal.token_project_id is not None:
        ids = [i for i in ids if i == principal.token_project_id]
    return ids


def _as_uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
