"""Execution settings of the project and its folders, editable (project settings page):
base URL, headers, cookies, variables, viewport, timeouts, browsers and video, for one layer at
a time ("project" or a folder id). Empty fields inherit from the layer above.

Every public method is an event handler any client can call: `load` and `choose_layer`
authorize `project.read`; `save` authorizes `project.update` for the project layer and
`suite.write` for a folder, through `guard.require`, before the services see anything.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects, settings_forms, suites
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

PROJECT = "project"
FIELDS = (*settings_forms.FIELDS, "browsers")
EMPTY = settings_forms.settings_to_form({})  # every field, inheriting everything


class ExecutionSettingsState(ProtectedState):
    pid: str = ""
    layer: str = PROJECT  # "project" or a folder id
    layers: rx.Field[list[dict[str, str]]] = rx.field([])  # id, name (folders indented by depth)
    values: rx.Field[dict[str, str]] = rx.field(EMPTY)  # the form's text per field
    can_edit_project: bool = False
    can_edit_folders: bool = False
    form_error: str = ""
    form_field: str = ""
    # Bumped when the form must show fresh values (another layer, a saved change): its key.
    generation: int = 0

    @rx.var
    def can_edit(self) -> bool:
        return self.can_edit_project if self.layer == PROJECT else self.can_edit_folders

    def _fill(self, pid: Any) -> None:
        if self.layer == PROJECT:
            stored = dict(projects.get_project(pid).settings or {})
        else:
            stored = suites.suite_settings(pid, self.layer)
        self.values = settings_forms.settings_to_form(stored)
        self.form_error = self.form_field = ""
        self.generation += 1

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        try:
            principal, pid = guard.require(self, "project.read", self.pid)
            self.can_edit_project = guard.can(principal, "project.update", pid)
            self.can_edit_folders = guard.can(principal, "suite.write", pid)
            nodes = suites.flatten(suites.list_tree(pid))
            self.layers = [{"id": PROJECT, "name": "Project (every test)"}] + [
                {"id": str(n.id), "name": "\u00a0\u00a0" * n.depth + "Folder: " + n.name} for n in nodes]
            wanted = str(self.router._page.params.get("folder") or "")
            self.layer = wanted if any(x["id"] == wanted for x in self.layers) else PROJECT
            self._fill(pid)
        except guard.DENIED:
            self.values, self.layers = dict(EMPTY), []

    @rx.event
    def choose_layer(self, layer: str) -> Any:
        try:
            _, pid = guard.require(self, "project.read", self.pid)
            if str(layer) not in {x["id"] for x in self.layers}:
                return rx.toast.error("That folder no longer exists: reload the page.")
            self.layer = str(layer)
            self._fill(pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None

    @rx.event
    def save(self, form_data: dict[str, Any]) -> Any:
        # The typed text stays in the form (uncontrolled inputs, not reset) whatever happens.
        typed = {**EMPTY, **{k: str(form_data.get(k) or "")[:settings_forms.MAX_TEXT] for k in settings_forms.FIELDS}}
        typed["browsers"] = ",".join(b for b in settings_forms.BROWSERS if form_data.get(f"browser:{b}"))
        try:
            action = "project.update" if self.layer == PROJECT else "suite.write"
            principal, pid = guard.require(self, action, self.pid)
            data = settings_forms.parse_settings_form(form_data)
            if self.layer == PROJECT:
                projects.update_project_settings(principal, pid, data)
            else:
                suites.update_suite_settings(pid, self.layer, data)
        except guard.DENIED as exc:
            self.values = typed
            self.form_error = guard.error_message(exc)
            self.form_field = guard.problem_field(self.form_error, FIELDS)
            return None
        self._fill(pid)
        where = "project" if self.layer == PROJECT else "folder"
        return rx.toast.success(f"Settings of the {where} saved.")
