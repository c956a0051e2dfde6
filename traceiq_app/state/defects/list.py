"""/projects/<id>/defects: the list with filters, saved filters (per user) and CSV/Excel export
links (the download routes authorize again). Needs `defect.read`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import reflex as rx

from traceiq_app.services.catalog import projects
from traceiq_app.services.defects import custom_fields, defects, listing
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class DefectListState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    error: str = ""
    loaded: bool = False
    can_write: bool = False
    filters: dict[str, str] = {}
    query: str = ""
    rows: rx.Field[list[dict[str, Any]]] = rx.field([])
    saved: rx.Field[list[dict[str, str]]] = rx.field([])
    people: rx.Field[list[dict[str, str]]] = rx.field([])
    fields: rx.Field[list[dict[str, str]]] = rx.field([])

    def _reload(self, principal: Any, pid: Any) -> None:
        self.rows = [{**r, "custom_text": " · ".join(f"{k}: {custom_fields.display(v)}" for k, v in r["custom"].items())}
                     for r in listing.search(pid, self.filters)]
        self.saved = [{"id": s["id"], "name": s["name"]} for s in listing.saved_filters(pid, principal.user_id)]
        self.query = urlencode(self.filters)
        self.fields = [{**f, "value": self.filters.get("cf_" + f["key"], "")} for f in self.fields]

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error, self.loaded = "", False
        try:
            principal, pid = guard.require(self, "defect.read", self.pid)
            self.project_name = projects.get_project(pid).name
            self.can_write = guard.can(principal, "defect.write", pid)
            self.people = defects.people(pid)
            self.fields = [{"key": f.key, "label": f.label} for f in custom_fields.list_fields(pid, "defect")]
            self._reload(principal, pid)
        except guard.DENIED as exc:
            self.error, self.project_name, self.rows = guard.error_message(exc), "", []
        self.loaded = True

    @rx.event
    def apply(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "defect.read", self.pid)
            self.filters = listing.clean_filters({k: str(v) for k, v in form_data.items()})
            self._reload(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None

    @rx.event
    def clear(self) -> Any:
        try:
            principal, pid = guard.require(self, "defect.read", self.pid)
            self.filters = {}
            self._reload(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None

    @rx.event
    def save_filter(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "defect.read", self.pid)
            listing.save_filter(pid, principal.user_id, str(form_data.get("name", "")), self.filters)
            self._reload(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success("Filter saved.")

    @rx.event
    def use_filter(self, filter_id: str) -> Any:
        try:
            principal, pid = guard.require(self, "defect.read", self.pid)
            found = [s for s in listing.saved_filters(pid, principal.user_id) if s["id"] == str(filter_id)]
            if not found:
                return rx.toast.error("That saved filter is gone.")
            self.filters = listing.clean_filters(found[0]["query"])
            self._reload(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None

    @rx.event
    def delete_filter(self, filter_id: str) -> Any:
        try:
            principal, pid = guard.require(self, "defect.read", self.pid)
            listing.delete_filter(pid, principal.user_id, str(filter_id))
            self._reload(principal, pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None
