"""/defects: the defects of every project of the current organization the user may read, with a
Project filter, saved filters (per user and organization) and CSV/Excel export links (the
download routes authorize again). Needs `org.read`; each project needs `defect.read`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import reflex as rx

from traceiq_app.services.defects import custom_fields, listing, org_list
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class OrgDefectsState(ProtectedState):
    error: str = ""
    form_error: str = ""
    loaded: bool = False
    filters: dict[str, str] = {}
    query: str = ""
    cur_org: str = ""
    filtered: bool = False
    rows: rx.Field[list[dict[str, Any]]] = rx.field([])
    saved: rx.Field[list[dict[str, str]]] = rx.field([])
    people: rx.Field[list[dict[str, str]]] = rx.field([])
    projects: rx.Field[list[dict[str, str]]] = rx.field([])
    fields: rx.Field[list[dict[str, str]]] = rx.field([])

    def _reload(self, principal: Any, org_id: Any) -> None:
        """Rows for `self.filters` (already checked); custom field filters for one chosen project."""
        ids, used = org_list.scope(principal, org_id, self.filters)
        self.rows = [{**r, "custom_text": " · ".join(f"{k}: {custom_fields.display(v)}" for k, v in r["custom"].items())}
                     for r in listing.search(ids, used)]
        self.fields = ([{"key": f.key, "label": f.label, "value": self.filters.get("cf_" + f.key, "")}
                        for f in custom_fields.list_fields(ids[0], "defect")] if self.filters.get("project") else [])
        self.saved = [{"id": s["id"], "name": s["name"]} for s in org_list.saved_filters(org_id, principal.user_id)]
        self.cur_org = str(org_id)
        self.filtered = bool(used)
        self.query = urlencode({"org": str(org_id), **used})
        self.form_error = ""

    def _show(self, filters: dict[str, Any]) -> Any:
        try:
            principal, grant = self._require("org.read")
        except guard.DENIED as exc:
            self.rows, self.projects, self.people, self.saved = [], [], [], []
            return rx.toast.error(guard.error_message(exc))
        previous = dict(self.filters)
        self.filters = {k: str(v).strip() for k, v in filters.items() if str(v or "").strip()}
        try:
            self._reload(principal, grant.org_id)
        except guard.DENIED as exc:
            # Bad input: say which field and why, keep what was typed, keep the last good rows.
            self.form_error = guard.error_message(exc)
            self.query = urlencode({"org": str(grant.org_id), **listing.clean_filters(previous)})
        return None

    @rx.event
    def load(self) -> Any:
        self.error, self.form_error, self.loaded = "", "", False
        try:
            principal, grant = self._require("org.read")
            self.projects = org_list.projects(principal, grant.org_id)
            self.people = org_list.people(principal, grant.org_id)
            if self.cur_org != str(grant.org_id):
                self.filters = {}
            self._reload(principal, grant.org_id)
        except guard.DENIED as exc:
            self.error, self.rows, self.projects, self.people, self.saved = guard.error_message(exc), [], [], [], []
            self.filters = {}
        self.loaded = True

    @rx.event
    def apply(self, form_data: dict[str, Any]) -> Any:
        return self._show({k: str(v) for k, v in form_data.items()})

    @rx.event
    def clear(self) -> Any:
        return self._show({})

    @rx.event
    def save_filter(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, grant = self._require("org.read")
            org_list.save_filter(grant.org_id, principal.user_id, str(form_data.get("name", "")),
                                 org_list.check_filters(self.filters))
            self.saved = [{"id": s["id"], "name": s["name"]}
                          for s in org_list.saved_filters(grant.org_id, principal.user_id)]
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success("Filter saved.")

    @rx.event
    def use_filter(self, filter_id: str) -> Any:
        try:
            principal, grant = self._require("org.read")
            found = [s for s in org_list.saved_filters(grant.org_id, principal.user_id) if s["id"] == str(filter_id)]
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        if not found:
            return rx.toast.error("That saved filter is gone.")
        return self._show(found[0]["query"])

    @rx.event
    def delete_filter(self, filter_id: str) -> Any:
        try:
            principal, grant = self._require("org.read")
            org_list.delete_filter(grant.org_id, principal.user_id, str(filter_id))
            self.saved = [{"id": s["id"], "name": s["name"]}
                          for s in org_list.saved_filters(grant.org_id, principal.user_id)]
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None
