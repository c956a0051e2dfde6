"""/projects/<id>/settings: the project's Network section (its target allowlist, with the
organization's list and rules shown read-only). Reading needs `project.read`, saving
`project.update`, both through `guard.require`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import allowlists, projects
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.settings import get_settings
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

HOSTS_INPUT = "project-allowed-hosts"


class ProjectSettingsState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    hosts_text: str = ""
    org_hosts: str = ""
    allow_link_local: bool = False
    deny_private: bool = False
    hosts_error: str = ""
    can_write: bool = False
    error: str = ""

    def _show(self, found: allowlists.ProjectNetwork) -> None:
        self.hosts_text = "\n".join(found.allowed_hosts)
        self.org_hosts = ", ".join(found.org_allowed_hosts)
        self.allow_link_local = found.allow_link_local
        self.deny_private = get_settings().test_deny_private

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error = self.hosts_error = ""
        try:
            principal, pid = guard.require(self, "project.read", self.pid)
            self.project_name = projects.get_project(pid).name
            self.can_write = guard.can(principal, "project.update", pid)
            self._show(allowlists.project_network(pid))
        except guard.DENIED as exc:
            self.error, self.project_name, self.hosts_text = guard.error_message(exc), "", ""

    @rx.event
    def save_hosts(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "project.update", self.pid)
            found = allowlists.set_allowed_hosts(principal, pid, str(form_data.get("allowed_hosts", ""))[:60000])
        except Invalid as exc:
            self.hosts_error = exc.message.removeprefix("allowed_hosts: ")  # the text area keeps what was typed
            return None
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self._show(found)
        self.hosts_error = ""
        return [rx.set_value(HOSTS_INPUT, self.hosts_text), rx.toast.success("Allowed hosts saved.")]
