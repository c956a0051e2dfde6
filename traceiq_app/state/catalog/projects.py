"""Project switcher: the projects this user can read, create/rename/delete.

Every public method is an event handler any client can call: each one authorizes through
`state.guard` before calling a service (all database access is in the services).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class ProjectsState(ProtectedState):
    projects: rx.Field[list[dict[str, str]]] = rx.field([])
    create_orgs: rx.Field[list[dict[str, str]]] = rx.field([])
    loaded: bool = False
    # The create form's last refusal and the field it is about (the form keeps what was typed).
    create_error: str = ""
    create_field: str = ""

    def _reload(self) -> None:
        principal = guard.signed_in(self)
        self.projects = [
            {"id": str(p.id), "name": p.name, "slug": p.slug, "org": p.org_name,
             "description": p.description or "", "suites": str(p.suites), "tests": str(p.tests)}
            for p in projects.list_projects(principal)
        ]
        self.create_orgs = [{"id": str(oid), "name": name} for oid, name in projects.creatable_orgs(principal)]
        self.loaded = True

    @rx.event
    def load(self) -> Any:
        try:
            self._reload()
        except guard.DENIED as exc:
            self.projects, self.create_orgs, self.loaded = [], [], True
            return rx.toast.error(guard.error_message(exc))
        return None

    @rx.event
    def create_project(self, form_data: dict[str, Any]) -> Any:
        name = str(form_data.get("name") or "")
        org_id = str(form_data.get("org_id") or (self.create_orgs[0]["id"] if self.create_orgs else ""))
        slug = str(form_data.get("slug") or "").strip() or None
        try:
            principal, oid = guard.require_org(self, "project.create", org_id)
            project = projects.create_project(principal, oid, name, slug=slug,
                                              description=str(form_data.get("description") or "") or None)
        except guard.DENIED as exc:
            self.create_error = guard.error_message(exc)
            self.create_field = guard.problem_field(self.create_error, ("name", "slug")) or "name"
            return rx.toast.error(self.create_error)
        self.create_error = self.create_field = ""
        return [rx.toast.success(f"Project '{project.name}' created"), rx.redirect(f"/projects/{project.id}")]

    @rx.event
    def rename_project(self, project_id: str, name: str) -> Any:
        try:
            principal, pid = guard.require(self, "project.update", project_id)
            projects.rename_project(principal, pid, name)
            self._reload()
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success("Project renamed")

    @rx.event
    def delete_project(self, project_id: str) -> Any:
        try:
            principal, pid = guard.require(self, "project.delete", project_id)
            projects.delete_project(principal, pid)
            self._reload()
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success("Project deleted")
