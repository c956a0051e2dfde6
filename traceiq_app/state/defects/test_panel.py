"""The test page's small "Defects and custom fields" panel: the test's open defects and its
custom field values (saving them needs `test.write`)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from traceiq_app.services.catalog import test_cases
from traceiq_app.services.defects import custom_fields, listing
from traceiq_app.state import guard
from traceiq_app.state.accounts.auth import ProtectedState


class TestDefectsState(ProtectedState):
    __test__ = False

    tid: str = ""
    pid: str = ""
    can_write: bool = False
    defects: rx.Field[list[dict[str, Any]]] = rx.field([])
    fields: rx.Field[list[dict[str, str]]] = rx.field([])
    form_error: str = ""

    def _authorized(self, action: str) -> Any:
        owner = test_cases.project_of_test_case(self.tid) if self.tid else None
        if owner is None:
            raise guard.PermissionDenied("test not found", status=404)
        return guard.require(self, action, owner)

    def _reload(self, pid: Any) -> None:
        values = custom_fields.test_values(pid, self.tid)
        self.fields = [{"key": f.key, "label": f.label, "kind": f.kind, "options": ", ".join(f.options),
                        "value": custom_fields.display(values.get(f.key))}
                       for f in custom_fields.list_fields(pid, "test")]
        self.defects = listing.open_for_test(pid, self.tid)

    @rx.event
    def clear_panel(self) -> None:
        """The new-test page: no test yet, nothing to show."""
        self.tid, self.pid, self.defects, self.fields, self.form_error = "", "", [], [], ""

    @rx.event
    def load(self) -> None:
        self.tid = guard.id_from_path(self, "tests") or self.tid
        self.defects, self.fields, self.form_error = [], [], ""
        if not self.tid:
            return
        try:
            principal, pid = self._authorized("test.read")
            self.pid = str(pid)
            self.can_write = guard.can(principal, "test.write", pid)
            self._reload(pid)
        except guard.DENIED:
            self.defects, self.fields = [], []

    @rx.event
    def save_values(self, form_data: dict[str, Any]) -> Any:
        try:
            _principal, pid = self._authorized("test.write")
            custom_fields.set_test_values(pid, self.tid, {k[3:]: v for k, v in form_data.items()
                                                          if k.startswith("cf_")})
            self.form_error = ""
            self._reload(pid)
        except guard.DENIED as exc:
            self.form_error = guard.error_message(exc)
            return None
        return rx.toast.success("Custom fields saved.")
