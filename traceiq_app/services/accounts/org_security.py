"""An organization's security settings (docs/security.md): whether members must use two-factor
sign-in and whether tests may reach link-local / cloud-metadata addresses (owners only), and the
org's target allowlist, added to every project's own list (owners and admins). Every change is
audited (`org.security_update`, `org.allowlist_update`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from traceiq_app.db import session_scope
from traceiq_app.models import Organization, User
from traceiq_app.services.accounts.users import AccountError
from traceiq_app.services.platform import audit
from traceiq_app.services.platform.allowlist import AllowlistError, parse_entries
from traceiq_app.services.platform.permissions import PermissionDenied, Principal, authorize, can


class FieldError(AccountError):
    """Bad input for one field: `field` names it, the message says what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class OrgSecurity:
    org_id: uuid.UUID
    require_two_factor: bool
    allowed_hosts: list[str]
    allow_link_local: bool
    can_edit_hosts: bool  # org admins and owners
    can_edit_rules: bool  # owners: require_two_factor, allow_link_local

    def to_dict(self) -> dict[str, Any]:
        return {"org_id": str(self.org_id), "require_two_factor": self.require_two_factor,
                "allowed_hosts": list(self.allowed_hosts), "allow_link_local": self.allow_link_local,
                "can_edit_hosts": self.can_edit_hosts, "can_edit_rules": self.can_edit_rules}


def get_org_security(principal: Principal, org_id: uuid.UUID | str) -> OrgSecurity:
    grant = authorize(principal, "org.read", org_id=org_id)
    with session_scope() as session:
        org = session.get(Organization, grant.org_id)
        if org is None or org.deleted_at is not None:
            raise PermissionDenied("organization not found", status=404)
        return OrgSecurity(org.id, org.require_two_factor, list(org.allowed_hosts or []), org.allow_link_local,
                           can(principal, "org.network.update", org_id=org.id),
                           can(principal, "org.update", org_id=org.id))


def parse_hosts(value: Any) -> list[str]:
    """A list, or text with one entry per line / separated by commas -> normalized entries."""
    try:
        return parse_entries(value)
    except AllowlistError as exc:
        raise FieldError("allowed_hosts", str(exc)) from None


def update_org_security(principal: Principal, org_id: uuid.UUID | str, *, require_two_factor: bool | None = None,
                        allowed_hosts: Any = None, allow_link_local: bool | None = None) -> OrgSecurity:
    """Change the given settings (None: leave as is). Validates everything before changing anything."""
    hosts = parse_hosts(allowed_hosts) if allowed_hosts is not None else None
    with session_scope() as session:
        if hosts is not None:
            grant = authorize(principal, "org.network.update", org_id=org_id, session=session)
        if require_two_factor is not None or allow_link_local is not None:
            grant = authorize(principal, "org.update", org_id=org_id, session=session)
        if hosts is None and require_two_factor is None and allow_link_local is None:
            grant = authorize(principal, "org.read", org_id=org_id, session=session)
        org = session.get(Organization, grant.org_id)
        if org is None or org.deleted_at is not None:
            raise PermissionDenied("organization not found", status=404)
        if require_two_factor and not org.require_two_factor:
            me = session.get(User, principal.user_id)
            if me is not None and me.password_hash is not None and not me.two_factor_enabled:
                raise FieldError("require_two_factor", "turn on two-factor sign-in for your own account first "
                                 "(Security, in your user menu), so that you are not locked out")
        changes: dict[str, Any] = {}
        if require_two_factor is not None and bool(require_two_factor) != org.require_two_factor:
            org.require_two_factor = changes["require_two_factor"] = bool(require_two_factor)
        if allow_link_local is not None and bool(allow_link_local) != org.allow_link_local:
            org.allow_link_local = changes["allow_link_local"] = bool(allow_link_local)
        if changes:
            from traceiq_app.services.accounts.two_factor import forget_cached_answers

            forget_cached_answers()
            audit.record(session, org_id=org.id, action="org.security_update", actor=principal,
                         object_type="organization", object_id=str(org.id), details=changes)
        if hosts is not None and hosts != list(org.allowed_hosts or []):
            audit.record(session, org_id=org.id, action="org.allowlist_update", actor=principal,
                         object_type="organization", object_id=str(org.id),
                         details={"before": list(org.allowed_hosts or []), "after": hosts})
            org.allowed_hosts = hosts
        session.add(org)
    return get_org_security(principal, org_id)
