"""/projects/<id>/healing: the project's healing mode and the proposals to review.

Reading needs `test.read`; accepting or rejecting a proposal `test.write` (it writes a test
version); changing the mode `project.update`. Every handler authorizes through `guard.require`."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.ai import access as ai_access
from traceiq_app.services.ai.drafts import enqueue_generation
from traceiq_app.services.catalog import projects
from traceiq_app.services.healing import advice, proposals, store
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState

FILTERS = ["open", "accepted", "rejected", "superseded", "all"]


def _row(p: proposals.ProposalView) -> dict[str, str]:
    lines_from, lines_to, scores = [], [], []
    for change in p.changes:
        where = f"step {int(change['step']) + 1} {change['field']}"
        lines_from.append(f"- {where}: {change.get('from_text', '')}")
        lines_to.append(f"+ {where}: {change.get('to_text', '')}")
        scores.append(f"{float(change.get('score', 0)):.2f}")
    return {"id": p.id, "test_name": p.test_name, "test_id": p.test_case_id,
            "test_href": f"/tests/{p.test_case_id}", "run_href": f"/runs/{p.run_id}" if p.run_id else "",
            "status": p.status, "created": p.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            "from": "\n".join(lines_from), "to": "\n".join(lines_to), "score": ", ".join(scores),
            "version": f"v{p.new_version}" if p.new_version else f"from v{p.base_version}",
            "ranked": "model" if any(c.get("ranked_by") == "model" for c in p.changes) else ""}


class HealingState(ProtectedState):
    pid: str = ""
    project_name: str = ""
    mode: str = store.DEFAULT_MODE
    show: str = "open"
    rows: rx.Field[list[dict[str, str]]] = rx.field([])
    advice_rows: rx.Field[list[dict[str, str]]] = rx.field([])
    can_write: bool = False
    can_admin: bool = False
    loaded: bool = False
    error: str = ""
    ai_enabled: bool = False
    ai_off_reason: str = ""  # why the AI buttons are hidden ("" = available)
    ai_configured: bool = False
    generate_error: str = ""

    def _reload_view(self, pid: Any) -> None:
        self.mode = store.get_mode(pid)
        self.ai_enabled = ai_access.enabled(pid)
        self.ai_off_reason = ai_access.status(pid)
        self.ai_configured = not self.ai_off_reason or self.ai_enabled
        found = proposals.list_proposals(pid, None if self.show == "all" else self.show)
        self.rows = [_row(p) for p in found]
        self.advice_rows = [{"test_id": a.test_case_id, "test_name": a.test_name, "test_href": f"/tests/{a.test_case_id}",
                             "step": str(a.step), "step_label": f"Step {a.step + 1}", "field": a.field,
                             "locator": a.locator, "message": a.message, "suggestion": a.suggestion_text}
                            for a in advice.project_advice(pid)]

    @rx.event
    def load(self) -> None:
        self.pid = guard.id_from_path(self, "projects") or self.pid
        self.error, self.loaded = "", False
        try:
            principal, pid = guard.require(self, "test.read", self.pid)
            self.project_name = projects.get_project(pid).name
            self.can_write = guard.can(principal, "test.write", pid)
            self.can_admin = guard.can(principal, "project.update", pid)
            self._reload_view(pid)
        except guard.DENIED as exc:
            self.error, self.project_name, self.rows = guard.error_message(exc), "", []
        self.loaded = True

    @rx.event
    def set_filter(self, value: str) -> Any:
        try:
            _principal, pid = guard.require(self, "test.read", self.pid)
            if value not in FILTERS:
                return rx.toast.error(f"Show: choose one of {', '.join(FILTERS)}.")
            self.show = value
            self._reload_view(pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return None

    @rx.event
    def set_mode(self, value: str) -> Any:
        try:
            principal, pid = guard.require(self, "project.update", self.pid)
            self.mode = store.set_mode(pid, value, principal.user_id)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success(f"Healing: {store.MODE_LABELS[self.mode]}.")

    @rx.event
    def accept(self, proposal_id: str) -> Any:
        try:
            principal, pid = guard.require(self, "test.write", self.pid)
            version = proposals.accept(pid, proposal_id, principal.user_id)
        except guard.DENIED as exc:
            self._refresh_quietly()
            return rx.toast.error(guard.error_message(exc))
        self._reload_view(pid)
        return rx.toast.success(f"Accepted: the test is now at version {version}.")

    @rx.event
    def reject(self, proposal_id: str) -> Any:
        try:
            principal, pid = guard.require(self, "test.write", self.pid)
            proposals.reject(pid, proposal_id, principal.user_id)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self._reload_view(pid)
        return rx.toast.success("Rejected: this change will not be proposed again.")

    @rx.event
    def apply_advice(self, test_id: str, step: str, field: str) -> Any:
        try:
            principal, pid = guard.require(self, "test.write", self.pid)
            try:
                index = int(step)
            except ValueError:
                return rx.toast.error("Step: not a step number.")
            version = advice.apply(pid, test_id, index, str(field), principal.user_id)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self._reload_view(pid)
        return rx.toast.success(f"Applied: the test is now at version {version} (the old locator is kept as a "
                                "fallback).")

    @rx.event
    def set_ai_enabled(self, value: bool) -> Any:
        try:
            principal, pid = guard.require(self, "project.update", self.pid)
            ai_access.set_enabled(pid, bool(value), principal.user_id)
            self._reload_view(pid)
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        return rx.toast.success("AI assistance " + ("enabled." if value else "turned off."))

    @rx.event
    def generate(self, form_data: dict[str, Any]) -> Any:
        try:
            principal, pid = guard.require(self, "test.write", self.pid)
            reason = ai_access.status(pid)
            if reason:
                self.generate_error = reason
                return None
            enqueue_generation(pid, principal.user_id, str(form_data.get("description", ""))[:5000],
                               str(form_data.get("start_url", ""))[:2000])
        except ValueError as exc:
            self.generate_error = str(exc)
            return None
        except guard.DENIED as exc:
            return rx.toast.error(guard.error_message(exc))
        self.generate_error = ""
        return rx.toast.success("Generating: the draft test appears in Tests (tagged draft) when it is ready.")

    def _refresh_quietly(self) -> None:
        try:
            _principal, pid = guard.require(self, "test.read", self.pid)
            self._reload_view(pid)
        except guard.DENIED:
            pass
