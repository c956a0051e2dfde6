"""/projects/<id>/defects/<DEF-n>: one defect: workflow buttons, fields, custom fields,
comments, attachments, watchers, occurrences and the history of every change.
Reading needs `defect.read`; every change `defect.write`."""

from __future__ import annotations

import re
from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects
from traceiq_app.services.defects import attachments, defects, listing, workflow
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


def _key_from_path(state: Any) -> str:
    try:
        path = state.router.url.path or ""
    except AttributeError:
        return ""
    match = re.search(r"/defects/(DEF-\d+)(?:/|$)", path, re.I)
    return match.group(1).upper() if match else ""


class DefectState(ProtectedState):
    pid: str = ""
    key: str = ""
    project_name: str = ""
    error: str = ""
    loaded: bool = False
    can_write: bool = False
    d: dict[str, Any] = {}
    history: rx.Field[list[dict[str, str]]] = rx.field([])
    comments: rx.Field[list[dict[str, str]]] = rx.field([])
    attachments: rx.Field[list[dict[str, str]]] = rx.field([])
    occurrence_rows: rx.Field[list[dict[str, str]]] = rx.field([])
    custom_rows: rx.Field[list[dict[str, str]]] = rx.field([])
    next_moves: rx.Field[list[dict[str, str]]] = rx.field([])
    people: rx.Field[list[dict[str, str]]] = rx.field([])
    form_error: str = ""
    watching: bool = False

    def _reload(self, principal: Any, pid: Any) -> None:
        view = listing.view(pid, self.key, principal.user_id)
        self.history = view.pop("history")
        self.comments = view.pop("comments")
        self.attachments = view.pop("attachments")
        self.occurrence_rows = view.pop("occurrence_rows")
        self.custom_rows = view.pop("custom_rows")
        self.next_moves = [{"status": s, "label": workflow.label(s)} for s in view.pop("next")]
        self.watching = bool(view.pop("watching"))
        view.pop("custom", None)
        view.pop("source", None)
        self.d = {k: (str(v) if not isinstance(v, bool) else ("yes" if v else "")) for k, v in view.items()}

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.key = _key_from_path(self) or self.key
        self.error, self.loaded, self.form_error = "", False, ""
        try:
            principal, pid = guard.require(self, "defect.read", self.pid)
            self.project_name = projects.get_project(pid).name
            self.can_write = guard.can(principal, "defect.write", pid)
            self.people = defects.people(pid)
            self._reload(principal, pid)
        except guard.DENIED as exc:
            self.error, self.project_name, self.d, self.history = guard.error_message(exc), "", {}, []
        self.loaded = True

    @rx.event
    def move(self, target: str) -> Any:
        try:
            principal, pid = guard.require(self, "defect.write", self.pid)
            found = defects.transition(pid, self.key, principal.user_id, str(target))
            self._reload(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success(f"{self.key} is now {workflow.label(found.status)}.")

    @rx.event
    def save(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "defect.write", self.pid)
            data = {k: form_data.get(k) for k in defects.EDITABLE if k in form_data}
            data["custom"] = {k[3:]: v for k, v in form_data.items() if k.startswith("cf_")}
            if not data["custom"] and not self.custom_rows:
                data.pop("custom")
            defects.update(pid, self.key, principal.user_id, data)
            self.form_error = ""
            self._reload(principal, pid)
        except guard.DENIED as exc:
            self.form_error = guard.error_message(exc)
            return None
        return rx.toast.success("Saved.")

    @rx.event
    def add_comment(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "defect.write", self.pid)
            defects.comment(pid, self.key, principal.user_id, str(form_data.get("body", ""))[:10000])
            self._reload(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.set_value("defect-comment", "")

    @rx.event
    def toggle_watch(self) -> Any:
        try:
            principal, pid = guard.require(self, "defect.read", self.pid)
            defects.watch(pid, self.key, principal.user_id, not self.watching)
            self._reload(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None

    @rx.event
    async def upload(self, files: list[rx.UploadFile]) -> Any:
        try:
            principal, pid = guard.require(self, "defect.write", self.pid)
            for file in files[:10]:
                data = await file.read(attachments.MAX_BYTES + 1)
                attachments.add(pid, self.key, principal.user_id, file.filename or "file", data)
            self._reload(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success("Attached.")
