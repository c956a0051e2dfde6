"""Import page: upload a file, see what was understood and what was not, then save.

The uploaded text is kept in a backend-only var (`_content`, never sent to the browser) and
parsed again by the service on save; the browser's preview is display only. Uploads are read
in memory and never written under Reflex's public upload folder.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import reflex as rx

from traceiq_app.services.catalog import imports, projects, suites
from traceiq_app.services.catalog.projects import Invalid
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

NO_SUITE = "__root__"


class ImportState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    suite_choices: rx.Field[list[dict[str, str]]] = rx.field([])
    target_suite: str = NO_SUITE
    filename: str = ""
    format_label: str = ""
    test_name: str = ""
    understood: rx.Field[list[dict[str, str]]] = rx.field([])
    not_understood: rx.Field[list[str]] = rx.field([])
    can_save: bool = False
    has_preview: bool = False
    upload_error: str = ""
    loaded: bool = False
    error: str = ""
    _content: str = ""

    def _clear(self) -> None:
        self.filename = self.format_label = self.test_name = self.upload_error = ""
        self.understood, self.not_understood = [], []
        self.can_save = self.has_preview = False
        self._content = ""

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error = ""
        self._clear()
        try:
            _principal, pid = guard.require(self, "test.write", self.pid)
            self.project_name = projects.get_project(pid).name
            self.suite_choices = [{"id": NO_SUITE, "name": "Not in a folder"}] + [
                {"id": str(n.id), "name": "— " * n.depth + n.name}
                for n in suites.flatten(suites.list_tree(pid))]
            wanted = guard.query_param(self, "suite")
            self.target_suite = wanted if wanted in {c["id"] for c in self.suite_choices} else NO_SUITE
        except guard.DENIED as exc:
            self.error = guard.error_message(exc)
        self.loaded = True

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]) -> Any:
        # A file chosen before the page finished loading: the tab's URL says which project.
        self.pid = self.pid or guard.id_from_path(self, "projects")
        try:
            guard.require(self, "test.write", self.pid)
        except guard.DENIED as exc:
            self._clear()
            return rx.toast.error(guard.error_message(exc))
        if not files:
            return None  # the picker refused the file: reject_files says why (one message, not two)
        self._clear()
        upload = files[0]
        name = str(getattr(upload, "name", None) or getattr(upload, "filename", None) or "upload")
        data = await upload.read(imports.MAX_IMPORT_BYTES + 1)
        declared = getattr(upload, "size", None)
        try:
            if len(data) > imports.MAX_IMPORT_BYTES:  # only the first bytes were read: say the real size
                size = declared if isinstance(declared, int) and declared > len(data) else len(data)
                raise Invalid(imports.size_problem(PurePath(name).name or "upload", size))
            preview = imports.preview_import(name, data)
        except guard.DENIED as exc:
            self.upload_error = guard.error_message(exc)
            return rx.toast.error(self.upload_error)
        self._content = data.decode("utf-8-sig")
        self.filename, self.format_label, self.test_name = preview.filename, preview.format_label, preview.name
        self.understood = [{"index": str(u.index + 1), "origin": u.origin, "action": u.action, "summary": u.summary}
                           for u in preview.understood]
        self.not_understood = list(preview.not_understood)
        self.can_save, self.has_preview = preview.can_save, True
        if not preview.can_save:
            return rx.toast.error("Nothing in this file could be imported")
        if preview.not_understood:
            return rx.toast.warning(f"{len(preview.not_understood)} part(s) of the file were not understood")
        return rx.toast.success(f"Understood {len(preview.understood)} steps — review and save")

    @rx.event
    def reject_files(self, rejected: list[str]) -> Any:
        """The file picker refused the file before uploading it ("name|size|codes" per file, from
        react-dropzone): ONE message saying why (wrong type, or its real size)."""
        self.pid = self.pid or guard.id_from_path(self, "projects")  # chosen before the page loaded
        try:
            guard.require(self, "test.write", self.pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self._clear()
        first = str(rejected[0]) if isinstance(rejected, list) and rejected else ""
        name, _, rest = first.partition("|")
        size_text, _, codes = rest.partition("|")
        name = PurePath(name.lstrip("./") or "file").name[:200]
        if "file-invalid-type" in codes:
            self.upload_error = imports.type_problem(name)
        elif "file-too-large" in codes and size_text.isdigit():
            self.upload_error = imports.size_problem(name, int(size_text))
        elif "too-many-files" in codes:
            self.upload_error = "choose one file at a time"
        else:
            self.upload_error = f"{name}: this file cannot be imported"
        return rx.toast.error(self.upload_error)

    @rx.event
    def set_test_name(self, value: str) -> None:
        self.test_name = value

    @rx.event
    def set_target_suite(self, value: str) -> None:
        self.target_suite = value

    @rx.event
    def cancel(self) -> None:
        self._clear()

    @rx.event
    def save(self) -> Any:
        try:
            principal, pid = guard.require(self, "test.write", self.pid)
            if not self._content:
                return rx.toast.error("Upload a file first")
            case = imports.save_import(pid, self.filename, self._content,
                                       suite_id=None if self.target_suite == NO_SUITE else self.target_suite,
                                       name=self.test_name, author_id=principal.user_id)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self._clear()
        return [rx.toast.success(f"Imported '{case.name}' with {len(case.steps)} steps"),
                rx.redirect(f"/tests/{case.id}")]
