"""/projects/<id>/manual-runs: the project's manual runs and the form that starts one (a
selection of manual tests by suite/tag, environment, build label, optional milestone, an
assignee per test). Reading needs `manual_run.read`, starting `manual_run.write`."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.services.manual import runs as manual_runs
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


@dataclasses.dataclass
class RunItem:
    id: str = ""
    name: str = ""
    environment: str = ""
    build_label: str = ""
    milestone: str = ""
    created_by: str = ""
    created_at: str = ""
    percent: int = 0
    complete: int = 0
    total: int = 0
    status: str = "open"
    closed_by: str = ""
    closed_at: str = ""


@dataclasses.dataclass
class CandidateItem:
    id: str = ""
    name: str = ""
    tags: str = ""
    assignee: str = ""


class ManualRunsState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    runs: rx.Field[list[RunItem]] = rx.field([])
    candidates: rx.Field[list[CandidateItem]] = rx.field([])
    suites: list[list[str]] = []
    members: list[list[str]] = []
    suite_id: str = ""
    tags: str = ""
    can_write: bool = False
    error: str = ""
    form_error: str = ""

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error = self.form_error = ""
        try:
            principal, pid = guard.require(self, "manual_run.read", self.pid)
            self.project_name = projects.get_project(pid).name
            self.runs = [RunItem(id=r.id, name=r.name, environment=r.environment, build_label=r.build_label,
                                 milestone=r.milestone, created_by=r.created_by, created_at=r.created_at,
                                 percent=r.percent, complete=r.complete, total=r.total, status=r.status,
                                 closed_by=r.closed_by, closed_at=r.closed_at)
                         for r in manual_runs.list_runs(pid)]
            self.can_write = guard.can(principal, "manual_run.write", pid)
            self.suites = [[i, n] for i, n in manual_runs.suites_with_manual_tests(pid)]
            self.members = [[i, e] for i, e in manual_runs.assignable_members(pid)]
            self._preview(pid)
        except guard.DENIED as exc:
            self.runs, self.candidates, self.suites, self.members = [], [], [], []
            self.error = guard.error_message(exc)

    def _preview(self, pid: uuid.UUID) -> None:
        tags = [t.strip() for t in self.tags.split(",") if t.strip()]
        keep = {c.id: c.assignee for c in self.candidates}
        self.candidates = [CandidateItem(id=str(c.id), name=c.name, tags=", ".join(c.tags or []),
                                         assignee=keep.get(str(c.id), ""))
                           for c in manual_runs.candidates(pid, suite_id=self.suite_id or None, tags=tags)]

    @rx.event
    def preview(self, form: dict[str, Any]) -> Any:
        """Show which manual tests the selection holds (suite and/or tags)."""
        try:
            _principal, pid = guard.require(self, "manual_run.read", self.pid)
            self.suite_id, self.tags = str(form.get("suite_id") or ""), str(form.get("tags") or "")
            self._preview(pid)
        except guard.DENIED as exc:
            self.form_error = guard.error_message(exc)
        return None

    @rx.event
    def assign(self, test_id: str, user_id: str) -> None:
        """The assignee of one test of the run being prepared (this tab's form only)."""
        self.candidates = [dataclasses.replace(c, assignee=str(user_id)) if c.id == test_id else c
                           for c in self.candidates]

    @rx.event
    def start(self, form: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "manual_run.write", self.pid)
            if not self.candidates:
                raise Invalid("selection: no manual tests match it (change the suite or tags)")
            run = manual_runs.start_run(
                pid, principal, name=str(form.get("name") or ""), environment=str(form.get("environment") or ""),
                build_label=str(form.get("build_label") or ""), milestone=str(form.get("milestone") or ""),
                test_ids=[c.id for c in self.candidates],
                assignees={c.id: c.assignee for c in self.candidates if c.assignee})
        except guard.DENIED as exc:
            self.form_error = guard.error_message(exc)
            return rx.toast.error(self.form_error)
        return rx.redirect(f"/manual-runs/{run.id}")
