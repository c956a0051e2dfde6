"""/projects/<id>/defects/new: raise a defect. Query parameters prefill it: `from_result=<test
result id>` (an automated failure: steps, expected/actual, environment, browser, build, links;
when its failure cluster already has a defect that is not done, the page offers "Attach to
DEF-n"), or `title`, `description` (Markdown) and `manual_result` (an opaque reference kept as
the defect's source). Everything the prefill puts in is re-read on the server at submit."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import projects
from traceiq_app.services.defects import custom_fields, defects, occurrences, prefill, workflow
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class NewDefectState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    error: str = ""
    form_error: str = ""
    loaded: bool = False
    title: str = ""
    description: str = ""
    from_result: str = ""
    manual_result: str = ""
    existing_key: str = ""
    existing_title: str = ""
    people: rx.Field[list[dict[str, str]]] = rx.field([])
    fields: rx.Field[list[dict[str, str]]] = rx.field([])

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error, self.form_error, self.loaded = "", "", False
        self.existing_key = self.existing_title = ""
        self.from_result = guard.query_param(self, "from_result")[:64]
        self.manual_result = guard.query_param(self, "manual_result")[:200]
        self.title = guard.query_param(self, "title")[:300]
        self.description = guard.query_param(self, "description")[:20000]
        try:
            _principal, pid = guard.require(self, "defect.write", self.pid)
            self.project_name = projects.get_project(pid).name
            self.people = defects.people(pid)
            self.fields = [{"key": f.key, "label": f.label, "kind": f.kind, "options": ", ".join(f.options),
                            "required": "yes" if f.required else "", "value": ""}
                           for f in custom_fields.list_fields(pid, "defect")]
            if self.from_result:
                found = prefill.from_result(pid, self.from_result)
                self.title, self.description = found["title"], found["description"]
                if found["existing"]:
                    self.existing_key, self.existing_title = found["existing"]["key"], found["existing"]["title"]
        except guard.DENIED as exc:
            self.error, self.project_name = guard.error_message(exc), ""
        self.loaded = True

    @rx.event
    def create(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "defect.write", self.pid)
            data: dict[str, Any] = {k: form_data.get(k) for k in ("title", "description", "severity", "priority",
                                                                   "assignee_id", "external_url", "external_key")}
            data["custom"] = {k[3:]: v for k, v in form_data.items() if k.startswith("cf_")}
            if self.from_result:
                found = prefill.from_result(pid, self.from_result)
                data.update({k: found[k] for k in ("test_case_id", "signature", "source", "occurrence")})
            elif self.manual_result:
                data["source"] = {"kind": "manual", "manual_result": self.manual_result}
            defect = defects.create(pid, principal.user_id, data)
        except guard.DENIED as exc:
            self.form_error = guard.error_message(exc)
            self.title = str(form_data.get("title", ""))[:300]
            self.description = str(form_data.get("description", ""))[:20000]
            return None
        return rx.redirect(f"/projects/{pid}/defects/{defects.key_of(defect)}")

    @rx.event
    def attach(self) -> Any:
        try:
            principal, pid = guard.require(self, "defect.write", self.pid)
            found = prefill.from_result(pid, self.from_result)
            if not found["existing"]:
                return rx.toast.error("This failure's cluster has no open defect any more; raise a new one.")
            defect = occurrences.attach_result(pid, found["existing"]["key"], principal.user_id, self.from_result)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.redirect(f"/projects/{pid}/defects/{defects.key_of(defect)}")


SEVERITIES = list(workflow.SEVERITIES)
PRIORITIES = list(workflow.PRIORITIES)
