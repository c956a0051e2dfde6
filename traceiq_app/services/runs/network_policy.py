"""What a project's tests may reach, as the engine's `RunOptions` network fields
(`allowed_hosts`, `allow_link_local`, `deny_private`; enforced in engine/netpolicy.py):

- hosts: the organization's list plus the project's (either may be empty; both empty = any host);
- link-local / cloud-metadata addresses: denied unless the org's owner lifted the rule;
- private and loopback ranges: denied when the admin set `TRACEIQ_TEST_DENY_PRIVATE`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlmodel import Session

from traceiq_app.db import session_scope
from traceiq_app.models import Organization, Project
from traceiq_app.services.platform.allowlist import AllowlistError, normalize_allowed_hosts
from traceiq_app.settings import get_settings


@dataclass(frozen=True)
class NetworkPolicy:
    allowed_hosts: list[str] | None  # None: any host
    allow_link_local: bool
    deny_private: bool


def combine_hosts(org_hosts: list[str] | None, project_hosts: list[str] | None) -> list[str] | None:
    entries = [*(org_hosts or []), *(project_hosts or [])]
    try:
        combined = normalize_allowed_hosts(entries)
    except AllowlistError:  # stored before validation existed: keep the valid entries
        combined = []
        for entry in entries:
            try:
                combined.extend(e for e in normalize_allowed_hosts([entry]) if e not in combined)
            except AllowlistError:
                continue
        if not combined:  # nothing valid left of a non-empty list: allow nothing rather than anything
            return ["invalid.allowlist.invalid"]
    return combined or None


def network_policy_for(project: Project | uuid.UUID, session: Session | None = None) -> NetworkPolicy:
    """The network rules for runs of `project` (a row, or its id)."""
    if session is None:
        with session_scope() as own:
            return network_policy_for(project, own)
    row = project if isinstance(project, Project) else session.get(Project, project)
    if row is None:
        raise LookupError(f"project {project} not found")
    org = session.get(Organization, row.org_id)
    return NetworkPolicy(
        allowed_hosts=combine_hosts(org.allowed_hosts if org else None, row.allowed_hosts),
        allow_link_local=bool(org and org.allow_link_local),
        deny_private=get_settings().test_deny_private,
    )
