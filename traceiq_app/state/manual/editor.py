"""/projects/<pid>/manual-tests/<id> ("new" for a new one): the manual test form —
name, description, preconditions, tags, numbered steps (action, test data, expected result),
attachments, and the version history with the diff of each version against the one before.
Reading needs `test.read`, saving `test.write` (like automated tests)."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from traceiq_app.services.catalog import manual_cases
from traceiq_app.services.catalog import test_cases as catalog_cases
from traceiq_app.services.manual import attachments as manual_files
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


@dataclasses.dataclass
class ManualStepRow:
    number: int = 1
    action: str = ""
    data: str = ""
    expected: str = ""


@dataclasses.dataclass
class VersionRow:
    version: int = 1
    created_at: str = ""


@dataclasses.dataclass
class FileRow:
    id: str = ""
    filename: str = ""


class ManualEditorState(ProtectedState):
    pid: str = ""
    mtid: str = ""  # "" = new
    suite_id: str = ""
    name: str = ""
    description: str = ""
    preconditions: str = ""
    tags_text: str = ""
    version: int = 0
    steps: rx.Field[list[ManualStepRow]] = rx.field([])
    versions: rx.Field[list[VersionRow]] = rx.field([])
    files: rx.Field[list[FileRow]] = rx.field([])
    diff_text: str = ""
    can_write: bool = False
    error: str = ""
    form_error: str = ""
    form_key: int = 0  # bumped on load/save: the uncontrolled inputs take the loaded values again

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        tid = guard.id_from_path(self, "manual-tests")
        self.mtid = "" if tid in ("", "new") else tid
        self.error = self.form_error = self.diff_text = ""
        try:
            self._load()
        except guard.DENIED as exc:
            self.error = guard.error_message(exc)
            self.steps, self.versions, self.files = [], [], []

    def _load(self) -> None:
        principal, pid = guard.require(self, "test.read", self.pid)
        self.can_write = guard.can(principal, "test.write", pid)
        self.form_key += 1
        if not self.mtid:
            self.suite_id = guard.query_param(self, "suite")
            self.name = self.description = self.preconditions = self.tags_text = ""
            self.version, self.versions, self.files = 0, [], []
            self.steps = [ManualStepRow(number=i + 1) for i in range(3)]
            return
        case = manual_cases.get_manual_case(pid, self.mtid)
        self.suite_id = str(case.suite_id or "")
        self.name, self.description = case.name, case.description or ""
        self.preconditions, self.tags_text = case.preconditions or "", ", ".join(case.tags or [])
        self.version = case.version
        self.steps = [ManualStepRow(number=i + 1, action=s.get("action", ""), data=s.get("data", ""),
                                    expected=s.get("expected", "")) for i, s in enumerate(case.steps or [])]
        self.steps = [*self.steps, ManualStepRow(number=len(self.steps) + 1)]
        self.versions = [VersionRow(version=v.version, created_at=v.created_at.strftime("%Y-%m-%d %H:%M"))
                         for v in catalog_cases.list_versions(pid, case.id)]
        self.files = [FileRow(id=str(f.id), filename=f.filename) for f in manual_files.for_test_case(case.id)]

    @rx.event
    def add_step(self) -> None:
        """One more empty step row (this tab's form; rows left empty are dropped on save)."""
        self.steps = [*self.steps, ManualStepRow(number=len(self.steps) + 1)]

    @rx.event
    def save(self, form: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "test.write", self.pid)
            steps = [{"action": form.get(f"action-{i}", ""), "data": form.get(f"data-{i}", ""),
                      "expected": form.get(f"expected-{i}", "")} for i in range(len(self.steps))]
            tags = [t.strip() for t in str(form.get("tags") or "").split(",") if t.strip()]
            common = {"description": str(form.get("description") or ""),
                      "preconditions": str(form.get("preconditions") or ""), "tags": tags}
            if self.mtid:
                case = manual_cases.update_manual_case(pid, self.mtid, name=str(form.get("name") or ""),
                                                       steps=steps, expected_version=self.version,
                                                       author_id=principal.user_id, **common)  # type: ignore[arg-type]
            else:
                case = manual_cases.create_manual_case(pid, str(form.get("name") or ""), steps,
                                                       suite_id=self.suite_id or None,
                                                       author_id=principal.user_id, **common)  # type: ignore[arg-type]
        except guard.DENIED as exc:
            self.form_error = guard.error_message(exc)
            return rx.toast.error(self.form_error)
        if not self.mtid:
            return rx.redirect(f"/projects/{pid}/manual-tests/{case.id}")
        self.form_error = ""
        self._load()
        return rx.toast.success(f"Saved as version {case.version}")

    @rx.event
    def show_diff(self, version: int) -> None:
        """The diff of `version` against the version before it."""
        try:
            _principal, pid = guard.require(self, "test.read", self.pid)
            version = int(version)
            self.diff_text = (catalog_cases.diff_versions(pid, self.mtid, version - 1, version).text()
                              if version > 1 else "version 1: the first version")
        except (*guard.DENIED, ValueError) as exc:
            self.diff_text = guard.error_message(exc)

    @rx.event
    def restore_version(self, version: int) -> Any:
        """Make an old version current again, as a new version (the catalog's restore)."""
        try:
            principal, pid = guard.require(self, "test.write", self.pid)
            case = catalog_cases.restore_version(pid, self.mtid, int(version), author_id=principal.user_id)
        except (*guard.DENIED, ValueError) as exc:
            self.form_error = guard.error_message(exc)
            return rx.toast.error(self.form_error)
        self.form_error = self.diff_text = ""
        self._load()
        return rx.toast.success(f"Version {version} restored as version {case.version}")

    @rx.event
    def after_upload(self, result: Any) -> Any:
        try:
            self._load()
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        text = str(result or "")
        if text.startswith("error:"):
            return rx.toast.error(text[6:].strip(), duration=10_000)
        return rx.toast.success(f"Attached {text}") if text else None
