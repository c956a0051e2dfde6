"""A project's target allowlist (which hosts its tests may reach), edited on the project's
settings page and through `PUT /api/projects/{id}/allowed-hosts`. Callers authorize
`project.read` / `project.update` first and pass the authorized id (like the other catalog
services). The organization's own list and deny rules are shown alongside: a run may reach the
hosts of both lists (see services/runs/network_policy.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from traceiq_app.db import session_scope
from traceiq_app.models import Organization
from traceiq_app.services.catalog.projects import Invalid, _live_project
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.allowlist import AllowlistError, parse_entries
from traceiq_app.services.platform.permissions import Principal


@dataclass(frozen=True)
class ProjectNetwork:
    project_id: uuid.UUID
    allowed_hosts: list[str]
    org_allowed_hosts: list[str]
    allow_link_local: bool  # the org's rule

    def to_dict(self) -> dict[str, Any]:
        return {"project_id": str(self.project_id), "allowed_hosts": list(self.allowed_hosts),
                "org_allowed_hosts": list(self.org_allowed_hosts), "allow_link_local": self.allow_link_local}


def parse_hosts(value: Any) -> list[str]:
    """A list, or text with one entry per line / separated by commas -> normalized entries
    (Invalid naming the field otherwise)."""
    try:
        return parse_entries(value)
    except AllowlistError as exc:
        raise Invalid(f"allowed_hosts: {exc}") from None


def project_network(project_id: uuid.UUID) -> ProjectNetwork:
    with session_scope() as session:
        project = _live_project(session, project_id)
        org = session.get(Organization, project.org_id)
        return ProjectNetwork(project.id, list(project.allowed_hosts or []),
                              list(org.allowed_hosts or []) if org else [], bool(org and org.allow_link_local))


def set_allowed_hosts(actor: Principal | None, project_id: uuid.UUID, entries: Any) -> ProjectNetwork:
    """Replace the project's list (validated first; audited as `project.allowlist_update`)."""
    hosts = parse_hosts(entries)
    with session_scope() as session:
        project = _live_project(session, project_id)
        before = list(project.allowed_hosts or [])
        if hosts != before:
            project.allowed_hosts = hosts
            session.add(project)
            audit.record(session, org_id=project.org_id, project_id=project.id, action="project.allowlist_update",
                         actor=actor, object_type="project", object_id=str(project.id),
                         details={"before": before, "after": hosts})
    return project_network(project_id)
