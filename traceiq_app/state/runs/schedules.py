"""Schedules page (/projects/<id>/schedules): list, create/edit with a live preview of the next
fire times, pause/resume, delete, run now.

Every public method is an event handler any client can call: each authorizes on the server
(`schedule.read` to see, `schedule.write` to change, `run.start` to run now) through
`state.guard`. The form is controlled (`set_field` only writes this tab's own form vars and
recomputes the preview from them; it reads nothing from the database).
"""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects
from traceiq_app.services.runs import schedule_views, schedules
from traceiq_app.services.runs.control import RunError
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

FORM_FIELDS = ("name", "cron", "timezone", "suite_id", "tags", "environment_id", "browsers", "retries")
NONE = "none"

# Which form field a ScheduleError message is about (first match wins).
_FIELD_WORDS = (("cron", "cron"), ("time zone", "timezone"), ("name", "name"), ("environment", "environment_id"),
                ("browser", "browsers"), ("retries", "retries"))


def field_of(message: str) -> str:
    lowered = message.lower()
    return next((f for word, f in _FIELD_WORDS if word in lowered), "form")


class SchedulesState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    rows: rx.Field[list[dict[str, str]]] = rx.field([])
    suites: rx.Field[list[dict[str, str]]] = rx.field([])
    environments: rx.Field[list[dict[str, str]]] = rx.field([])
    can_write: bool = False
    can_run: bool = False
    loaded: bool = False
    error: str = ""
    # the create/edit form
    editing: str = ""  # "" = closed, "new", or a schedule id
    form: rx.Field[dict[str, str]] = rx.field({})
    errors: rx.Field[dict[str, str]] = rx.field({})
    preview: rx.Field[list[str]] = rx.field([])
    preview_words: str = ""

    # ---- helpers (not callable from clients) ----------------------------------------------
    def _reload(self) -> None:
        principal, pid = guard.require(self, "schedule.read", self.pid)
        self.project_name = projects.get_project(pid).name
        self.can_write = guard.can(principal, "schedule.write", pid)
        self.can_run = guard.can(principal, "run.start", pid)
        self.suites, self.environments = schedule_views.choices(pid)
        self.rows = schedule_views.rows(pid)
        self.loaded = True

    def _preview(self) -> None:
        cron, zone = self.form.get("cron", ""), self.form.get("timezone", "") or "UTC"
        errors = {k: v for k, v in self.errors.items() if k not in ("cron", "timezone")}
        try:
            times = schedules.next_fire_times(cron, zone, 5)
            self.preview = [schedule_views.local_time(t, zone) for t in times]
            self.preview_words = schedules.describe(cron, zone)
        except schedules.ScheduleError as exc:
            self.preview, self.preview_words = [], ""
            if cron.strip():
                errors[field_of(str(exc))] = str(exc)
        self.errors = errors

    def _fields(self) -> dict[str, Any]:
        f = self.form
        suite = f.get("suite_id", NONE)
        env = f.get("environment_id", NONE)
        tags = [t.strip() for t in f.get("tags", "").replace(";", ",").split(",") if t.strip()]
        browsers = [b.strip() for b in f.get("browsers", "chromium").split(",") if b.strip()]
        try:
            retries = int(f.get("retries", "0") or 0)
        except ValueError:
            raise schedules.ScheduleError("retries must be between 0 and 5") from None
        try:
            env_id = uuid.UUID(env) if env and env != NONE else None
            suite_ids = [str(uuid.UUID(suite))] if suite and suite != NONE else []
        except ValueError:
            raise schedules.ScheduleError("environment not found in this project") from None
        return {"name": f.get("name", ""), "cron": f.get("cron", ""), "timezone": (f.get("timezone") or "UTC").strip(),
                "selection": {"suite_ids": suite_ids, "tags": tags}, "environment_id": env_id,
                "browsers": browsers, "retries": retries}

    def _changed(self, change: Any, success: str) -> Any:
        try:
            principal, pid = guard.require(self, "schedule.write", self.pid)
            change(principal, pid)
            self._reload()
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except schedules.ScheduleError as exc:
            return rx.toast.error(str(exc))
        return rx.toast.success(success)

    # ---- events ----------------------------------------------------------------------------
    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error, self.editing = "", ""
        try:
            self._reload()
        except guard.DENIED as exc:
            self.error, self.rows, self.loaded = guard.error_message(exc), [], True

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        """Edit this tab's form (the preview follows); reads and writes no data."""
        if name not in FORM_FIELDS:
            return
        self.form = {**self.form, name: str(value)[:500]}
        self.errors = {k: v for k, v in self.errors.items() if k != name}
        if name in ("cron", "timezone"):
            self._preview()

    @rx.event
    def new_schedule(self) -> Any:
        try:
            guard.require(self, "schedule.write", self.pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self.editing, self.errors = "new", {}
        self.form = {"name": "", "cron": "0 6 * * 1-5", "timezone": "UTC", "suite_id": NONE, "tags": "",
                     "environment_id": NONE, "browsers": "chromium", "retries": "0"}
        self._preview()
        return None

    @rx.event
    def edit(self, schedule_id: str) -> Any:
        try:
            guard.require(self, "schedule.write", self.pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        row = next((r for r in self.rows if r["id"] == schedule_id), None)
        if row is None:
            return rx.toast.error("schedule not found")
        self.editing, self.errors = schedule_id, {}
        self.form = {"name": row["name"], "cron": row["cron"], "timezone": row["timezone"],
                     "suite_id": row["suite_id"] or NONE, "tags": row["tags"],
                     "environment_id": row["environment_id"] or NONE, "browsers": row["browsers"],
                     "retries": row["retries"]}
        self._preview()
        return None

    @rx.event
    def cancel_edit(self) -> None:
        """Close this tab's form (touches nothing else)."""
        self.editing, self.errors, self.preview = "", {}, []

    @rx.event
    def save(self) -> Any:
        try:
            principal, pid = guard.require(self, "schedule.write", self.pid)
            fields = self._fields()
            schedule_id = None if self.editing == "new" else uuid.UUID(self.editing)
            schedule = schedule_views.save(principal, pid, schedule_id, **fields)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except (schedules.ScheduleError, ValueError) as exc:
            message = str(exc)
            self.errors = {**self.errors, field_of(message): message}
            return rx.toast.error(message)
        self.editing, self.errors = "", {}
        self._reload()
        return rx.toast.success(f"Schedule '{schedule.name}' saved")

    @rx.event
    def toggle(self, schedule_id: str, enabled: bool) -> Any:
        return self._changed(lambda principal, pid: schedule_views.set_enabled(
            principal, pid, guard.as_uuid(schedule_id, "schedule"), enabled),
            "Schedule resumed" if enabled else "Schedule paused")

    @rx.event
    def delete(self, schedule_id: str) -> Any:
        return self._changed(lambda principal, pid: schedule_views.delete(
            principal, pid, guard.as_uuid(schedule_id, "schedule")), "Schedule deleted")

    @rx.event
    def run_now(self, schedule_id: str) -> Any:
        try:
            principal, pid = guard.require(self, "run.start", self.pid)
            run_id = schedule_views.run_now(principal, pid, guard.as_uuid(schedule_id, "schedule"))
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        except (schedules.ScheduleError, RunError) as exc:
            return rx.toast.error(str(exc))
        self._reload()
        return [rx.toast.success("Run started"), rx.redirect(f"/runs/{run_id}")]
