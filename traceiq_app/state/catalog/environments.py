"""Environments page: base URL, variables and write-only secrets of a project's environments.

Secret values go from the form straight to the service (encrypted there) and are never put
back into any state var: the page only ever knows secret NAMES.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import environments, projects
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """`NAME=value` lines -> dict (blank lines and # comments skipped)."""
    out: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise Invalid(f"{what}, line {number}: write NAME=value")
        out[name.strip()] = value.strip()
    return out


class EnvironmentsState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    envs: rx.Field[list[dict[str, str]]] = rx.field([])
    can_write: bool = False
    loaded: bool = False
    error: str = ""
    # The last refused form ("new" or an environment id), its message and the field it is about:
    # the page shows it under that form and marks the field; the inputs keep what was typed.
    form_env: str = ""
    form_error: str = ""
    form_field: str = ""

    def _reload(self) -> None:
        principal, pid = guard.require(self, "env.read", self.pid)
        self.project_name = projects.get_project(pid).name
        self.can_write = guard.can(principal, "env.write", pid)
        self.envs = [
            {"id": str(e.id), "name": e.name, "base_url": e.base_url or "",
             "variables": "\n".join(f"{k}={v}" for k, v in sorted(e.variables.items())),
             "secret_names": ", ".join(e.secret_names) or "none"}
            for e in environments.list_environments(pid)
        ]
        self.loaded = True

    def _write(self, change: Any, success: str, form: str = "") -> Any:
        try:
            principal, pid = guard.require(self, "env.write", self.pid)
            change(principal, pid)
            self._reload()
        except guard.DENIED as exc:
            message = guard.error_message(exc)
            if form:
                self.form_env, self.form_error = form, message
                self.form_field = guard.problem_field(message, ("name", "base_url", "variables", "secrets"))
            return rx.toast.error(message)
        if form:
            self.form_env = self.form_error = self.form_field = ""
        return rx.toast.success(success)

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error = ""
        try:
            self._reload()
        except guard.DENIED as exc:
            self.error, self.envs, self.loaded = guard.error_message(exc), [], True

    @rx.event
    def create_environment(self, form_data: dict[str, Any]) -> Any:
        name = str(form_data.get("name") or "")

        def change(principal: Any, pid: Any) -> None:
            environments.create_environment(
                principal, pid, name, base_url=str(form_data.get("base_url") or "") or None,
                variables=parse_pairs(str(form_data.get("variables") or ""), "variables"),
                secrets=parse_pairs(str(form_data.get("secrets") or ""), "secrets"))

        done = self._write(change, f"Environment '{name.strip()}' created", form="new")
        if self.form_env == "new":
            return done  # refused: the form keeps what was typed
        return [done, *[rx.set_value(f"new-env-{field}", "") for field in ("name", "base_url", "variables", "secrets")]]

    @rx.event
    def update_environment(self, form_data: dict[str, Any]) -> Any:
        env_id = str(form_data.get("env_id") or "")

        def change(principal: Any, pid: Any) -> None:
            environments.update_environment(
                principal, pid, env_id, base_url=str(form_data.get("base_url") or "") or None,
                variables=parse_pairs(str(form_data.get("variables") or ""), "variables"))

        return self._write(change, "Environment saved", form=env_id)

    @rx.event
    def set_secret(self, form_data: dict[str, Any]) -> Any:
        env_id = str(form_data.get("env_id") or "")
        name = str(form_data.get("secret_name") or "").strip()
        value = str(form_data.get("secret_value") or "")

        def change(principal: Any, pid: Any) -> None:
            if not name or not value:
                raise Invalid("give the secret a name and a value")
            environments.update_environment(principal, pid, env_id, secrets={name: value})

        return [self._write(change, f"Secret {name} saved (it will not be shown again)"),
                rx.set_value(f"secret-value-{env_id}", ""), rx.set_value(f"secret-name-{env_id}", "")]

    @rx.event
    def remove_secret(self, env_id: str, name: str) -> Any:
        return self._write(lambda principal, pid: environments.update_environment(
            principal, pid, env_id, remove_secrets=[name]), f"Secret {name} removed")

    @rx.event
    def delete_environment(self, env_id: str) -> Any:
        return self._write(lambda principal, pid: environments.delete_environment(principal, pid, env_id),
                           "Environment deleted")
