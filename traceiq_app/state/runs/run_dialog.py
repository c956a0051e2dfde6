"""The "Run tests" dialog (project page, runs list): pick folders / tests / tags, an
environment, browsers, retries and parallelism, start the run and open its live page.
"Run this folder" on the project page opens it with that folder already ticked; "Run N selected"
(tests list) with those tests ticked. Video: off / on failure / always, the project's default first.

Every public method is an event handler any client can call: `open_dialog` and `start`
authorize `run.start` on the project before reading choices or calling the runs service.
"""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx

from traceiq_app.models import RunTrigger
from traceiq_app.services.observability import tracing
from traceiq_app.services.platform import audit
from traceiq_app.services.runs import control as runs_service
from traceiq_app.services.runs import dialog_memory
from traceiq_app.services.runs import views as run_views
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

BROWSERS = ("chromium", "firefox", "webkit")
VIDEO_CHOICES = (("off", "Off"), ("failures", "On failure"), ("on", "Always"))


class RunDialogState(ProtectedState):
    open: bool = False
    dpid: str = ""
    suites: rx.Field[list[dict[str, str]]] = rx.field([])
    tests: rx.Field[list[dict[str, str]]] = rx.field([])
    tags: rx.Field[list[str]] = rx.field([])
    environments: rx.Field[list[dict[str, str]]] = rx.field([])
    error: str = ""
    starting: bool = False
    # The folder ticked when the dialog opens ("" = none): only ever one of `suites`.
    preselected: str = ""
    # The environment selected when the dialog opens: last choice, or the only one, or "none".
    env_default: str = "none"
    # Tests ticked when the dialog opens (the tests list's selection).
    preselected_tests: rx.Field[list[str]] = rx.field([])
    # The video choice when the dialog opens: the project's default.
    video_default: str = "off"

    @rx.event
    def open_with_tests(self, project_id: str, test_ids: list[str]) -> Any:
        """The tests list's "Run N selected": the dialog with exactly those tests ticked."""
        result = self._open(project_id, "")
        if self.open:
            known = {t["id"] for t in self.tests}
            self.preselected_tests = [str(t) for t in (test_ids or [])[:500] if str(t) in known]
        return result

    @rx.event
    def open_dialog(self, project_id: str, suite_id: str = "") -> Any:
        return self._open(project_id, suite_id)

    def _open(self, project_id: str, suite_id: str) -> Any:
        self.error = ""
        self.preselected_tests = []
        try:
            principal, pid = guard.require(self, "run.start", project_id)
            choices = run_views.dialog_choices(pid)
        except guard.DENIED as exc:
            self.open = False
            return rx.toast.error(guard.error_message(exc))
        self.dpid = str(pid)
        self.suites, self.tests = choices["suites"], choices["tests"]
        self.tags, self.environments = choices["tags"], choices["environments"]
        self.video_default = choices["video"]
        self.env_default = dialog_memory.default_environment(principal.user_id, pid,
                                                             [e["id"] for e in self.environments])
        wanted = str(suite_id or "")
        self.preselected = wanted if any(x["id"] == wanted for x in self.suites) else ""
        self.open = True
        return None

    @rx.event
    def close_dialog(self) -> None:
        self.open = False

    @rx.event
    def set_open(self, value: bool) -> None:
        self.open = bool(value) and bool(self.dpid)

    @rx.event
    def start(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "run.start", self.dpid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))

        def checked(prefix: str) -> list[str]:
            return [k[len(prefix):] for k, v in form_data.items() if k.startswith(prefix) and v not in ("", None, False)]

        try:
            suite_ids = [str(uuid.UUID(x)) for x in checked("suite:")]
            test_ids = [str(uuid.UUID(x)) for x in checked("test:")]
        except ValueError:
            return rx.toast.error("bad selection")
        tags = [t for t in checked("tag:") if t][:50]
        browsers = [b for b in checked("browser:") if b in BROWSERS] or None
        env_raw = str(form_data.get("environment_id") or "")
        try:
            env_id = uuid.UUID(env_raw) if env_raw and env_raw != "none" else None
            retries = int(form_data.get("retries") or 0)
            parallelism = int(form_data.get("parallelism") or 0) or None
        except ValueError:
            return rx.toast.error("retries and parallelism must be numbers")
        video = str(form_data.get("video") or "") or None
        try:
            with tracing.span("ui.event RunDialogState.start", {"traceiq.project.id": str(pid)}):
                run = runs_service.start_run(
                    pid, selection={"suite_ids": suite_ids, "test_ids": test_ids, "tags": tags},
                    environment_id=env_id, browsers=browsers, retries=retries, parallelism=parallelism,
                    trigger=RunTrigger.ui, user_id=principal.user_id,
                    branch=(str(form_data.get("branch") or "").strip() or None), video=video,
                )
        except runs_service.RunError as exc:
            return rx.toast.error(str(exc))
        dialog_memory.remember_environment(principal.user_id, pid, env_id)
        _audit(principal, pid, "run.start", run.id, {"total": run.total, "browsers": run.browsers,
                                                    "video": str(run.video)})
        self.open = False
        return [rx.toast.success(f"Run started: {run.total} test(s)"), rx.redirect(f"/runs/{run.id}")]


class RunTestState(ProtectedState):
    """The "Run" button of one test (tests table, editor): starts a run of just that test at
    once, in the environment the run dialog would preselect for this user and project."""

    @rx.event
    def run_test(self, project_id: str, test_id: str) -> Any:
        try:
            principal, pid = guard.require(self, "run.start", project_id)
            tid = str(uuid.UUID(str(test_id)))
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except ValueError:
            return rx.toast.error("test not found")
        envs = [e["id"] for e in run_views.dialog_choices(pid)["environments"]]
        env = dialog_memory.default_environment(principal.user_id, pid, envs)
        try:
            run = runs_service.start_run(
                pid, selection={"suite_ids": [], "test_ids": [tid], "tags": []},
                environment_id=uuid.UUID(env) if env != "none" else None, trigger=RunTrigger.ui,
                user_id=principal.user_id)
        except runs_service.RunError as exc:
            return rx.toast.error(str(exc))
        _audit(principal, pid, "run.start", run.id, {"total": run.total, "browsers": run.browsers})
        return [rx.toast.success("Run started"), rx.redirect(f"/runs/{run.id}")]


def _audit(principal: Any, project_id: uuid.UUID, action: str, run_id: uuid.UUID,
           details: dict[str, Any] | None = None) -> None:
    from traceiq_app.db import session_scope
    from traceiq_app.models import Project

    with session_scope() as s:
        project = s.get(Project, project_id)
        if project is None:
            return
        audit.record(s, org_id=project.org_id, project_id=project_id, action=action, actor=principal,
                     object_type="run", object_id=str(run_id), details=details)
