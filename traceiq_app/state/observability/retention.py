"""The retention-rules editor on the System page (org owners and admins): the org's rules, a
form (applies to, keep days, keep last N runs, keep failed runs longer) whose preview is the
sweep's own dry run, save and remove. Reading authorizes `system.read`, changing
`retention.write`, on the server in every handler. The form is this tab's own: a refused value
keeps what was typed and shows the message at its field."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.platform.permissions import PermissionDenied
from traceiq_app.services.runs import retention_rules
from traceiq_app.services.runs.retention_rules import RetentionRuleInvalid
from traceiq_app.state.accounts.auth import ProtectedState, toast_error

FORM_FIELDS = ("scope", "keep_days", "keep_last", "keep_failed_days")
EMPTY_FORM = {"scope": "org", "keep_days": "", "keep_last": "", "keep_failed_days": ""}


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def describe(counts: dict[str, int]) -> str:
    return (f"{counts['runs']} runs, {counts['results']} test results and {counts['artifacts']} artifacts "
            f"({_mb(counts['bytes'])})")


def _keep(value: Any, unit: str) -> str:
    return "—" if value in (None, "") else f"{value} {unit}"


class RetentionState(ProtectedState):
    rules: rx.Field[list[dict[str, str]]] = rx.field([])
    scopes: rx.Field[list[dict[str, str]]] = rx.field([])
    form: rx.Field[dict[str, str]] = rx.field(dict(EMPTY_FORM))
    errors: rx.Field[dict[str, str]] = rx.field({})
    preview_text: str = ""

    def _reload(self) -> None:
        _principal, grant = self._require("system.read")
        self.scopes = retention_rules.scopes(grant.org_id)
        self.rules = [{"id": r["id"], "scope": r["scope"], "project_id": r["project_id"],
                       "keep_days": _keep(r["keep_days"], "days"), "keep_last": _keep(r["keep_last"], "runs"),
                       "keep_failed_days": _keep(r["keep_failed_days"], "days")}
                      for r in retention_rules.list_rules(grant.org_id)]

    @rx.event
    def load_rules(self) -> Any:
        self.errors, self.preview_text = {}, ""
        try:
            self._reload()
        except PermissionDenied as exc:
            self.rules, self.scopes = [], []
            return toast_error(exc)
        return None

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        """Edit this tab's form; reads and writes no data."""
        if name not in FORM_FIELDS:
            return
        self.form = {**self.form, name: str(value)[:40]}
        self.errors = {k: v for k, v in self.errors.items() if k != name}
        self.preview_text = ""

    def _refuse(self, exc: RetentionRuleInvalid) -> None:
        self.errors = {**self.errors, exc.field: exc.message}
        self.preview_text = ""

    @rx.event
    def preview(self) -> Any:
        """What the next pass would delete in this org if the form's rule were saved."""
        try:
            _principal, grant = self._require("system.read")
            counts = retention_rules.preview(grant.org_id, self.form.get("scope", "org"), self.form)
        except PermissionDenied as exc:
            return toast_error(exc)
        except RetentionRuleInvalid as exc:
            self._refuse(exc)
            return None
        self.errors = {}
        self.preview_text = f"With this rule the next cleanup deletes {describe(counts)}."
        return None

    @rx.event
    def save(self) -> Any:
        try:
            principal, grant = self._require("retention.write")
            retention_rules.save_rule(principal, grant.org_id, self.form.get("scope", "org"), self.form)
            self._reload()
        except PermissionDenied as exc:
            return toast_error(exc)
        except RetentionRuleInvalid as exc:
            self._refuse(exc)
            return None
        self.errors, self.preview_text = {}, ""
        return rx.toast.success("Retention rule saved: the next cleanup applies it.")

    @rx.event
    def remove(self, rule_id: str) -> Any:
        try:
            principal, grant = self._require("retention.write")
            removed = retention_rules.delete_rule(principal, grant.org_id, str(rule_id))
            self._reload()
        except PermissionDenied as exc:
            return toast_error(exc)
        return rx.toast.success("Retention rule removed.") if removed else rx.toast.error("That rule is already gone.")
