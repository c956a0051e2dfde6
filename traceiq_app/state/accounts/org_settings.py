"""/settings/organization: the organization's security settings (two-factor requirement and the
link-local rule: owners; the target allowlist: owners and admins). Every handler authorizes
through the service (`org_security`), in the org the user works in."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.accounts import org_security
from traceiq_app.services.platform.permissions import PermissionDenied
from traceiq_app.state.accounts.auth import ProtectedState, toast_error

HOSTS_INPUT = "org-allowed-hosts"


class OrgSecurityState(ProtectedState):
    require_two_factor: bool = False
    allow_link_local: bool = False
    hosts_text: str = ""
    hosts_error: str = ""
    rule_error: str = ""
    can_edit_hosts: bool = False
    can_edit_rules: bool = False
    loaded: bool = False

    def _show(self, found: org_security.OrgSecurity) -> None:
        self.require_two_factor, self.allow_link_local = found.require_two_factor, found.allow_link_local
        self.hosts_text = "\n".join(found.allowed_hosts)
        self.can_edit_hosts, self.can_edit_rules, self.loaded = found.can_edit_hosts, found.can_edit_rules, True

    @rx.event
    def load(self) -> Any:
        try:
            principal = self._principal_or_raise()
            self._show(org_security.get_org_security(principal, self._current_org_id(principal)))
        except PermissionDenied as exc:
            self.loaded = False
            return toast_error(exc)
        self.hosts_error = self.rule_error = ""
        return None

    @rx.event
    def save_hosts(self, form_data: dict[str, Any]) -> Any:
        try:
            principal = self._principal_or_raise()
            found = org_security.update_org_security(principal, self._current_org_id(principal),
                                                     allowed_hosts=str(form_data.get("allowed_hosts", ""))[:60000])
        except org_security.FieldError as exc:
            self.hosts_error = exc.message  # the text area keeps what was typed
            return None
        except PermissionDenied as exc:
            return toast_error(exc)
        self._show(found)
        self.hosts_error = ""
        return [rx.set_value(HOSTS_INPUT, self.hosts_text), rx.toast.success("Allowed hosts saved.")]

    def _set_rule(self, **change: bool) -> Any:
        try:
            principal = self._principal_or_raise()
            found = org_security.update_org_security(principal, self._current_org_id(principal), **change)
        except org_security.FieldError as exc:
            self.rule_error = exc.message
            return rx.toast.error(exc.message)
        except PermissionDenied as exc:
            return toast_error(exc)
        self._show(found)
        self.rule_error = ""
        return rx.toast.success("Saved.")

    @rx.event
    def set_require_two_factor(self, value: bool) -> Any:
        return self._set_rule(require_two_factor=bool(value))

    @rx.event
    def set_allow_link_local(self, value: bool) -> Any:
        return self._set_rule(allow_link_local=bool(value))
