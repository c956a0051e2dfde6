"""Projects: create (with a unique slug), list a user's projects, rename, soft delete.

Callers (states, API routes) authorize FIRST (`permissions.authorize`); these functions then
scope every lookup by id so that a row of another project/org is "not found", never touched.
`NotFound` and `Invalid` are shared by the catalog services (suites, test cases, environments,
imports): their messages are meant for the person who clicked.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from traceiq_app.db import session_scope
from traceiq_app.models import (
    Organization,
    Project,
    ProjectCreate,
    ProjectMember,
    ProjectRole,
    Suite,
    TestCase,
    utcnow,
)
from traceiq_app.models.project import SLUG_PATTERN
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.permissions import Principal, readable_project_ids

__all__ = [
    "Invalid",
    "NotFound",
    "ProjectSummary",
    "create_project",
    "delete_project",
    "get_project",
    "list_projects",
    "rename_project",
    "slugify",
]


class NotFound(LookupError):
    """The object does not exist in this project (or was deleted). Never says which."""

    def __init__(self, what: str = "object") -> None:
        super().__init__(f"{what} not found")
        self.message = f"{what} not found"


class Invalid(ValueError):
    """The request is invalid; `problems` lists every problem, each readable on its own."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("; ".join(self.problems))
        self.message = "; ".join(self.problems)


def pydantic_problems(exc: ValidationError) -> list[str]:
    """"field: problem" phrased for people (services/platform/human_errors.py)."""
    from traceiq_app.services.platform.human_errors import human_problems

    return human_problems(exc)


@dataclass(frozen=True)
class ProjectSummary:
    id: uuid.UUID
    org_id: uuid.UUID
    org_name: str
    name: str
    slug: str
    description: str | None
    suites: int
    tests: int


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100].strip("-")
    return slug or "project"


def _slug_taken(session: Session, org_id: uuid.UUID, slug: str, except_id: uuid.UUID | None = None) -> bool:
    stmt = select(Project.id).where(
        Project.org_id == org_id, Project.slug == slug, col(Project.deleted_at).is_(None)
    )
    found = session.exec(stmt).first()
    return found is not None and found != except_id


def _unique_slug(session: Session, org_id: uuid.UUID, base: str) -> str:
    base = base[:90].strip("-") or "project"
    slug, n = base, 2
    while _slug_taken(session, org_id, slug):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _live_project(session: Session, project_id: uuid.UUID | str) -> Project:
    try:
        pid = project_id if isinstance(project_id, uuid.UUID) else uuid.UUID(str(project_id))
    except ValueError:
        raise NotFound("project") from None
    project = session.get(Project, pid)
    if project is None or project.deleted_at is not None:
        raise NotFound("project")
    return project


def create_project(
    actor: Principal | None,
    org_id: uuid.UUID,
    name: str,
    *,
    slug: str | None = None,
    description: str | None = None,
) -> Project:
    """A new project in `org_id`; the actor becomes its owner. Without `slug` one is derived
    from the name (made unique with -2, -3...); an explicit slug that is taken is an error."""
    name = (name or "").strip()
    explicit = (slug or "").strip().lower()
    with session_scope() as session:
        if session.get(Organization, org_id) is None:
            raise NotFound("organization")
        if explicit:
            if not re.match(SLUG_PATTERN, explicit):
                raise Invalid("slug: use lowercase letters, digits and dashes (not at either end)")
            if _slug_taken(session, org_id, explicit):
                raise Invalid(f"slug: '{explicit}' is already used by another project")
            final_slug = explicit
        else:
            final_slug = _unique_slug(session, org_id, slugify(name))
        try:
            data = ProjectCreate.model_validate(
                {"name": name, "slug": final_slug, "description": (description or "").strip() or None}
            )
        except ValidationError as exc:
            raise Invalid(pydantic_problems(exc)) from None
        project = Project(
            org_id=org_id, name=data.name, slug=data.slug, description=data.description,
            settings=data.settings.to_json(),
        )
        session.add(project)
        session.flush()
        if actor is not None:
            session.add(ProjectMember(project_id=project.id, user_id=actor.user_id, role=ProjectRole.owner))
        audit.record(session, org_id=org_id, project_id=project.id, action="project.create", actor=actor,
                     object_type="project", object_id=str(project.id), details={"slug": project.slug})
        return project


def get_project(project_id: uuid.UUID | str) -> Project:
    with session_scope() as session:
        return _live_project(session, project_id)


def list_projects(principal: Principal) -> list[ProjectSummary]:
    """Every live project the principal may read, across their organizations, by org then name."""
    from traceiq_app.services.accounts.users import memberships

    with session_scope() as session:
        summaries: list[ProjectSummary] = []
        for membership in memberships(session, principal.user_id):
            ids = readable_project_ids(session, principal, membership.org_id)
            if not ids:
                continue
            projects = session.exec(
                select(Project).where(col(Project.id).in_(ids)).order_by(col(Project.name))
            ).all()
            for project in projects:
                suites = len(session.exec(select(Suite.id).where(
                    Suite.project_id == project.id, col(Suite.deleted_at).is_(None))).all())
                tests = len(session.exec(select(TestCase.id).where(
                    TestCase.project_id == project.id, col(TestCase.deleted_at).is_(None))).all())
                summaries.append(ProjectSummary(
                    project.id, project.org_id, membership.org_name, project.name, project.slug,
                    project.description, suites, tests,
                ))
        return summaries


def rename_project(actor: Principal | None, project_id: uuid.UUID, name: str,
                   *, slug: str | None = None) -> Project:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid("name: between 1 and 200 characters")
    with session_scope() as session:
        project = _live_project(session, project_id)
        old = project.name
        project.name = name
        if slug is not None and slug.strip().lower() != project.slug:
            new_slug = slug.strip().lower()
            if not re.match(SLUG_PATTERN, new_slug):
                raise Invalid("slug: use lowercase letters, digits and dashes (not at either end)")
            if _slug_taken(session, project.org_id, new_slug, except_id=project.id):
                raise Invalid(f"slug: '{new_slug}' is already used by another project")
            project.slug = new_slug
        session.add(project)
        audit.record(session, org_id=project.org_id, project_id=project.id, action="project.rename", actor=actor,
                     object_type="project", object_id=str(project.id), details={"from": old, "to": name})
        return project


def delete_project(actor: Principal | None, project_id: uuid.UUID) -> None:
    """Soft delete: the project disappears from lists and every check; its slug is free again."""
    with session_scope() as session:
        project = _live_project(session, project_id)
        project.deleted_at = utcnow()
        session.add(project)
        audit.record(session, org_id=project.org_id, project_id=project.id, action="project.delete", actor=actor,
                     object_type="project", object_id=str(project.id), details={"slug": project.slug})


def update_project_settings(actor: Principal | None, project_id: uuid.UUID, settings: dict[str, Any]) -> Project:
    """Replace the project's execution settings (validated against `ExecutionSettings`)."""
    from traceiq_app.models import ExecutionSettings

    try:
        parsed = ExecutionSettings.model_validate(settings)
    except ValidationError as exc:
        raise Invalid(pydantic_problems(exc)) from None
    with session_scope() as session:
        project = _live_project(session, project_id)
        project.settings = parsed.to_json()
        session.add(project)
        audit.record(session, org_id=project.org_id, project_id=project.id, action="project.settings",
                     actor=actor, object_type="project", object_id=str(project.id))
        return project


def creatable_orgs(principal: Principal) -> list[tuple[uuid.UUID, str]]:
    """Organizations where the principal may create projects: (id, name). For showing the form
    only (creating still authorizes); computed from the permission table without raising."""
    from traceiq_app.services.accounts.users import memberships
    from traceiq_app.services.platform.permissions import ORG_ACTIONS, ORG_RANK

    min_role = ORG_ACTIONS["project.create"][0]
    if min_role is None or principal.is_token:
        return []
    with session_scope() as session:
        found = memberships(session, principal.user_id)
    return [(m.org_id, m.org_name) for m in found if ORG_RANK[m.role] >= ORG_RANK[min_role]]


def role_allows(principal: Principal, action: str, project_id: uuid.UUID) -> bool:
    """Would `authorize` allow this project action? For showing/hiding buttons only (handlers
    still authorize); computed from the permission table without raising."""
    from traceiq_app.services.platform.permissions import PROJECT_ACTIONS, PROJECT_RANK, project_role

    min_role = PROJECT_ACTIONS[action][0]
    if min_role is None or principal.is_token:
        return False
    with session_scope() as session:
        project = session.get(Project, project_id)
        if project is None or project.deleted_at is not None:
            return False
        role, _org_role = project_role(session, principal.user_id, project)
    return role is not None and PROJECT_RANK[role] >= PROJECT_RANK[min_role]
