"""/projects/<id>/custom-fields: the project's custom fields on test cases and defects. Members
read them; only admins (`custom_field.write`) add, edit (label, options, required), reorder or
remove them."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects
from traceiq_app.services.defects import custom_fields
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class CustomFieldsState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    error: str = ""
    form_error: str = ""
    loaded: bool = False
    can_admin: bool = False
    rows: rx.Field[list[dict[str, str]]] = rx.field([])
    # The field being edited (its form under the table); the inputs keep what was typed on errors.
    edit_id: str = ""
    edit_label: str = ""
    edit_options: str = ""
    edit_required: bool = False
    edit_select: bool = False
    edit_error: str = ""

    def _reload(self, pid: Any) -> None:
        fields = custom_fields.list_fields(pid)
        rows = []
        for f in fields:
            group = [g for g in fields if g.applies_to == f.applies_to]
            rows.append({"id": str(f.id), "applies_to": "Test cases" if f.applies_to == "test" else "Defects",
                         "label": f.label, "key": f.key, "kind": custom_fields.KIND_LABELS.get(f.kind, f.kind),
                         "options": ", ".join(f.options), "required": "required" if f.required else "",
                         "first": "1" if group[0].id == f.id else "", "last": "1" if group[-1].id == f.id else ""})
        self.rows = rows

    def _clear_edit(self) -> None:
        self.edit_id, self.edit_label, self.edit_options, self.edit_error = "", "", "", ""
        self.edit_required = self.edit_select = False

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error, self.form_error, self.loaded = "", "", False
        try:
            principal, pid = guard.require(self, "project.read", self.pid)
            self.project_name = projects.get_project(pid).name
            self.can_admin = guard.can(principal, "custom_field.write", pid)
            self._reload(pid)
        except guard.DENIED as exc:
            self.error, self.project_name, self.rows = guard.error_message(exc), "", []
        self.loaded = True

    @rx.event
    def add(self, form_data: dict[str, Any]) -> Any:
        try:
            _principal, pid = guard.require(self, "custom_field.write", self.pid)
            field = custom_fields.create_field(pid, str(form_data.get("applies_to", "")),
                                               str(form_data.get("label", "")), str(form_data.get("kind", "")),
                                               str(form_data.get("options", "")),
                                               str(form_data.get("required", "")) in ("on", "true", "1"))
            self.form_error = ""
            self._reload(pid)
        except guard.DENIED as exc:
            self.form_error = guard.error_message(exc)
            return None
        return rx.toast.success(f"Added the field {field.label}.")

    @rx.event
    def remove(self, field_id: str) -> Any:
        try:
            _principal, pid = guard.require(self, "custom_field.write", self.pid)
            custom_fields.delete_field(pid, field_id)
            self._reload(pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None

    @rx.event
    def start_edit(self, field_id: str) -> Any:
        try:
            _principal, pid = guard.require(self, "custom_field.write", self.pid)
            found = [f for f in custom_fields.list_fields(pid) if str(f.id) == str(field_id)]
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        if not found:
            return rx.toast.error("That field is gone; reload the page.")
        f = found[0]
        self._clear_edit()
        self.edit_id, self.edit_label, self.edit_options = str(f.id), f.label, ", ".join(f.options)
        self.edit_required, self.edit_select = f.required, f.kind in ("select", "multiselect")
        return None

    @rx.event
    def cancel_edit(self) -> None:
        """Closes this tab's edit form (its own vars only)."""
        self._clear_edit()

    @rx.event
    def save_edit(self, form_data: dict[str, Any]) -> Any:
        label = str(form_data.get("label", ""))
        options = str(form_data.get("options", ""))
        required = str(form_data.get("required", "")) in ("on", "true", "1")
        try:
            _principal, pid = guard.require(self, "custom_field.write", self.pid)
            field = custom_fields.update_field(pid, self.edit_id, label=label,
                                               options=options if self.edit_select else None, required=required)
        except guard.DENIED as exc:
            self.edit_label, self.edit_options, self.edit_required = label, options, required
            self.edit_error = guard.error_message(exc)
            return None
        self._clear_edit()
        self._reload(pid)
        return rx.toast.success(f"Saved the field {field.label}.")

    @rx.event
    def move(self, field_id: str, direction: str) -> Any:
        try:
            _principal, pid = guard.require(self, "custom_field.write", self.pid)
            custom_fields.move_field(pid, field_id, str(direction))
            self._reload(pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None
