"""`{project}` in /api/v1 paths: a project's id or its slug, resolved for one principal.

A slug is unique among the live projects of an organization, so it is looked up in the orgs the
principal belongs to (for an API token: its org). Unknown, foreign or ambiguous references are
"not found" (None): callers answer 404 and still `authorize` the id they get.
"""

from __future__ import annotations

import uuid

from sqlmodel import col, select

from traceiq_app.db import session_scope
from traceiq_app.models import OrganizationMember, Project
from traceiq_app.services.platform.permissions import Principal


def resolve_project(principal: Principal, ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        pass
    with session_scope() as session:
        orgs = select(OrganizationMember.org_id).where(OrganizationMember.user_id == principal.user_id)
        stmt = select(Project.id).where(Project.slug == ref, col(Project.deleted_at).is_(None),
                                        col(Project.org_id).in_(orgs))
        if principal.is_token:
            stmt = stmt.where(Project.org_id == principal.token_org_id)
        ids = list(session.exec(stmt).all())
    if principal.is_token and principal.token_project_id is not None and principal.token_project_id in ids:
        return principal.token_project_id
    return ids[0] if len(ids) == 1 else None
