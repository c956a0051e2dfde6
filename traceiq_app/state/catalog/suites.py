"""Project home: the suite tree (nested folders) and the tests of the selected folder.

Every public method is an event handler any client can call: each one authorizes the project
through `state.guard` (never trusting `self.pid` on its own: it only says WHICH project the
tab shows) and the services only find folders/tests of that project.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects, suites, test_cases
from traceiq_app.services.defects import custom_fields
from traceiq_app.services.runs import history as run_history
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

ROOT = "__root__"


class SuitesState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    project_slug: str = ""
    tree: rx.Field[list[dict[str, str]]] = rx.field([])  # flattened: id, name, depth, tests, parent_id, indent
    selected: str = ""  # folder id; "" = tests outside any folder
    selected_name: str = "Not in a folder"
    tests: rx.Field[list[dict[str, str]]] = rx.field([])
    deleted_suites: rx.Field[list[dict[str, str]]] = rx.field([])
    deleted_tests: rx.Field[list[dict[str, str]]] = rx.field([])
    can_write: bool = False
    can_admin: bool = False
    can_run: bool = False
    loaded: bool = False
    error: str = ""
    search: str = ""  # narrows the tests table by name, tag or custom field value, as the user types
    checked: rx.Field[list[str]] = rx.field([])  # tests ticked for "Run N selected" (ids of `tests`)

    @rx.var
    def shown_tests(self) -> list[dict[str, str]]:
        words = self.search.lower().split()
        return [t for t in self.tests
                if all(w in t["name"].lower() or w in t["tags"].lower() or w in t["fields"].lower() for w in words)]

    @rx.event
    def set_search(self, value: str) -> None:
        """Draft only: filters the rows this tab already holds."""
        self.search = str(value)[:200]

    @rx.event
    def toggle_checked(self, test_id: str, on: bool) -> None:
        """Draft only: ticks a row of this tab's table (running them authorizes `run.start`)."""
        tid = str(test_id)
        if tid not in {t["id"] for t in self.tests}:
            return
        rest = [x for x in self.checked if x != tid]
        self.checked = [*rest, tid] if on else rest

    @rx.event
    def toggle_all(self, on: bool) -> None:
        """Draft only: ticks every shown row (or none)."""
        self.checked = [t["id"] for t in self.shown_tests] if on else []

    # ---- helpers (not callable from clients) --------------------------------------------
    def _authorized(self, action: str) -> Any:
        return guard.require(self, action, self.pid)

    def _reload(self) -> None:
        principal, pid = self._authorized("project.read")
        project = projects.get_project(pid)
        self.project_name, self.project_slug = project.name, project.slug
        self.can_write = guard.can(principal, "suite.write", pid)
        self.can_admin = guard.can(principal, "project.update", pid)
        self.can_run = guard.can(principal, "run.start", pid)
        nodes = suites.flatten(suites.list_tree(pid))
        self.tree = [{"id": str(n.id), "name": n.name, "depth": str(n.depth), "tests": str(n.tests),
                      "parent_id": str(n.parent_id or ""), "indent": f"{0.75 + 1.25 * n.depth}em"}
                     for n in nodes]
        if self.selected and self.selected not in {n["id"] for n in self.tree}:
            self.selected = ""
        self.selected_name = next((n["name"] for n in self.tree if n["id"] == self.selected), "Not in a folder")
        cases = test_cases.list_test_cases(pid, self.selected or None)
        last = run_history.last_statuses([c.id for c in cases])
        fields = custom_fields.list_fields(pid, "test")
        values = custom_fields.test_values_many(pid, [c.id for c in cases]) if fields else {}
        self.tests = [
            {"id": str(c.id), "name": c.name, "version": str(c.version), "priority": str(c.priority),
             "tags": ", ".join(c.tags or []), "steps": str(len(c.steps or [])), "source": str(c.source_format),
             "last": last.get(str(c.id), ""),
             "fields": custom_fields.summary(fields, values.get(str(c.id), {}))}
            for c in cases
        ]
        live = {t["id"] for t in self.tests}
        self.checked = [x for x in self.checked if x in live]
        self.deleted_suites = [{"id": str(s.id), "name": s.name} for s in suites.deleted_suites(pid)]
        self.deleted_tests = [{"id": str(c.id), "name": c.name}
                              for c in test_cases.list_test_cases(pid, deleted=True)]
        self.loaded = True

    def _run(self, action: str, change: Any, success: str) -> Any:
        try:
            _principal, pid = self._authorized(action)
            change(pid)
            self._reload()
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success(success) if success else None

    # ---- events --------------------------------------------------------------------------
    @rx.event
    def load(self) -> Any:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.selected = guard.query_param(self, "suite") or ""
        self.error = ""
        try:
            self._reload()
        except guard.DENIED as exc:
            self.error = guard.error_message(exc)
            self.tree, self.tests, self.project_name, self.loaded = [], [], "", True
        return None

    @rx.event
    def rename_project(self, form_data: dict[str, Any]) -> Any:
        name = str(form_data.get("name") or "")
        try:
            principal, pid = self._authorized("project.update")
            projects.rename_project(principal, pid, name)
            self._reload()
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success("Project renamed")

    @rx.event
    def delete_project(self) -> Any:
        try:
            principal, pid = self._authorized("project.delete")
            projects.delete_project(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return [rx.toast.success("Project deleted"), rx.redirect("/projects")]

    @rx.event
    def select_suite(self, suite_id: str) -> Any:
        self.selected = suite_id if suite_id != ROOT else ""
        return self._run("project.read", lambda pid: None, "")

    @rx.event
    def create_suite(self, form_data: dict[str, Any]) -> Any:
        name = str(form_data.get("name") or "")
        parent = str(form_data.get("parent") or "")
        parent_id = None if parent in ("", ROOT) else parent

        def change(pid: Any) -> None:
            suite = suites.create_suite(pid, name, parent_id)
            self.selected = str(suite.id)

        return self._run("suite.write", change, f"Folder '{name.strip()}' created")

    def _rename(self, suite_id: str, name: str) -> Any:
        return self._run("suite.write", lambda pid: suites.rename_suite(pid, suite_id, name), "Folder renamed")

    def _move(self, suite_id: str, parent_id: str) -> Any:
        target = None if parent_id in ("", ROOT) else parent_id
        return self._run("suite.write", lambda pid: suites.move_suite(pid, suite_id, target), "Folder moved")

    @rx.event
    def rename_suite(self, suite_id: str, name: str) -> Any:
        return self._rename(suite_id, name)

    @rx.event
    def rename_selected(self, form_data: dict[str, Any]) -> Any:
        return self._rename(self.selected, str(form_data.get("name") or ""))

    @rx.event
    def move_suite(self, suite_id: str, parent_id: str) -> Any:
        return self._move(suite_id, parent_id)

    @rx.event
    def move_selected(self, parent_id: str) -> Any:
        return self._move(self.selected, parent_id)

    @rx.event
    def delete_suite(self, suite_id: str) -> Any:
        def change(pid: Any) -> None:
            suites.delete_suite(pid, suite_id)
            if self.selected == suite_id:
                self.selected = ""

        return self._run("suite.write", change, "Folder deleted — restore it from “Deleted” below")

    @rx.event
    def restore_suite(self, suite_id: str) -> Any:
        return self._run("suite.write", lambda pid: suites.restore_suite(pid, suite_id), "Folder restored")

    @rx.event
    def delete_test(self, test_id: str) -> Any:
        return self._run("test.write", lambda pid: test_cases.delete_test_case(pid, test_id),
                         "Test deleted — restore it from “Deleted” below")

    @rx.event
    def restore_test(self, test_id: str) -> Any:
        return self._run("test.write", lambda pid: test_cases.restore_test_case(pid, test_id), "Test restored")

    @rx.event
    def duplicate_test(self, test_id: str) -> Any:
        return self._run("test.write", lambda pid: test_cases.duplicate_test_case(pid, test_id), "Test duplicated")

    @rx.event
    def move_test(self, test_id: str, suite_id: str) -> Any:
        target = None if suite_id in ("", ROOT) else suite_id
        return self._run("test.write", lambda pid: test_cases.move_test_case(pid, test_id, target), "Test moved")
